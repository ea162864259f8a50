//! The one error taxonomy every binding maps to its own idiom.

#[macro_use]
mod kind;

pub use kind::ErrorKind;

#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// Result type of every fallible taap operation.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in taap, one variant per error kind of the design contract.
///
/// Messages say what was wrong and what to do; they never contain key material, passwords,
/// client secrets or access tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[doc = kind_description!(InvalidKey)]
    #[error("invalid key: {0}")]
    InvalidKey(String),
    #[doc = kind_description!(KeyDecrypt)]
    #[error("cannot decrypt the private key: {0}")]
    KeyDecrypt(String),
    #[doc = kind_description!(InvalidEhts)]
    #[error("invalid ehts: {0}")]
    InvalidEhts(String),
    #[doc = kind_description!(InvalidToken)]
    #[error("invalid PoP token: {0}")]
    InvalidToken(String),
    #[doc = kind_description!(TokenExpired)]
    #[error("PoP token expired: {0}")]
    TokenExpired(String),
    #[doc = kind_description!(TokenTooOld)]
    #[error("PoP token too old: {0}")]
    TokenTooOld(String),
    #[doc = kind_description!(SignatureInvalid)]
    #[error("PoP token signature invalid: {0}")]
    SignatureInvalid(String),
    #[doc = kind_description!(EdtsMismatch)]
    #[error("edts mismatch: {0}")]
    EdtsMismatch(String),
    #[doc = kind_description!(MissingEhtsValue)]
    #[error("missing ehts value: {0}")]
    MissingEhtsValue(String),
    #[doc = kind_description!(Replay)]
    #[error("replayed PoP token: {0}")]
    Replay(String),
    #[doc = kind_description!(OAuth)]
    #[error("OAuth server answered HTTP {status}: {message}")]
    OAuth {
        /// HTTP status code of the server's answer.
        status: u16,
        /// What the server said, without any secret.
        message: String,
        /// The answer as the server sent it, for a proxy that passes a refusal on unchanged.
        answer: ServerAnswer,
    },
    #[doc = kind_description!(Transport)]
    #[error("transport error: {0}")]
    Transport(String),
    #[doc = kind_description!(Config)]
    #[error("invalid configuration: {0}")]
    Config(String),
    #[doc = kind_description!(KeySourceUnavailable)]
    #[error("key source unavailable: {0}")]
    KeySourceUnavailable(String),
}

/// A server's answer as received: empty when taap itself found a successful answer unusable.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ServerAnswer {
    /// The `Content-Type` the server gave, if any.
    pub content_type: Option<String>,
    /// The body, bounded by the client's `max_response_bytes`.
    pub body: Vec<u8>,
}

impl core::fmt::Debug for ServerAnswer {
    // A server may echo what it was sent, so dumps show the body's size, not its bytes.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerAnswer")
            .field("content_type", &self.content_type)
            .field("body_bytes", &self.body.len())
            .finish()
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
            Error::KeySourceUnavailable(_) => ErrorKind::KeySourceUnavailable,
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
    fn oauth_error_carries_status() {
        let error =
            Error::OAuth { status: 401, message: "bad credentials".into(), answer: ServerAnswer::default() };
        assert_eq!(error.kind(), ErrorKind::OAuth);
        assert_eq!(error.http_status(), Some(401));
        assert_eq!(error.to_string(), "OAuth server answered HTTP 401: bad credentials");
    }
}
