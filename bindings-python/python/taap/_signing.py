"""What the HTTP-library integrations share: the key, the Bearer token, the headers to sign."""

from __future__ import annotations

from typing import Dict, Iterable, List, MutableMapping, Optional, Tuple, Union

from ._taap import PopToken, PrivateKey, TaapClient

#: Headers T-Mobile's examples sign, when the request carries them.
DEFAULT_SIGNED_HEADERS: Tuple[str, ...] = ("Content-Type", "Authorization")
#: The header that carries the PoP token.
POP_HEADER = "X-Authorization"

HeaderText = Union[str, bytes]
KeyInput = Union[PrivateKey, str, bytes]


class Signer:
    """Signs one request: optional ``Authorization: Bearer`` from a client, then the PoP token."""

    def __init__(
        self,
        key: Optional[KeyInput],
        client: Optional[TaapClient],
        password: Union[str, bytes, None],
        sign_headers: Iterable[str],
        ttl: int,
    ) -> None:
        if client is not None and not isinstance(client, TaapClient):
            raise TypeError(f"client must be a TaapClient, not {type(client).__name__}")
        if key is None:
            if client is None:
                raise TypeError("pass key (a PrivateKey or PEM), client (a TaapClient), or both")
            key = client.key
        self.key = load_key(key, password)
        self.client = client
        self.sign_headers = signed_header_names(sign_headers)
        self.ttl = ttl

    def add_bearer(self, headers: MutableMapping[str, str]) -> None:
        """Sets ``Authorization: Bearer`` from the client's (cached) access token."""
        if self.client is not None:
            headers["Authorization"] = f"Bearer {self.client.access_token().secret}"

    def pop_token(
        self, method: str, url: str, sent: Iterable[Tuple[HeaderText, HeaderText]], body: Optional[bytes]
    ) -> str:
        """The PoP token over the request's method, URL, chosen headers and body."""
        headers = select_headers(sent, self.sign_headers)
        return PopToken.for_request(self.key, method, url, headers, body, ttl=self.ttl)

    def describe(self) -> str:
        """The repr of the auth object: the key's thumbprint, never its material."""
        client = f", client={self.client!r}" if self.client is not None else ""
        return f"PopAuth(key={self.key!r}{client}, sign_headers={self.sign_headers!r}, ttl={self.ttl})"


def load_key(key: KeyInput, password: Union[str, bytes, None]) -> PrivateKey:
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
    by_name: Dict[str, Tuple[HeaderText, HeaderText]] = {}
    for name, value in sent:
        text = name.decode("latin-1") if isinstance(name, bytes) else name
        by_name.setdefault(text.lower(), (name, value))
    return [by_name[name.lower()] for name in wanted if name.lower() in by_name]
