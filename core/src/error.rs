//! The one error taxonomy every binding maps to its own idiom.

use std::fmt;

/// Result type of every fallible taap operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in taap, one variant per error kind of the design contract.
///
/// Messages say what was wrong and what to do; they never contain key material, passwords,
/// client secrets or access tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The key could not be parsed, is not RSA, or is outside 2048..=8192 bits.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// The key is encrypted and the password is missing or wrong.
    #[error("cannot decrypt the private key: {0}")]
    KeyDecrypt(String),
    /// The ehts entries break a rule (empty, over 100 entries, blank/duplicate name, `;` in a name).
    #[error("invalid ehts: {0}")]
    InvalidEhts(String),
    /// The token is not a well-formed RS256 PoP token.
    #[error("invalid PoP token: {0}")]
    InvalidToken(String),
    /// The token's `exp` lies in the past, beyond the leeway.
    #[error("PoP token expired: {0}")]
    TokenExpired(String),
    /// The token's `iat` is older than the validator's maximum age.
    #[error("PoP token too old: {0}")]
    TokenTooOld(String),
    /// The RS256 signature does not verify with the given public key.
    #[error("PoP token signature invalid: {0}")]
    SignatureInvalid(String),
    /// The `edts` hash does not match the request's values.
    #[error("edts mismatch: {0}")]
    EdtsMismatch(String),
    /// The token signs a name the caller supplied no value for.
    #[error("missing ehts value: {0}")]
    MissingEhtsValue(String),
    /// The token's `jti` was seen before.
    #[error("replayed PoP token: {0}")]
    Replay(String),
    /// The OAuth server answered with an error.
    #[error("OAuth server answered HTTP {status}: {message}")]
    OAuth {
        /// HTTP status code of the server's answer.
        status: u16,
        /// What the server said, without any secret.
        message: String,
    },
    /// The HTTP exchange failed (connection, timeout, TLS, I/O).
    #[error("transport error: {0}")]
    Transport(String),
    /// An option or argument is out of range or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// The stable, binding-independent name of each error kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::InvalidKey`].
    InvalidKey,
    /// See [`Error::KeyDecrypt`].
    KeyDecrypt,
    /// See [`Error::InvalidEhts`].
    InvalidEhts,
    /// See [`Error::InvalidToken`].
    InvalidToken,
    /// See [`Error::TokenExpired`].
    TokenExpired,
    /// See [`Error::TokenTooOld`].
    TokenTooOld,
    /// See [`Error::SignatureInvalid`].
    SignatureInvalid,
    /// See [`Error::EdtsMismatch`].
    EdtsMismatch,
    /// See [`Error::MissingEhtsValue`].
    MissingEhtsValue,
    /// See [`Error::Replay`].
    Replay,
    /// See [`Error::OAuth`].
    OAuth,
    /// See [`Error::Transport`].
    Transport,
    /// See [`Error::Config`].
    Config,
}

