"""``requests`` integration: every request gets a fresh PoP token in ``X-Authorization``.

::

    import requests
    from taap.requests import PopAuth

    session = requests.Session()
    session.auth = PopAuth(client=TaapClient(client_id, client_secret, key))  # adds Bearer too
    session.post(url, json={"orderId": 100})
"""

from __future__ import annotations

from typing import Optional, Union

try:
    import requests
except ImportError:  # the original error stays attached as __context__
    raise ImportError("taap.requests needs the requests package: pip install requests")

from ._signing import DEFAULT_SIGNED_HEADERS, POP_HEADER, KeyInput, RequestSigner, SignHeaders
from ._taap import DEFAULT_TTL, TaapClient

__all__ = ["PopAuth", "DEFAULT_SIGNED_HEADERS", "POP_HEADER"]


class PopAuth(requests.auth.AuthBase):
    """Signs each request's method, URL, chosen headers and exact body bytes with a PoP token.

    ``sign_headers`` is a ``taap.SignPolicy`` or the header names to sign; by default the
    core's policy (T-Mobile's docs: ``Content-Type`` and ``Authorization`` when present).

    Given a ``TaapClient``, it also sets ``Authorization: Bearer`` (signed too) from the
    client's cached access token, and signs with the client's key unless ``key`` is given.
    """

    def __init__(
        self,
        key: Optional[KeyInput] = None,
        *,
        client: Optional[TaapClient] = None,
        password: Union[str, bytes, None] = None,
        sign_headers: Optional[SignHeaders] = None,
        ttl: int = DEFAULT_TTL,
    ) -> None:
        self.signer = RequestSigner(key, client, password, sign_headers, ttl)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Adds ``Authorization`` (with a client) and ``X-Authorization`` to the prepared request."""
        self.signer.add_bearer(request.headers)
        request.headers[POP_HEADER] = self.signer.pop_token(
            request.method or "GET", request.url or "", request.headers.items(), body_bytes(request.body)
        )
        return request

    def __repr__(self) -> str:
        return self.signer.describe()


def body_bytes(body: object) -> Optional[bytes]:
    """The bytes ``requests`` will send for a prepared body."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        # Sign the bytes that go on the wire: urllib3 2 encodes a str body as UTF-8,
        # urllib3 1 leaves it to http.client, which encodes it as ISO-8859-1.
        return body.encode("iso-8859-1" if requests.compat.is_urllib3_1 else "utf-8")
    raise TypeError(
        "PopAuth signs the exact body bytes, so the body must be bytes or str, not a "
        f"{type(body).__name__} stream; read it into memory first"
    )
