"""Type stub of the native extension module ``taap._taap`` (re-exported by ``taap``)."""

import os
from typing import Any, Callable, Dict, Final, Iterable, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final

_Text = Union[str, bytes]
_Value = Union[str, bytes, bytearray]
_Pairs = Union[Mapping[_Text, _Value], Iterable[Tuple[_Text, _Value]], Iterable[Sequence[Any]]]
_Path = Union[str, "os.PathLike[str]"]
_Answer = Tuple[int, List[Tuple[str, str]], bytes]

__all__ = [
    "AccessToken",
    "DEFAULT_LEEWAY",
    "DEFAULT_MAX_AGE",
    "DEFAULT_REPLAY_CAPACITY",
    "DEFAULT_SIGNED_HEADERS",
    "DEFAULT_TTL",
    "ERROR_KINDS",
    "KEY_CACHE_CAPACITY",
    "KeySource",
    "MAX_EHTS_ENTRIES",
    "MAX_TTL",
    "POP_HEADER",
    "PopGate",
    "PopToken",
    "PopTokenValidator",
    "PrivateKey",
    "PublicKey",
    "RedisReplayStore",
    "Response",
    "SignPolicy",
    "Signer",
    "TMOBILE_V2_TOKEN_URL",
    "TMOBILE_V6_TOKEN_URL",
    "TaapClient",
    "__version__",
    "explain",
    "middleware_settings",
    "request_method",
    "request_uri",
    "settings_schema",
]

__version__: Final[str]
ERROR_KINDS: Final[List[Tuple[str, str, int, str]]]
"""The core's error table: ``(name, code, C status, description)`` of every kind, in order."""
DEFAULT_TTL: Final[int]
MAX_TTL: Final[int]
DEFAULT_LEEWAY: Final[int]
DEFAULT_MAX_AGE: Final[int]
DEFAULT_REPLAY_CAPACITY: Final[int]
MAX_EHTS_ENTRIES: Final[int]
KEY_CACHE_CAPACITY: Final[int]
TMOBILE_V2_TOKEN_URL: Final[str]
TMOBILE_V6_TOKEN_URL: Final[str]
POP_HEADER: Final[str]
DEFAULT_SIGNED_HEADERS: Final[Tuple[str, ...]]

def settings_schema() -> List[Dict[str, Any]]:
    """Every option of every door as the core declares it: ``name``, ``camel``, ``group``, ``kind``, ``default``, ``min``, ``min_exclusive``, ``max``, ``doc``, ``secret`` (whether a value may hold a secret) and ``choices`` for a choice."""

def middleware_settings(**options: Any) -> Dict[str, Any]:
    """The ASGI/WSGI middleware's options (its own and the validator's ``leeway``, ``max_age``, ``required``), checked by the core, each one not given at its default (``required``: ``uri`` and ``http-method``); ``replay_store`` comes back resolved as ``replay_cache`` (a capacity or None) and ``shared_replay_store`` (a redis URL or None)."""

def request_uri(url: str) -> str:
    """The ``uri`` value of a request URL or path: path plus percent-decoded query (non-UTF-8 bytes as surrogate escapes)."""

def request_method(method: str) -> str:
    """The ``http-method`` value: the method upper-cased, which must be an HTTP token."""

def explain(
    token: str,
    method: str,
    url: str,
    headers: Optional[_Pairs] = None,
    body: Optional[_Value] = None,
    *,
    public_key: Optional["PublicKey"] = None,
    now: Optional[int] = None,
) -> Dict[str, Any]:
    """Why a gateway would accept or refuse ``token`` for this request: claims, time, each hashed value (masked), edts, signature and the matching signer variant (the JSON of ``taap doctor --json``)."""

