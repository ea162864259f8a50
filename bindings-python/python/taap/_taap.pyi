"""Type stub of the native extension module ``taap._taap`` (re-exported by ``taap``)."""

import os
from typing import Any, Dict, Final, Iterable, List, Mapping, Optional, Sequence, Tuple, Union, final

_Text = Union[str, bytes]
_Value = Union[str, bytes, bytearray]
_Pairs = Union[Mapping[_Text, _Value], Iterable[Tuple[_Text, _Value]], Iterable[Sequence[Any]]]
_Path = Union[str, "os.PathLike[str]"]

__version__: Final[str]
ERROR_KINDS: Final[List[Tuple[str, str]]]
DEFAULT_TTL: Final[int]
MAX_TTL: Final[int]
DEFAULT_LEEWAY: Final[int]
DEFAULT_MAX_AGE: Final[int]
DEFAULT_REPLAY_CAPACITY: Final[int]
MAX_EHTS_ENTRIES: Final[int]
KEY_CACHE_CAPACITY: Final[int]

def _raise_error(kind: str, message: str, status: Optional[int] = None) -> None:
    """Raise the exception the core error ``kind`` maps to (tests the mapping)."""

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
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class PopToken:
    """A decoded (not verified) PoP token; also the namespace of the functions that build one."""

    @staticmethod
    def build(
        key: Union[PrivateKey, _Text],
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
        key: Union[PrivateKey, _Text],
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
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class PopTokenValidator:
    """Checks PoP tokens as an API gateway must: signature, expiry, age, required names, edts, replay."""

    def __init__(
        self,
        *,
        leeway: int = 10,
        max_age: int = 60,
        required: Iterable[str] = (),
        replay_cache: Union[bool, int] = False,
    ) -> None: ...
    def validate(
        self,
        token: _Text,
        public_key: PublicKey,
        ehts: _Pairs,
        *,
        now: Optional[int] = None,
    ) -> PopToken:
        """Validate ``token`` against ``public_key`` and the request's values (a dict or pairs)."""
    @property
    def leeway(self) -> int:
        """Seconds of clock skew tolerated."""
    @property
    def max_age(self) -> int:
        """Oldest accepted token age in seconds, from ``iat``."""
    @property
    def required(self) -> Tuple[str, ...]:
        """Names every token must sign."""
    @property
    def replay_cache(self) -> Optional[int]:
        """How many ``jti``s the replay cache remembers, or ``None`` when replay detection is off."""
