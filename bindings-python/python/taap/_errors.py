"""The exceptions taap raises: one class per error kind of the core, all under TaapError."""

from __future__ import annotations

from typing import ClassVar, Optional

__all__ = [
    "TaapError",
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
]


class TaapError(Exception):
    """Base class of every taap error; ``code`` names the kind, the same in every language."""

    code: ClassVar[str] = "TAAP_ERROR"


class InvalidKeyError(TaapError):
    """The key could not be parsed, is not RSA, or is outside 2048 to 8192 bits."""

    code: ClassVar[str] = "TAAP_INVALID_KEY"


class KeyDecryptError(TaapError):
    """The private key is encrypted and the password is missing or wrong."""

    code: ClassVar[str] = "TAAP_KEY_DECRYPT"


class InvalidEhtsError(TaapError, ValueError):
    """The ehts break a rule: empty, over 100 entries, a blank, duplicate or ``;`` name."""

    code: ClassVar[str] = "TAAP_INVALID_EHTS"


class InvalidTokenError(TaapError):
    """The token is not a well-formed RS256 PoP token, or lacks a required name."""

    code: ClassVar[str] = "TAAP_INVALID_TOKEN"


class TokenExpiredError(TaapError):
    """The token's ``exp`` lies in the past, beyond the leeway."""

    code: ClassVar[str] = "TAAP_TOKEN_EXPIRED"


class TokenTooOldError(TaapError):
    """The token's ``iat`` is older than the validator's maximum age."""

    code: ClassVar[str] = "TAAP_TOKEN_TOO_OLD"


class SignatureInvalidError(TaapError):
    """The RS256 signature does not verify with the given public key."""

    code: ClassVar[str] = "TAAP_SIGNATURE_INVALID"


class EdtsMismatchError(TaapError):
    """The request's values differ from the ones the token signed."""

    code: ClassVar[str] = "TAAP_EDTS_MISMATCH"


class MissingEhtsValueError(TaapError):
    """The token signs a name the caller supplied no value for."""

    code: ClassVar[str] = "TAAP_MISSING_EHTS_VALUE"


class ReplayError(TaapError):
    """The token's ``jti`` was seen before (or the replay cache is full)."""

    code: ClassVar[str] = "TAAP_REPLAY"


class OAuthError(TaapError):
    """The OAuth server answered with an error; ``status`` is its HTTP status."""

    code: ClassVar[str] = "TAAP_OAUTH"
    status: Optional[int]

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


class TransportError(TaapError):
    """The HTTP exchange failed: connection, timeout, TLS or I/O."""

    code: ClassVar[str] = "TAAP_TRANSPORT"


class ConfigError(TaapError):
    """An option or argument is out of range or inconsistent."""

    code: ClassVar[str] = "TAAP_CONFIG"