impl ErrorKind {
    /// Every kind, in the order of the design contract (bindings number C statuses by it).
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidKey,
        ErrorKind::KeyDecrypt,
        ErrorKind::InvalidEhts,
        ErrorKind::InvalidToken,
        ErrorKind::TokenExpired,
        ErrorKind::TokenTooOld,
        ErrorKind::SignatureInvalid,
        ErrorKind::EdtsMismatch,
        ErrorKind::MissingEhtsValue,
        ErrorKind::Replay,
        ErrorKind::OAuth,
        ErrorKind::Transport,
        ErrorKind::Config,
    ];

    /// The kind's name, e.g. `"TokenExpired"` (Python exception classes add `Error`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidKey => "InvalidKey",
            ErrorKind::KeyDecrypt => "KeyDecrypt",
            ErrorKind::InvalidEhts => "InvalidEhts",
            ErrorKind::InvalidToken => "InvalidToken",
            ErrorKind::TokenExpired => "TokenExpired",
            ErrorKind::TokenTooOld => "TokenTooOld",
            ErrorKind::SignatureInvalid => "SignatureInvalid",
            ErrorKind::EdtsMismatch => "EdtsMismatch",
            ErrorKind::MissingEhtsValue => "MissingEhtsValue",
            ErrorKind::Replay => "Replay",
            ErrorKind::OAuth => "OAuth",
            ErrorKind::Transport => "Transport",
            ErrorKind::Config => "Config",
        }
    }

    /// The kind's code, e.g. `"TAAP_TOKEN_EXPIRED"` (JS `error.code`, C status name).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidKey => "TAAP_INVALID_KEY",
            ErrorKind::KeyDecrypt => "TAAP_KEY_DECRYPT",
            ErrorKind::InvalidEhts => "TAAP_INVALID_EHTS",
            ErrorKind::InvalidToken => "TAAP_INVALID_TOKEN",
            ErrorKind::TokenExpired => "TAAP_TOKEN_EXPIRED",
            ErrorKind::TokenTooOld => "TAAP_TOKEN_TOO_OLD",
            ErrorKind::SignatureInvalid => "TAAP_SIGNATURE_INVALID",
            ErrorKind::EdtsMismatch => "TAAP_EDTS_MISMATCH",
            ErrorKind::MissingEhtsValue => "TAAP_MISSING_EHTS_VALUE",
            ErrorKind::Replay => "TAAP_REPLAY",
            ErrorKind::OAuth => "TAAP_OAUTH",
            ErrorKind::Transport => "TAAP_TRANSPORT",
            ErrorKind::Config => "TAAP_CONFIG",
        }
    }

    /// Looks a kind up by its name (`"TokenExpired"`) or code (`"TAAP_TOKEN_EXPIRED"`).
    pub fn parse(text: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.name() == text || kind.code() == text)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Untrusted text (a claim, a header, a cipher name) as a message may quote it: escaped, and at
/// most `max_chars` characters, so that a hostile input cannot make a message unbounded.
pub(crate) fn shorten(text: &str, max_chars: usize) -> String {
    let mut shown: String = text.chars().take(max_chars).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

impl Error {
    /// The error's kind, stable across versions and bindings.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidKey(_) => ErrorKind::InvalidKey,
            Error::KeyDecrypt(_) => ErrorKind::KeyDecrypt,
            Error::InvalidEhts(_) => ErrorKind::InvalidEhts,
            Error::InvalidToken(_) => ErrorKind::InvalidToken,
            Error::TokenExpired(_) => ErrorKind::TokenExpired,
            Error::TokenTooOld(_) => ErrorKind::TokenTooOld,
            Error::SignatureInvalid(_) => ErrorKind::SignatureInvalid,
            Error::EdtsMismatch(_) => ErrorKind::EdtsMismatch,
            Error::MissingEhtsValue(_) => ErrorKind::MissingEhtsValue,
            Error::Replay(_) => ErrorKind::Replay,
            Error::OAuth { .. } => ErrorKind::OAuth,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Config(_) => ErrorKind::Config,
        }
    }

    /// The error's code, e.g. `"TAAP_TOKEN_EXPIRED"`.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The HTTP status an [`Error::OAuth`] carries; `None` for every other kind.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::OAuth { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_round_trip() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::parse(kind.name()), Some(kind));
            assert_eq!(ErrorKind::parse(kind.code()), Some(kind));
            assert!(kind.code().starts_with("TAAP_"));
        }
        assert_eq!(ErrorKind::parse("Nope"), None);
    }

    #[test]
    fn oauth_error_carries_status() {
        let error = Error::OAuth { status: 401, message: "bad credentials".into() };
        assert_eq!(error.kind(), ErrorKind::OAuth);
        assert_eq!(error.http_status(), Some(401));
        assert_eq!(error.to_string(), "OAuth server answered HTTP 401: bad credentials");
    }
}
