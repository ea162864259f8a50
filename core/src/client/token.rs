//! The access token the OAuth server issues, and how its JSON answer is read.

use std::fmt;
use std::time::{Duration, Instant};

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::error::{Error, Result, ServerAnswer};

/// Longest lifetime believed from a server (a year); larger values are clamped.
const MAX_EXPIRES_IN: u64 = 365 * 24 * 3600;

/// An OAuth 2.0 access token with what the server said about it.
///
/// The token values are zeroised when dropped and never shown by `Debug`.
#[derive(Clone)]
pub struct AccessToken {
    value: Zeroizing<String>,
    id_token: Option<Zeroizing<String>>,
    expires_in: u64,
    scope: Option<String>,
    status: Option<String>,
    token_type: Option<String>,
    received_at: Instant,
    response: Zeroizing<String>,
}

impl AccessToken {
    /// The token, for the `Authorization: Bearer` header.
    pub fn secret(&self) -> &str {
        &self.value
    }

    /// The OpenID Connect id token, when the server sent one.
    pub fn id_token(&self) -> Option<&str> {
        self.id_token.as_deref().map(String::as_str)
    }

    /// Lifetime in seconds as the server gave it (`expires_in`).
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// Seconds of validity left now.
    pub fn remaining(&self) -> Duration {
        self.expires_at().saturating_duration_since(Instant::now())
    }

    /// When the token expires, on the monotonic clock (immune to wall-clock jumps).
    pub fn expires_at(&self) -> Instant {
        self.received_at + Duration::from_secs(self.expires_in)
    }

    /// The granted scope, when the server sent one.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The `status` member of the answer (T-Mobile sends `"success"`), when present.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// The `token_type` member, when present.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// When the answer arrived, on the monotonic clock.
    pub(crate) fn received_at(&self) -> Instant {
        self.received_at
    }

    /// The server's JSON answer, verbatim (it holds the token: treat it as a secret).
    pub fn response_json(&self) -> &str {
        &self.response
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("id_token", &self.id_token.as_ref().map(|_| "<redacted>"))
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("status", &self.status)
            .field("token_type", &self.token_type)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct RawTokenResponse {
    // Plain Strings moved (not copied) into Zeroizing below, so one buffer holds each token.
    access_token: Option<String>,
    id_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    scope: Option<serde_json::Value>,
    status: Option<serde_json::Value>,
    token_type: Option<String>,
}

/// Reads a 2xx token answer; anything unusable is an `OAuth` error with the HTTP status.
pub(crate) fn parse_token_response(status: u16, body: Vec<u8>, received_at: Instant) -> Result<AccessToken> {
    let body = Zeroizing::new(body);
    // The answer is not kept: a 2xx body may hold an access token.
    let malformed = |what: &str| Error::OAuth {
        status,
        message: format!("the token response is not usable: {what}"),
        answer: ServerAnswer::default(),
    };
    let text = std::str::from_utf8(&body).map_err(|_| malformed("it is not UTF-8"))?;
    // serde_json's messages quote only positions and types, never the input.
    let raw: RawTokenResponse = serde_json::from_str(text)
        .map_err(|error| malformed(&format!("it is not a JSON object ({error})")))?;
    let value = raw
        .access_token
        .map(Zeroizing::new)
        .filter(|token| !token.trim().is_empty())
        .ok_or_else(|| malformed("it has no access_token"))?;
    if value.chars().any(|c| c.is_control() || c == ' ') {
        return Err(malformed("access_token holds spaces or control characters"));
    }
    let expires_in = match raw.expires_in {
        Some(value) => parse_expires_in(&value)
            .ok_or_else(|| malformed("expires_in is not a non-negative number of seconds"))?,
        None => return Err(malformed("it has no expires_in")),
    };
    Ok(AccessToken {
        value,
        id_token: raw.id_token.map(Zeroizing::new),
        expires_in,
        scope: raw.scope.as_ref().and_then(plain_text),
        status: raw.status.as_ref().and_then(plain_text),
        token_type: raw.token_type,
        received_at,
        response: Zeroizing::new(text.to_owned()),
    })
}

/// `expires_in` as T-Mobile sends it (`"3599"`) or as RFC 6749 does (`3599`).
fn parse_expires_in(value: &serde_json::Value) -> Option<u64> {
    let seconds = match value {
        serde_json::Value::Number(number) => number.as_u64(),
        serde_json::Value::String(text) => text.trim().parse::<u64>().ok(),
        _ => None,
    }?;
    Some(seconds.min(MAX_EXPIRES_IN))
}

fn plain_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<AccessToken> {
        parse_token_response(200, body.as_bytes().to_vec(), Instant::now())
    }

    #[test]
    fn expires_in_may_be_a_string_or_a_number() {
        let token =
            parse(r#"{"access_token":"abc","expires_in":"3599","scope":"s","status":"success"}"#).unwrap();
        assert_eq!((token.secret(), token.expires_in(), token.scope()), ("abc", 3599, Some("s")));
        assert_eq!(token.status(), Some("success"));
        assert_eq!(parse(r#"{"access_token":"abc","expires_in":60}"#).unwrap().expires_in(), 60);
    }

    #[test]
    fn unusable_answers_are_oauth_errors_with_the_status() {
        let cases = [
            ("{", "it is not a JSON object"),
            ("[]", "it is not a JSON object"),
            (r#"{"expires_in":"1"}"#, "it has no access_token"),
            (r#"{"access_token":"a b","expires_in":"1"}"#, "access_token holds spaces"),
            (r#"{"access_token":"a"}"#, "it has no expires_in"),
            (r#"{"access_token":"a","expires_in":"-5"}"#, "expires_in is not"),
            (r#"{"access_token":"a","expires_in":true}"#, "expires_in is not"),
        ];
        for (body, expected) in cases {
            match parse(body) {
                Err(Error::OAuth { status: 200, message, .. }) => {
                    assert!(message.contains(expected), "{body}: {message}")
                }
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn debug_redacts_both_tokens() {
        let token =
            parse(r#"{"access_token":"s3cr3t-value","id_token":"id-s3cr3t","expires_in":"10"}"#).unwrap();
        let shown = format!("{token:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("expires_in: 10"), "{shown}");
    }
}
