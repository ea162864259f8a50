"""``httpx`` integration (sync and async clients): a fresh PoP token on every request.

::

    import httpx
    from taap.httpx import PopAuth

    with httpx.Client(auth=PopAuth(PrivateKey.from_file("private_key.pem"))) as client:
        client.post(url, json={"orderId": 100})
"""

from __future__ import annotations

from typing import AsyncGenerator, Generator, Optional, Union

try:
    import httpx
except ImportError:  # the original error stays attached as __context__
    raise ImportError("taap.httpx needs the httpx package: pip install httpx")

from ._async import AsyncTaapClient
from ._signing import DEFAULT_SIGNED_HEADERS, POP_HEADER, KeyInput, RequestSigner, SignHeaders
from ._taap import DEFAULT_TTL, TaapClient

__all__ = ["PopAuth", "DEFAULT_SIGNED_HEADERS", "POP_HEADER"]


class PopAuth(httpx.Auth):
    """Signs each request's method, URL, chosen headers and exact body bytes with a PoP token.

    ``sign_headers`` is a ``taap.SignPolicy`` or the header names to sign; by default the
    core's policy (T-Mobile's docs: ``Content-Type`` and ``Authorization`` when present).

    Given a ``TaapClient`` (or an ``AsyncTaapClient``, for ``httpx.AsyncClient``), it also sets
    ``Authorization: Bearer`` (signed too) from the client's cached access token, and signs
    with the client's key unless ``key`` is given.
    """

    # httpx reads streamed bodies into memory first, so the exact bytes can be signed.
    requires_request_body = True

    def __init__(
        self,
        key: Optional[KeyInput] = None,
        *,
        client: Union[TaapClient, AsyncTaapClient, None] = None,
        password: Union[str, bytes, None] = None,
        sign_headers: Optional[SignHeaders] = None,
        ttl: int = DEFAULT_TTL,
    ) -> None:
        if isinstance(client, AsyncTaapClient):
            client = client.sync
        self.signer = RequestSigner(key, client, password, sign_headers, ttl)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Adds ``Authorization`` (with a client) and ``X-Authorization`` to the request."""
        self.signer.add_bearer(request.headers)
        self._add_pop_token(request)
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """As ``auth_flow``; a token fetch, and a signature made outside this process (a
        ``Signer`` of a PKCS#11 token, KMS or a callback), run in a worker thread, off the event loop."""
        await request.aread()
        if self.signer.client is not None:
            import anyio.to_thread

            await anyio.to_thread.run_sync(self.signer.add_bearer, request.headers)
        if self.signer.signs_outside:
            import anyio.to_thread

            # A PKCS#11 token, KMS or a callback may take a while: not on the event loop.
            await anyio.to_thread.run_sync(self._add_pop_token, request)
        else:
            self._add_pop_token(request)
        yield request

    def _add_pop_token(self, request: httpx.Request) -> None:
        request.headers[POP_HEADER] = self.signer.pop_token(
            request.method, str(request.url), request.headers.raw, request.content
        )

    def __repr__(self) -> str:
        return self.signer.describe()
