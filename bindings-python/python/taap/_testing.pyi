"""Type stub of ``taap._testing``: hooks for taap's own tests, not part of its API."""

from typing import Optional

__all__ = ["raise_error"]

def raise_error(kind: str, message: str, status: Optional[int] = None) -> None:
    """Raise the exception the core error ``kind`` maps to (tests the mapping)."""
