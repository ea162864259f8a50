"""Type stub of ``taap._errors``: the classes it makes from the core's error table.

``tests/test_errors.py`` checks that these classes, codes and docstrings are the table's.
"""

from typing import ClassVar, Literal, Optional

__all__ = [
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
]

class TaapError(Exception):
    """Base class of every taap error; ``code`` names the kind, the same in every language."""

    code: ClassVar[str]

# BEGIN GENERATED error kinds: classes (core/tests/declarations.rs)
class InvalidKeyError(TaapError):
    """The key cannot be parsed, is not RSA, or is outside 2048 to 8192 bits."""

    code: ClassVar[Literal["TAAP_INVALID_KEY"]]

class KeyDecryptError(TaapError):
    """The private key is encrypted and the password is missing or wrong."""

    code: ClassVar[Literal["TAAP_KEY_DECRYPT"]]

class InvalidEhtsError(TaapError, ValueError):
    """The ehts are empty, over 100, or have a blank, duplicate or `;` name; or a method or URL is bad."""

    code: ClassVar[Literal["TAAP_INVALID_EHTS"]]

class InvalidTokenError(TaapError):
    """The token is not a well-formed RS256 PoP token, is issued in the future, or lacks a required name."""

    code: ClassVar[Literal["TAAP_INVALID_TOKEN"]]

class TokenExpiredError(TaapError):
    """The token's `exp` lies in the past, beyond the leeway."""

    code: ClassVar[Literal["TAAP_TOKEN_EXPIRED"]]

class TokenTooOldError(TaapError):
    """The token's `iat` is older than the validator's maximum age."""

    code: ClassVar[Literal["TAAP_TOKEN_TOO_OLD"]]

class SignatureInvalidError(TaapError):
    """The RS256 signature does not verify with the given public key."""

    code: ClassVar[Literal["TAAP_SIGNATURE_INVALID"]]

class EdtsMismatchError(TaapError):
    """The request's values differ from the ones the token signed."""

    code: ClassVar[Literal["TAAP_EDTS_MISMATCH"]]

class MissingEhtsValueError(TaapError):
    """The token signs a name the request has no value for."""

    code: ClassVar[Literal["TAAP_MISSING_EHTS_VALUE"]]

class ReplayError(TaapError):
    """The token's `jti` was seen before, or the replay cache is full (it fails closed)."""

    code: ClassVar[Literal["TAAP_REPLAY"]]

class OAuthError(TaapError):
    """The OAuth server answered with an error or an unusable token; its HTTP status is kept."""

    code: ClassVar[Literal["TAAP_OAUTH"]]
    status: Optional[int]

    def __init__(self, message: str, status: Optional[int] = None) -> None: ...

class TransportError(TaapError):
    """The HTTP exchange failed: connection, DNS, TLS, timeout, I/O or an oversized response."""

    code: ClassVar[Literal["TAAP_TRANSPORT"]]

class ConfigError(TaapError):
    """An option or argument is out of range or inconsistent."""

    code: ClassVar[Literal["TAAP_CONFIG"]]

class KeySourceUnavailableError(TaapError):
    """The client's keys cannot be fetched (a JWK set URL is down) and no usable copy is cached."""

    code: ClassVar[Literal["TAAP_KEY_SOURCE_UNAVAILABLE"]]
# END GENERATED
