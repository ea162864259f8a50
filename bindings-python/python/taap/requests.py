"""``requests`` integration: every request gets a fresh PoP token in ``X-Authorization``.

::

    import requests
    from taap.requests import PopAuth

    session = requests.Session()
    session.auth = PopAuth(PrivateKey.from_file("private_key.pem"))
    session.post(url, json={"orderId": 100}, headers={"Authorization": f"Bearer {access_token}"})
"""

from __future__ import annotations

from typing import Iterable, Optional, Union

try:
    import requests
except ImportError as missing:  # pragma: no cover - exercised in a subprocess
    raise ImportError("taap.requests needs the requests package: pip install requests") from missing

from ._signing import DEFAULT_SIGNED_HEADERS, load_key, select_headers, signed_header_names
from ._taap import DEFAULT_TTL, PopToken, PrivateKey

__all__ = ["PopAuth", "DEFAULT_SIGNED_HEADERS"]

#: The header that carries the PoP token.
POP_HEADER = "X-Authorization"


class PopAuth(requests.auth.AuthBase):
    """Signs each request's method, URL, chosen headers and exact body bytes with a PoP token."""

    def __init__(
        self,
        key: Union[PrivateKey, str, bytes],
        *,
        password: Union[str, bytes, None] = None,
        sign_headers: Iterable[str] = DEFAULT_SIGNED_HEADERS,
        ttl: int = DEFAULT_TTL,
    ) -> None:
        self.key = load_key(key, password)
        self.sign_headers = signed_header_names(sign_headers)
        self.ttl = ttl

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Adds ``X-Authorization`` to the prepared request."""
        headers = select_headers(request.headers.items(), self.sign_headers)
        request.headers[POP_HEADER] = PopToken.for_request(
            self.key,
            request.method or "GET",
            request.url or "",
            headers,
            body_bytes(request.body),
            ttl=self.ttl,
        )
        return request

    def __repr__(self) -> str:
        return f"PopAuth(key={self.key!r}, sign_headers={self.sign_headers!r}, ttl={self.ttl})"


def body_bytes(body: object) -> Optional[bytes]:
    """The bytes ``requests`` will send for a prepared body."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        # http.client sends a str body encoded as ISO-8859-1; sign those exact bytes.
        return body.encode("iso-8859-1")
    raise TypeError(
        "PopAuth signs the exact body bytes, so the body must be bytes or str, not a "
        f"{type(body).__name__} stream; read it into memory first"
    )