@final
class PrivateKey:
    """An RSA private key, parsed once and reusable for any number of tokens from any thread."""

    @staticmethod
    def from_pem(pem: _Text, password: Optional[_Text] = None) -> "PrivateKey":
        """Load a PKCS#8, encrypted PKCS#8 or PKCS#1 PEM private key."""
    @staticmethod
    def from_der(der: bytes, password: Optional[_Text] = None) -> "PrivateKey":
        """Load a PKCS#8, encrypted PKCS#8 or PKCS#1 DER private key."""
    @staticmethod
    def from_file(path: _Path, password: Optional[_Text] = None) -> "PrivateKey":
        """Load a private key from a PEM or DER file."""
    @staticmethod
    def generate(bits: int = 2048) -> "PrivateKey":
        """Generate a new RSA key pair of 2048 (default), 3072, 4096 or 8192 bits."""
    def public_key(self) -> "PublicKey":
        """The matching public key."""
    @property
    def bits(self) -> int:
        """The modulus size in bits."""
    def to_pem(self) -> str:
        """The key as unencrypted PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``)."""
    def to_der(self) -> bytes:
        """The key as unencrypted PKCS#8 DER."""

@final
class PublicKey:
    """An RSA public key (PEM SPKI or PKCS#1, DER, JWK); verifies PoP token signatures."""

    @staticmethod
    def from_pem(pem: _Text) -> "PublicKey":
        """Load an SPKI (``PUBLIC KEY``) or PKCS#1 (``RSA PUBLIC KEY``) PEM public key."""
    @staticmethod
    def from_der(der: bytes) -> "PublicKey":
        """Load an SPKI or PKCS#1 DER public key."""
    @staticmethod
    def from_jwk(jwk: Union[_Text, Mapping[str, Any]]) -> "PublicKey":
        """Load an RSA JWK, or a JWK set holding one RSA key, from JSON text or a dict."""
    @staticmethod
    def from_file(path: _Path) -> "PublicKey":
        """Load a public key from a file holding PEM, DER or a JWK."""
    @property
    def bits(self) -> int:
        """The modulus size in bits."""
    @property
    def thumbprint(self) -> str:
        """The RFC 7638 JWK thumbprint (SHA-256, base64url): a stable, non-secret key id."""
    def to_pem(self) -> str:
        """The key as SPKI PEM (``-----BEGIN PUBLIC KEY-----``), as T-Mobile registers it."""
    def to_pkcs1_pem(self) -> str:
        """The key as PKCS#1 PEM (``-----BEGIN RSA PUBLIC KEY-----``)."""
    def to_der(self) -> bytes:
        """The key as SPKI DER."""
    def to_jwk(self) -> Dict[str, str]:
        """The key as a JWK dict: ``kty``, ``n``, ``e``, ``alg``, ``use`` and a thumbprint ``kid``."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Signer:
    """A key that makes RS256 signatures: one in a PKCS#11 token or AWS KMS (``from_uri``), one a Python function reaches (``from_callback``), or a key file. Taken wherever a ``PrivateKey`` is."""

    @staticmethod
    def from_uri(uri: _Path, password: Optional[_Text] = None) -> "Signer":
        """Open the key ``uri`` names: a ``pkcs11:`` URI (RFC 7512), an ``aws-kms:`` key (ARN, ``alias/NAME`` or id), or else a PEM/DER private key file; ``password`` decrypts a key file, or is the PIN of a ``pkcs11:`` URI that gives none."""
    @staticmethod
    def from_callback(public_key: PublicKey, sign: Callable[[bytes], Union[bytes, bytearray]], label: Optional[str] = None) -> "Signer":
        """A signer that calls ``sign(digest)`` (the 32-byte SHA-256 of the JWS signing input) for the PKCS#1 v1.5 signature under ``public_key``; every answer is checked before a token carries it."""
    @property
    def kind(self) -> Literal["in-memory", "callback", "pkcs11", "aws-kms", "other"]:
        """What the signer is: ``"in-memory"``, ``"pkcs11"``, ``"aws-kms"``, ``"callback"`` or ``"other"``."""
    @property
    def label(self) -> str:
        """A name for the key (a URI without its PIN, a KMS key id, a thumbprint); never a secret."""
    def public_key(self) -> PublicKey:
        """The public key every signature verifies under."""
    @property
    def bits(self) -> int:
        """The modulus size in bits."""

