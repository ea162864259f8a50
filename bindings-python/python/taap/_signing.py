"""What the HTTP-library integrations share: which headers to sign, and the key to sign with."""

from __future__ import annotations

from typing import Iterable, List, Optional, Tuple, Union

from ._taap import PrivateKey

#: Headers T-Mobile's examples sign, when the request carries them.
DEFAULT_SIGNED_HEADERS: Tuple[str, ...] = ("Content-Type", "Authorization")

HeaderText = Union[str, bytes]


def load_key(key: Union[PrivateKey, str, bytes], password: Union[str, bytes, None]) -> PrivateKey:
    """A ready key: parsed once here, so a bad key fails when the auth object is made."""
    if isinstance(key, PrivateKey):
        if password is not None:
            raise TypeError("password applies only when key is PEM; this PrivateKey is already decrypted")
        return key
    if isinstance(key, (str, bytes)):
        return PrivateKey.from_pem(key, password)
    raise TypeError(f"key must be a PrivateKey, or PEM as str or bytes, not {type(key).__name__}")


def signed_header_names(names: Iterable[str]) -> Tuple[str, ...]:
    """Validates the names once; a bare string would otherwise be read letter by letter."""
    if isinstance(names, (str, bytes)):
        raise TypeError("sign_headers must be an iterable of header names, not a single string")
    names = tuple(names)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"each header name to sign must be a str, not {type(name).__name__}")
    return names


def select_headers(
    sent: Iterable[Tuple[HeaderText, HeaderText]], wanted: Tuple[str, ...]
) -> List[Tuple[HeaderText, HeaderText]]:
    """The wanted headers the request carries, in ``wanted`` order, spelled as they are sent."""
    by_name = {}
    for name, value in sent:
        text = name.decode("latin-1") if isinstance(name, bytes) else name
        by_name.setdefault(text.lower(), (name, value))
    selected = []
    for name in wanted:
        found: Optional[Tuple[HeaderText, HeaderText]] = by_name.get(name.lower())
        if found is not None:
            selected.append(found)
    return selected
