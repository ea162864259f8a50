"""taap: T-Mobile API Access Protocol (TAAP) PoP tokens, native and fast.

Build a PoP token for a request, or validate one at a gateway::

    from taap import PrivateKey, PopToken

    key = PrivateKey.from_file("private_key.pem")
    token = PopToken.for_request(key, "POST", url, {"Content-Type": "application/json"}, body)

A key in a PKCS#11 token, in AWS KMS or behind a function is a ``Signer`` (``Signer.from_uri``,
``Signer.from_callback``), taken wherever a ``PrivateKey`` is.

``TaapClient`` gets OAuth access tokens and sends signed API calls (``AsyncTaapClient`` for
asyncio: ``await client.request(...)``); ``taap.requests.PopAuth``
and ``taap.httpx.PopAuth`` sign requests made with those libraries.
"""

from ._async import AsyncTaapClient
from ._errors import (
    # BEGIN GENERATED error kinds: imports (core/tests/declarations.rs)
    ConfigError,
    EdtsMismatchError,
    InvalidEhtsError,
    InvalidKeyError,
    InvalidTokenError,
    KeyDecryptError,
    KeySourceUnavailableError,
    MissingEhtsValueError,
    OAuthError,
    ReplayError,
    SignatureInvalidError,
    TaapError,
    TokenExpiredError,
    TokenTooOldError,
    TransportError,
    # END GENERATED
)
from ._taap import (
    DEFAULT_LEEWAY,
    DEFAULT_MAX_AGE,
    DEFAULT_REPLAY_CAPACITY,
    DEFAULT_SIGNED_HEADERS,
    DEFAULT_TTL,
    KEY_CACHE_CAPACITY,
    MAX_EHTS_ENTRIES,
    MAX_TTL,
    POP_HEADER,
    TMOBILE_V2_TOKEN_URL,
    TMOBILE_V6_TOKEN_URL,
    AccessToken,
    KeySource,
    PopToken,
    PopTokenValidator,
    PrivateKey,
    PublicKey,
    RedisReplayStore,
    Response,
    Signer,
    SignPolicy,
    TaapClient,
    __version__,
    explain,
    request_method,
    request_uri,
    settings_schema,
)

__all__ = [
    "PrivateKey",
    "PublicKey",
    "KeySource",
    "Signer",
    "PopToken",
    "PopTokenValidator",
    "RedisReplayStore",
    "TaapClient",
    "AsyncTaapClient",
    "AccessToken",
    "Response",
    "SignPolicy",
    "request_uri",
    "request_method",
    "explain",
    "settings_schema",
    "TaapError",
    # BEGIN GENERATED error kinds: __all__ (core/tests/declarations.rs)
    "InvalidKeyError",
    "KeyDecryptError",
    "InvalidEhtsError",
    "InvalidTokenError",
    "TokenExpiredError",
    "TokenTooOldError",
    "SignatureInvalidError",
    "EdtsMismatchError",
    "MissingEhtsValueError",
    "ReplayError",
    "OAuthError",
    "TransportError",
    "ConfigError",
    "KeySourceUnavailableError",
    # END GENERATED
    "DEFAULT_TTL",
    "MAX_TTL",
    "DEFAULT_LEEWAY",
    "DEFAULT_MAX_AGE",
    "DEFAULT_REPLAY_CAPACITY",
    "MAX_EHTS_ENTRIES",
    "KEY_CACHE_CAPACITY",
    "TMOBILE_V2_TOKEN_URL",
    "TMOBILE_V6_TOKEN_URL",
    "POP_HEADER",
    "DEFAULT_SIGNED_HEADERS",
    "__version__",
]
