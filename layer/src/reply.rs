//! The answers a real gateway gives when it refuses a request: status, JSON body, challenge.
//! One shape for [`PopLayer`](crate::PopLayer) and for `taap serve`'s routes:
//! `{"error": <RFC 6749/6750 code>, "error_description": …}`, plus `"kind"` (the taap
//! error kind, e.g. `Replay`) when a PoP token was refused.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use taap::ErrorKind;

/// Longest `error_description` sent: a core message can quote a hostile token's claim whole,
/// and a refusal must not echo a 64 KiB header back (or into whatever logs the answers).
pub const MAX_DESCRIPTION_CHARS: usize = 256;

/// `text`, cut to [`MAX_DESCRIPTION_CHARS`] characters with a trailing `…` when longer.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(MAX_DESCRIPTION_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A refusal: RFC 6749/6750 `error` code, a description, and the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status.
    pub status: StatusCode,
    /// Machine-readable code, e.g. `invalid_client`.
    pub error: &'static str,
    /// What was wrong, for people; never a secret.
    pub description: String,
    /// `WWW-Authenticate` scheme for 401s (`Basic` on the token endpoint, `Bearer` on APIs).
    pub challenge: Option<&'static str>,
    /// The taap error kind, when the core refused a PoP token.
    pub kind: Option<ErrorKind>,
}

impl Refusal {
    /// 400: the request is malformed.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description: description.into(),
            challenge: None,
            kind: None,
        }
    }

    /// 401 on the token endpoint: unknown client or wrong secret.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: description.into(),
            challenge: Some("Basic"),
            kind: None,
        }
    }

    /// 401 on an API: the access token is missing, invalid, expired or revoked.
    pub fn invalid_token(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_token",
            description: description.into(),
            challenge: Some("Bearer"),
            kind: None,
        }
    }

    /// 401: the core refused the PoP token (missing, malformed, wrong key, stale, replayed,
    /// not bound to this request); the kind leads the description and has its own field.
    pub fn invalid_pop(error: &taap::Error, challenge: &'static str) -> Self {
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_pop_token",
            description: format!("{}: {error}", error.kind()),
            challenge: Some(challenge),
            kind: Some(error.kind()),
        }
    }

    /// 503: the replay store did not answer in time, so the token could not be checked for
    /// replay and is refused (failing closed); the description names the store.
    pub fn store_unavailable(store: &str, reason: &str) -> Self {
        Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "replay_store_unavailable",
            description: taap::validate::replay_store_unavailable(store, reason),
            challenge: None,
            kind: None,
        }
    }

    /// 503: the client's key source (a JWK set URL) cannot be fetched and no usable copy is
    /// cached, so the token could not be checked and is refused (failing closed); counted
    /// under the core kind `KeySourceUnavailable`, which the body names too.
    pub fn key_source_unavailable(error: &taap::Error) -> Self {
        Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "key_source_unavailable",
            description: format!("{}: {error}", error.kind()),
            challenge: None,
            kind: Some(error.kind()),
        }
    }

    /// 413: the body is larger than the receiver reads.
    pub fn too_large(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            error: "request_too_large",
            description: description.into(),
            challenge: None,
            kind: None,
        }
    }

    /// 403: authenticated, but the token's scope does not cover the resource.
    pub fn insufficient_scope(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::FORBIDDEN,
            error: "insufficient_scope",
            description: description.into(),
            challenge: None,
            kind: None,
        }
    }

    /// 408: the client took too long to send its request.
    pub fn request_timeout(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::REQUEST_TIMEOUT,
            error: "request_timeout",
            description: description.into(),
            challenge: None,
            kind: None,
        }
    }

    /// 404: no such resource.
    pub fn not_found(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::NOT_FOUND,
            error: "not_found",
            description: description.into(),
            challenge: None,
            kind: None,
        }
    }

    /// 403: understood and refused (e.g. an admin request without the header proving it is
    /// not a cross-origin page's).
    pub fn forbidden(description: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::FORBIDDEN,
            error: "forbidden",
            description: description.into(),
            challenge: None,
            kind: None,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let description = shortened(&self.description);
        let mut body = json!({ "error": self.error, "error_description": description });
        if let Some(kind) = self.kind {
            body["kind"] = kind.name().into();
        }
        let body = Json(body);
        let mut response = (self.status, body).into_response();
        if let Some(scheme) = self.challenge {
            let value = format!("{scheme} realm=\"taap\", error=\"{}\"", self.error);
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_descriptions_are_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_DESCRIPTION_CHARS + 1);
        let cut = shortened(&long);
        assert_eq!(cut.chars().count(), MAX_DESCRIPTION_CHARS + 1);
        assert_eq!(cut, format!("{}…", "é".repeat(MAX_DESCRIPTION_CHARS)));
        let exact = "a".repeat(MAX_DESCRIPTION_CHARS);
        assert_eq!(shortened(&exact), exact);
    }
}
