"""What the HTTP-library integrations share: the key, the Bearer token, the signing policy."""

from __future__ import annotations

from typing import Any, Dict, Iterable, MutableMapping, Optional, Tuple, Union

from ._taap import DEFAULT_SIGNED_HEADERS, POP_HEADER, PrivateKey, Signer, SignPolicy, TaapClient

__all__ = ["DEFAULT_SIGNED_HEADERS", "POP_HEADER", "HeaderText", "KeyInput", "RequestSigner", "SignHeaders"]

HeaderText = Union[str, bytes]
KeyInput = Union[PrivateKey, Signer, str, bytes]
#: A ``SignPolicy``, or the names of the headers to sign (``SignPolicy.headers(names)``).
SignHeaders = Union[SignPolicy, Iterable[str]]


class RequestSigner:
    """Signs one request: optional ``Authorization: Bearer`` from a client, then the PoP token."""

    def __init__(
        self,
        key: Optional[KeyInput],
        client: Optional[TaapClient],
        password: Union[str, bytes, None],
        sign_headers: Optional[SignHeaders],
        ttl: int,
    ) -> None:
        if client is not None and not isinstance(client, TaapClient):
            raise TypeError(f"client must be a TaapClient, not {type(client).__name__}")
        if key is None:
            if client is None:
                raise TypeError("pass key (a PrivateKey, a Signer or PEM), client (a TaapClient), or both")
            key = client.key
        self.key: Union[PrivateKey, Signer] = load_key(key, password)
        self.client = client
        self.policy = sign_policy(sign_headers)
        self.ttl = ttl
        #: Test hook: fixed ``iat``/``jti`` so a token can be compared with a conformance vector.
        self.pinned: Dict[str, Any] = {}

    def add_bearer(self, headers: MutableMapping[str, str]) -> None:
        """Sets ``Authorization: Bearer`` from the client's (cached) access token."""
        if self.client is not None:
            headers["Authorization"] = f"Bearer {self.client.access_token().secret}"

    def pop_token(
        self, method: str, url: str, sent: Iterable[Tuple[HeaderText, HeaderText]], body: Optional[bytes]
    ) -> str:
        """The PoP token over the request's method, URL, the policy's headers and body."""
        return self.policy.sign(self.key, method, url, list(sent), body, ttl=self.ttl, **self.pinned)

    @property
    def signs_outside(self) -> bool:
        """Whether a signature leaves this process (a PKCS#11 token, KMS, a callback): async
        integrations then sign in a worker thread, off the event loop."""
        return isinstance(self.key, Signer) and self.key.kind != "in-memory"

    def describe(self) -> str:
        """The repr of the auth object: the key's thumbprint, never its material."""
        client = f", client={self.client!r}" if self.client is not None else ""
        return f"PopAuth(key={self.key!r}{client}, sign_headers={self.policy!r}, ttl={self.ttl})"


def load_key(key: KeyInput, password: Union[str, bytes, None]) -> Union[PrivateKey, Signer]:
    """A ready key: parsed once here, so a bad key fails when the auth object is made."""
    if isinstance(key, PrivateKey):
        if password is not None:
            raise TypeError("password applies only when key is PEM; this PrivateKey is already decrypted")
        return key
    if isinstance(key, Signer):
        if password is not None:
            raise TypeError("password applies only when key is PEM; give a Signer's password to Signer.from_uri")
        return key
    if isinstance(key, (str, bytes)):
        return PrivateKey.from_pem(key, password)
    raise TypeError(f"key must be a PrivateKey, a Signer, or PEM as str or bytes, not {type(key).__name__}")


def sign_policy(sign_headers: Optional[SignHeaders]) -> SignPolicy:
    """The core's policy for ``sign_headers``: the docs' default, a policy as given, or names."""
    if sign_headers is None:
        return SignPolicy()
    if isinstance(sign_headers, SignPolicy):
        return sign_headers
    if isinstance(sign_headers, (str, bytes)):
        raise TypeError("sign_headers must be an iterable of header names, not a single string")
    return SignPolicy.headers(sign_headers)
