"""``httpx`` integration (sync and async clients): a fresh PoP token on every request.

::

    import httpx
    from taap.httpx import PopAuth

    with httpx.Client(auth=PopAuth(PrivateKey.from_file("private_key.pem"))) as client:
        client.post(url, json={"orderId": 100})
"""

from __future__ import annotations

from typing import Generator, Iterable, Union

try:
    import httpx
except ImportError as missing:  # pragma: no cover - exercised in a subprocess
    raise ImportError("taap.httpx needs the httpx package: pip install httpx") from missing

from ._signing import DEFAULT_SIGNED_HEADERS, load_key, select_headers, signed_header_names
from ._taap import DEFAULT_TTL, PopToken, PrivateKey

__all__ = ["PopAuth", "DEFAULT_SIGNED_HEADERS"]

#: The header that carries the PoP token.
POP_HEADER = "X-Authorization"


class PopAuth(httpx.Auth):
    """Signs each request's method, URL, chosen headers and exact body bytes with a PoP token."""

    # httpx reads streamed bodies into memory first, so the exact bytes can be signed.
    requires_request_body = True

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

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Adds ``X-Authorization`` to the request; used by sync and async clients alike."""
        headers = select_headers(request.headers.raw, self.sign_headers)
        request.headers[POP_HEADER] = PopToken.for_request(
            self.key,
            request.method,
            str(request.url),
            headers,
            request.content,
            ttl=self.ttl,
        )
        yield request

    def __repr__(self) -> str:
        return f"PopAuth(key={self.key!r}, sign_headers={self.sign_headers!r}, ttl={self.ttl})"
