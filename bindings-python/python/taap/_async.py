"""``AsyncTaapClient``: the core's client for asyncio.

Each call runs the native client in a worker thread, which releases the GIL while it waits on
the network, so the event loop keeps running. The token cache and its single-flight refresh
are the core's: however many tasks ask at once, one token request goes out.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional, Union

from ._taap import AccessToken, PrivateKey, Response, Signer, TaapClient

__all__ = ["AsyncTaapClient"]


class AsyncTaapClient:
    """A TAAP client for asyncio; takes the same arguments as ``TaapClient`` (``server=None`` is
    the settings schema's default, as there).

    ::

        client = AsyncTaapClient("my-client-id", secret, "private_key.pem", "v2")
        response = await client.request("GET", url, {"Accept": "application/json"})
    """

    def __init__(
        self,
        client_id: str,
        client_secret: Union[str, bytes],
        key: Union[PrivateKey, Signer, str, bytes],
        server: Optional[str] = None,
        **options: Any,
    ) -> None:
        if server is not None:
            options["server"] = server
        self._client = TaapClient(client_id, client_secret, key, **options)

    @property
    def sync(self) -> TaapClient:
        """The blocking client underneath (same cache), e.g. for ``taap.httpx.PopAuth``."""
        return self._client

    @property
    def client_id(self) -> str:
        """The OAuth client id."""
        return self._client.client_id

    @property
    def token_url(self) -> str:
        """The token endpoint URL."""
        return self._client.token_url

    @property
    def flavor(self) -> str:
        """The token endpoint's flavour, ``"v2"`` or ``"v6"``."""
        return self._client.flavor

    @property
    def settings(self) -> Dict[str, Any]:
        """The options in effect, as ``TaapClient.settings`` shows them."""
        return self._client.settings

    @property
    def clock_offset(self) -> int:
        """Seconds added to the local clock for PoP ``iat``, learned from the servers' ``Date``."""
        return self._client.clock_offset

    async def access_token(self) -> AccessToken:
        """The cached access token, or a new one when it is missing or near expiry."""
        return await asyncio.to_thread(self._client.access_token)

    async def refresh_access_token(self) -> AccessToken:
        """Fetch a new access token now, replacing the cached one."""
        return await asyncio.to_thread(self._client.refresh_access_token)

    async def request(
        self,
        method: str,
        url: str,
        headers: Optional[Any] = None,
        body: Optional[Any] = None,
        *,
        json: Any = None,
    ) -> Response:
        """Send a signed API call (``Authorization: Bearer`` and a fresh PoP token); any status returns."""
        return await asyncio.to_thread(self._client.request, method, url, headers, body, json=json)

    def __repr__(self) -> str:
        return repr(self._client).replace("TaapClient", "AsyncTaapClient", 1)
