"""The exceptions taap raises: one class per kind of the core's error table, all under TaapError.

The classes are made from the table the native module exports (``_taap.ERROR_KINDS``), so their
names, ``code`` values and docstrings are the core's. ``_errors.pyi`` declares them for type
checkers; ``tests/test_errors.py`` holds it to the same table.
"""

from __future__ import annotations

from typing import ClassVar, Dict, List, Optional, Tuple, Type

from ._taap import ERROR_KINDS


class TaapError(Exception):
    """Base class of every taap error; ``code`` names the kind, the same in every language."""

    code: ClassVar[str] = "TAAP_ERROR"


class OAuthError(TaapError):
    # The docstring and code come from the core's table, as for every kind's class.

    status: Optional[int]

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


# What makes a kind's class more than a plain TaapError subclass: an extra Python base, so that
# ``except ValueError`` catches bad ehts, or a class of its own that keeps more state.
_EXTRA_BASES: Dict[str, Tuple[type, ...]] = {"InvalidEhts": (ValueError,)}
_OWN_CLASSES: Dict[str, Type[TaapError]] = {"OAuth": OAuthError}


def _kind_class(name: str, code: str, description: str) -> Type[TaapError]:
    cls = _OWN_CLASSES.get(name)
    if cls is None:
        bases = (TaapError, *_EXTRA_BASES.get(name, ()))
        cls = type(f"{name}Error", bases, {"__module__": __name__})
    cls.code = code
    cls.__doc__ = description
    return cls


_KIND_CLASSES: List[Type[TaapError]] = [
    _kind_class(name, code, description) for name, code, _status, description in ERROR_KINDS
]
globals().update((cls.__name__, cls) for cls in _KIND_CLASSES)

__all__ = ["TaapError", *(cls.__name__ for cls in _KIND_CLASSES)]