@final
class KeySource:
    """A client's public keys for ``taap.asgi``/``taap.wsgi``: several at once (each with an optional ``kid`` and ``nbf``/``exp`` window), fixed, from a file followed as it changes, or from a JWK set URL."""

    @staticmethod
    def parse(data: Union[str, bytes]) -> "KeySource":
        """A fixed set from PEM, JWK or JWK set (``{"keys": [...]}``) text."""
    @staticmethod
    def from_file(path: _Path) -> "KeySource":
        """The keys of the file at ``path`` (PEM, JWK or JWK set), read again when it changes; a half-written file keeps the keys in force."""
    @staticmethod
    def from_jwks_url(url: str) -> "KeySource":
        """The JWK set at ``url``: cached per ``Cache-Control: max-age``, fetched again for a ``kid`` it lacks; 503 ``KeySourceUnavailable`` when it cannot be fetched and nothing usable is cached."""
    @property
    def kind(self) -> Literal["fixed", "file", "jwks"]:
        """Where the keys come from."""
    def __len__(self) -> int:
        """How many keys are in force now (a JWK set URL may be fetched first)."""

@final
class PopToken:
    """A decoded (not verified) PoP token; also the namespace of the functions that build one."""

    @staticmethod
    def build(
        key: Union[PrivateKey, "Signer", _Text],
        ehts: _Pairs,
        *,
        ttl: int = 120,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
        password: Optional[_Text] = None,
    ) -> str:
        """Build a PoP token over ordered ehts: a dict (insertion order) or ``(name, value)`` pairs."""
    @staticmethod
    def for_request(
        key: Union[PrivateKey, "Signer", _Text],
        method: str,
        url: str,
        headers: Optional[_Pairs] = None,
        body: Optional[_Value] = None,
        *,
        ttl: int = 120,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
        password: Optional[_Text] = None,
    ) -> str:
        """Build the PoP token for one HTTP request: headers (in order), ``uri``, ``http-method``, ``body``."""
    @staticmethod
    def decode(token: _Text) -> "PopToken":
        """Decode a token's header and claims without verifying its signature."""
    @property
    def edts(self) -> str:
        """base64url SHA-256 of the concatenated ehts values."""
    @property
    def v(self) -> str:
        """The version claim, ``"1"``."""
    @property
    def exp(self) -> int:
        """Expiry, epoch seconds."""
    @property
    def iat(self) -> int:
        """Issued-at, epoch seconds."""
    @property
    def jti(self) -> str:
        """The unique token id."""
    @property
    def ehts(self) -> Tuple[str, ...]:
        """The signed names, in signing order."""
    @property
    def alg(self) -> str:
        """The JOSE ``alg`` header, always ``"RS256"``."""
    @property
    def typ(self) -> Optional[str]:
        """The JOSE ``typ`` header, usually ``"JWT"``, or ``None`` when absent."""
    @property
    def token(self) -> str:
        """The token text."""
    def expires_in(self, now: Optional[int] = None) -> int:
        """Seconds from ``now`` (default: the system clock) until ``exp``; negative once expired."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SignPolicy:
    """Which headers of an outgoing request a PoP token signs (the core's one signing policy)."""

    def __new__(cls) -> "SignPolicy":
        """The docs' policy: ``Content-Type`` and ``Authorization`` when present."""
    @staticmethod
    def headers(names: Iterable[str]) -> "SignPolicy":
        """Sign exactly these headers, in this order, each when the request has it."""
    @staticmethod
    def all_headers() -> "SignPolicy":
        """Sign every header the request carries, in the request's order."""
    def with_header(self, name: str) -> "SignPolicy":
        """A copy that also signs header ``name``."""
    def without_header(self, name: str) -> "SignPolicy":
        """A copy that never signs header ``name``."""
    def select(self, headers: _Pairs) -> List[Tuple[str, Union[str, bytes]]]:
        """The ``(name, value)`` pairs of ``headers`` this policy signs, in signing order, as sent."""
    def sign(
        self,
        key: Union[PrivateKey, "Signer", _Text],
        method: str,
        url: str,
        headers: Optional[_Pairs] = None,
        body: Optional[_Value] = None,
        *,
        ttl: int = 120,
        iat: Optional[int] = None,
        jti: Optional[str] = None,
        password: Optional[_Text] = None,
    ) -> str:
        """The PoP token for a request as this policy signs it."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class PopTokenValidator:
    """Checks PoP tokens as an API gateway must: signature, expiry, age, required names, edts, replay."""

    def __new__(
        cls,
        # BEGIN GENERATED PopTokenValidator options (scripts/generate_declarations.py)
        *,
        leeway: int = 10,
        max_age: int = 60,
        required: Union[List[str], Tuple[str, ...]] = [],
        replay_cache: Union[bool, int, None] = None,
        # END GENERATED
    ) -> "PopTokenValidator":
        """A validator with these options of ``settings_schema()``, checked by the core; ``replay_cache=True`` is ``DEFAULT_REPLAY_CAPACITY``, ``False`` is off."""
    def validate(
        self,
        token: _Text,
        public_key: PublicKey,
        ehts: _Pairs,
        *,
        now: Optional[int] = None,
    ) -> PopToken:
        """Validate ``token`` against ``public_key`` and the request's values (a dict or pairs)."""
    def validate_request(
        self,
        public_key: PublicKey,
        method: str,
        target: str,
        headers: Optional[_Pairs] = None,
        body: Optional[_Value] = None,
        *,
        now: Optional[int] = None,
        uri_form: Optional[str] = None,
    ) -> PopToken:
        """Validate the PoP token a request carries in ``X-Authorization``, the request as received."""
    @property
    def settings(self) -> Dict[str, Any]:
        """The options in effect under the schema's names (a fresh dict): what the behaviour suite checks."""

@final
class RedisReplayStore:
    """A replay store in Redis, shared with every gateway and middleware that opens the same database."""

    def __new__(cls, url: str, *, deadline: float = 0.05) -> "RedisReplayStore":
        """A store on ``redis://[:password@]host:port[/db]``; each operation within ``deadline`` seconds (0.05)."""
    def check_request(
        self,
        validator: PopTokenValidator,
        public_key: PublicKey,
        method: str,
        target: str,
        headers: Optional[_Pairs] = None,
        body: Optional[_Value] = None,
        *,
        now: Optional[int] = None,
        uri_form: Optional[str] = None,
    ) -> Optional[str]:
        """None when the request may go through; the reason when the store could not answer (answer 503)."""
    @property
    def name(self) -> str:
        """The store's name, ``"redis"``."""

@final
class PopGate:
    """The core's PoP middleware check (``taap::validate::PopGate``) behind ``taap.asgi`` and ``taap.wsgi``: options, client id rule, body limit and every answer ``(status, [(name, value)], body)``."""

    def __new__(cls, **options: Any) -> "PopGate":
        """A gate from the middleware's options (``required``, ``leeway``, ``max_age``, ``max_body``, ``client_id_header``, ``replay_store``), checked by the core."""
    @staticmethod
    def key(found: Union[PublicKey, str]) -> PublicKey:
        """The key ``found`` stands for (a ``PublicKey``, PEM or JWK text); raises when the text is not a key."""
    def waits(self, public_key: Union[PublicKey, KeySource], headers: _Pairs) -> bool:
        """Whether a check with ``public_key`` and ``headers`` may wait on the network (a shared store, or a key source that must fetch)."""
    def key_of(self, found: Union[PublicKey, str]) -> Union[PublicKey, _Answer]:
        """The key a client id lookup returned, or the 401 answer when the text is not a key."""
    @property
    def max_body(self) -> int:
        """The largest body read and hashed, in bytes."""
    @property
    def blocking(self) -> bool:
        """Whether a check waits on the network (a shared replay store)."""
    @property
    def client_id_header(self) -> str:
        """The header naming the client (lower case)."""
    def client_id(self, headers: _Pairs) -> Union[str, _Answer]:
        """The one non-empty UTF-8 client id the headers carry, or the 401 answer refusing the request."""
    def unknown_client(self) -> _Answer:
        """The 401 answer for a client id no key is registered for."""
    def too_large(self) -> _Answer:
        """The 413 answer for a body longer than ``max_body``."""
    def check(
        self,
        public_key: Union[PublicKey, KeySource],
        method: str,
        target: str,
        headers: _Pairs,
        body: _Value,
        *,
        uri_form: Optional[str] = None,
    ) -> Optional[_Answer]:
        """None when the request carries a valid, unreplayed PoP token signed by ``public_key`` (or one of a ``KeySource``'s keys); else the answer (401, 413 or 503). Runs without the GIL."""

@final
class AccessToken:
    """An OAuth 2.0 access token; ``repr()`` never shows it."""

    @property
    def secret(self) -> str:
        """The token, for the ``Authorization: Bearer`` header (a secret: do not log it)."""
    @property
    def id_token(self) -> Optional[str]:
        """The OpenID Connect id token, when the server sent one."""
    @property
    def expires_in(self) -> int:
        """Lifetime in seconds as the server gave it."""
    @property
    def remaining(self) -> float:
        """Seconds of validity left now."""
    @property
    def scope(self) -> Optional[str]:
        """The granted scope, when the server sent one."""
    @property
    def status(self) -> Optional[str]:
        """The answer's ``status`` member (T-Mobile sends ``"success"``), when present."""
    @property
    def token_type(self) -> Optional[str]:
        """The answer's ``token_type`` member, when present."""

@final
class Response:
    """An HTTP response of a signed API call: any status is returned, not raised."""

    @property
    def status(self) -> int:
        """The HTTP status code."""
    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
    @property
    def headers(self) -> List[Tuple[str, str]]:
        """The headers as ``(lower-case name, value)`` pairs, in arrival order."""
    def header(self, name: str) -> Optional[str]:
        """The first value of header ``name`` (any case), or ``None``."""
    @property
    def content(self) -> bytes:
        """The body bytes."""
    @property
    def text(self) -> str:
        """The body as text (invalid UTF-8 replaced)."""
    def json(self) -> Any:
        """The body parsed as JSON."""

@final
class TaapClient:
    """A TAAP client: OAuth access tokens (cached, one refresh for all threads) and signed API calls."""

    def __new__(
        cls,
        client_id: str,
        client_secret: _Text,
        key: Union[PrivateKey, "Signer", _Text],
        # BEGIN GENERATED TaapClient options (scripts/generate_declarations.py)
        server: str = "v2",
        *,
        password: Optional[_Text] = None,
        sign_policy: Optional[SignPolicy] = None,
        api: Optional[str] = None,
        store_id: Optional[str] = None,
        dealer_code: Optional[str] = None,
        connect_timeout: float = 10,
        timeout: float = 30,
        max_retries: int = 2,
        retry_base_delay: float = 0.2,
        retry_max_delay: float = 10,
        refresh_margin: float = 60,
        pop_ttl: int = 120,
        max_response_bytes: int = 10485760,
        correct_clock_skew: bool = True,
        token_body: Optional[Mapping[str, Any]] = None,
        token_body_mode: Optional[Literal["merge", "replace"]] = None,
        pop_claims: Optional[Mapping[str, Any]] = None,
        pop_header: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
        sign_headers: Union[List[str], Tuple[str, ...]] = ["Content-Type", "Authorization"],
        uri_form: Literal["decoded", "encoded"] = "decoded",
        x_authorization_prefix: Optional[str] = None,
        token_store: Optional[str] = None,
        # END GENERATED
    ) -> "TaapClient":
        """A client for these credentials and key; every other keyword is an option of ``settings_schema()`` (its defaults shown), checked by the core; ``sign_policy`` is the policy ``sign_headers`` and ``uri_form`` change."""
    def access_token(self) -> AccessToken:
        """The cached access token, or a new one when it is missing or near expiry."""
    def refresh_access_token(self) -> AccessToken:
        """Fetch a new access token now, replacing the cached one."""
    def request(
        self,
        method: str,
        url: str,
        headers: Optional[_Pairs] = None,
        body: Optional[_Value] = None,
        *,
        json: Any = None,
    ) -> Response:
        """Send a signed API call (``Authorization: Bearer`` and a fresh PoP token); any status returns."""
    @property
    def client_id(self) -> str:
        """The OAuth client id."""
    @property
    def token_url(self) -> str:
        """The token endpoint URL."""
    @property
    def flavor(self) -> str:
        """The token endpoint's flavour, ``"v2"`` or ``"v6"``."""
    @property
    def clock_offset(self) -> int:
        """Seconds added to the local clock for PoP ``iat``, learned from the servers' ``Date``."""
    @property
    def key(self) -> Union[PrivateKey, "Signer"]:
        """The key the client signs with: a ``PrivateKey`` (also when given as PEM), or the ``Signer`` it was given."""
    @property
    def settings(self) -> Dict[str, Any]:
        """The options in effect under the schema's names and units (seconds as numbers), a fresh dict; secret-looking header values masked, ``token_store`` only whether one is set."""
