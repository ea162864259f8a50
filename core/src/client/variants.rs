//! The variants integrations meet, as configuration: the token request body, placeholders
//! in configured values, and requests shown with their secrets masked (`--dry-run`).

use std::fmt;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::explain::mask_secret;

/// Placeholder for the client id in configured values.
pub const CLIENT_ID_PLACEHOLDER: &str = "{client_id}";
/// Placeholder for the client's public key (SPKI PEM) in configured values.
pub const PUBLIC_KEY_PEM_PLACEHOLDER: &str = "{public_key_pem}";

/// What a masked secret is shown as (the same text [`mask_secret`] writes).
const MASK: &str = "****";

/// How the configured JSON members shape the token request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenBody {
    /// Members added to the flavour's body (v2: none, v6: the docs' members); a member the
    /// flavour has keeps its place and takes the new value.
    Merge(Map<String, Value>),
    /// The body is exactly these members, whatever the flavour.
    Replace(Map<String, Value>),
}

impl TokenBody {
    /// The members, whichever way they apply.
    pub fn members(&self) -> &Map<String, Value> {
        match self {
            TokenBody::Merge(members) | TokenBody::Replace(members) => members,
        }
    }
}

/// The values placeholders stand for.
pub(crate) struct Placeholders<'a> {
    pub client_id: &'a str,
    pub public_key_pem: &'a str,
}

impl Placeholders<'_> {
    /// `value` with `{client_id}` and `{public_key_pem}` replaced in every string inside it.
    pub fn expand(&self, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(
                text.replace(CLIENT_ID_PLACEHOLDER, self.client_id)
                    .replace(PUBLIC_KEY_PEM_PLACEHOLDER, self.public_key_pem),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|item| self.expand(item)).collect()),
            Value::Object(members) => {
                Value::Object(members.iter().map(|(name, item)| (name.clone(), self.expand(item))).collect())
            }
            other => other.clone(),
        }
    }

    /// Every member's value expanded, order kept.
    pub fn expand_members(&self, members: &[(String, Value)]) -> Vec<(String, Value)> {
        members.iter().map(|(name, value)| (name.clone(), self.expand(value))).collect()
    }
}

/// `Bearer ****`: the access token's place in a prepared API call.
pub(crate) fn masked_bearer() -> String {
    format!("Bearer {MASK}")
}

/// The token request body: the flavour's `base` (empty for v2) shaped by `body`.
pub(crate) fn shaped_body(
    base: Zeroizing<Vec<u8>>,
    body: Option<&TokenBody>,
    placeholders: &Placeholders<'_>,
) -> Zeroizing<Vec<u8>> {
    let Some(body) = body else { return base };
    let mut members = match body {
        TokenBody::Merge(_) if !base.is_empty() => {
            serde_json::from_slice::<Map<String, Value>>(&base).expect("the flavour's body is a JSON object")
        }
        _ => Map::new(),
    };
    for (name, value) in body.members() {
        members.insert(name.clone(), placeholders.expand(value));
    }
    if members.is_empty() {
        return Zeroizing::new(Vec::new());
    }
    Zeroizing::new(serde_json::to_vec(&members).expect("JSON members always serialise"))
}

/// Checks the default headers: names a PoP token can sign, values without line breaks, and
/// none of the headers the client sets itself.
pub(crate) fn check_default_headers(headers: &[(String, String)], reserved: &[&str]) -> Result<()> {
    for (name, value) in headers {
        crate::ehts::check_name(0, name).map_err(|_| {
            Error::Config(format!("headers: {:?} is not a header name", crate::error::shorten(name, 64)))
        })?;
        if reserved.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            return Err(Error::Config(format!("headers: {name} is set by the client itself")));
        }
        if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
            return Err(Error::Config(format!("headers: the value of {name} holds a line break")));
        }
    }
    Ok(())
}

/// A request the client would send, built but not sent; `Display` shows it with every
/// secret masked, `Debug` too.
pub struct PreparedRequest {
    /// The upper-case method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The headers in sending order, values as they would be sent (secrets included).
    pub headers: Vec<(String, Zeroizing<String>)>,
    /// The exact body.
    pub body: Zeroizing<Vec<u8>>,
    /// Values that must never be shown (the client secret).
    pub(crate) secrets: Vec<Zeroizing<String>>,
}

impl PreparedRequest {
    /// The request as text, secrets masked: `METHOD URL`, one `Name: value` line per header,
    /// a blank line, then the body (when there is one).
    pub fn masked(&self) -> String {
        mask_request(&self.method, &self.url, &self.headers, &self.body, &self.secrets)
    }
}

impl fmt::Display for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequest").field("masked", &self.masked()).finish()
    }
}

/// A request as text with its secrets masked: each header and the body through the core's one
/// masking rule ([`mask_secret`]: `Basic ****`, `Bearer ****`, credential-named headers and
/// JSON/form members), and any occurrence of a known secret (also JSON-escaped) as `****`.
pub fn mask_request<S: AsRef<str>>(
    method: &str,
    url: &str,
    headers: &[(String, Zeroizing<String>)],
    body: &[u8],
    secrets: &[S],
) -> String {
    let mut text = format!("{method} {}\n", mask_secrets(&mask_secret("uri", url), secrets));
    for (name, value) in headers {
        text.push_str(&format!("{name}: {}\n", mask_secrets(&mask_secret(name, value), secrets)));
    }
    text.push('\n');
    if !body.is_empty() {
        match std::str::from_utf8(body) {
            Ok(body) => text.push_str(&mask_secrets(&mask_secret("body", body), secrets)),
            Err(_) => text.push_str(&format!("<{} bytes, not UTF-8>", body.len())),
        }
        text.push('\n');
    }
    text
}

fn mask_secrets<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut masked = text.to_owned();
    for secret in secrets.iter().map(AsRef::as_ref).filter(|secret| !secret.is_empty()) {
        let escaped = serde_json::to_string(secret).expect("a string always serialises");
        masked = masked.replace(&escaped[1..escaped.len() - 1], MASK).replace(secret, MASK);
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACEHOLDERS: Placeholders<'static> = Placeholders { client_id: "id-1", public_key_pem: "PEM\n" };

    fn members(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    fn shaped(base: &str, body: Option<TokenBody>) -> String {
        let base = Zeroizing::new(base.as_bytes().to_vec());
        String::from_utf8(shaped_body(base, body.as_ref(), &PLACEHOLDERS).to_vec()).unwrap()
    }

    #[test]
    fn merge_keeps_the_flavours_members_in_place_and_appends_new_ones() {
        let extra = members(r#"{"scope":"s2","cnf":"{public_key_pem}","who":["{client_id}"]}"#);
        assert_eq!(
            shaped(r#"{"client_id":"id-1","scope":"response_mode"}"#, Some(TokenBody::Merge(extra))),
            r#"{"client_id":"id-1","scope":"s2","cnf":"PEM\n","who":["id-1"]}"#
        );
        assert_eq!(shaped("", Some(TokenBody::Merge(members(r#"{"a":1}"#)))), r#"{"a":1}"#);
        assert_eq!(shaped("", Some(TokenBody::Merge(Map::new()))), "");
        assert_eq!(shaped("", None), "");
    }

    #[test]
    fn replace_drops_the_flavours_body() {
        let body = TokenBody::Replace(members(r#"{"grant_type":"client_credentials"}"#));
        assert_eq!(shaped(r#"{"client_id":"x"}"#, Some(body)), r#"{"grant_type":"client_credentials"}"#);
    }

    #[test]
    fn masking_hides_credentials_and_secrets_everywhere() {
        let headers = vec![
            ("Content-Type".to_owned(), Zeroizing::new("application/json".to_owned())),
            ("Authorization".to_owned(), Zeroizing::new("Basic aWQ6cw==".to_owned())),
            ("X-Echo".to_owned(), Zeroizing::new("s\"ecret".to_owned())),
        ];
        let body = br#"{"client_secret":"s\"ecret","note":"s\"ecret"}"#;
        let text = mask_request("POST", "https://h/t?access_token=x", &headers, body, &["s\"ecret"]);
        assert_eq!(
            text,
            "POST https://h/t?access_token=****\nContent-Type: application/json\nAuthorization: Basic ****\n\
             X-Echo: ****\n\n{\"client_secret\":\"****\",\"note\":\"****\"}\n"
        );
        let bare = vec![("X-Authorization".to_owned(), Zeroizing::new("eyJ.x.y".to_owned()))];
        assert_eq!(
            mask_request::<&str>("GET", "/", &bare, b"\xff", &[]),
            "GET /\nX-Authorization: ****\n\n<1 bytes, not UTF-8>\n"
        );
    }

    #[test]
    fn default_headers_are_checked() {
        let check = |name: &str, value: &str| {
            check_default_headers(&[(name.into(), value.into())], &["Authorization"])
        };
        assert!(check("X-Partner-Id", "P-1").is_ok());
        assert_eq!(
            check("a;b", "1").unwrap_err().to_string(),
            "invalid configuration: headers: \"a;b\" is not a header name"
        );
        assert_eq!(
            check("authorization", "1").unwrap_err().to_string(),
            "invalid configuration: headers: authorization is set by the client itself"
        );
        assert_eq!(
            check("X-A", "1\r\n").unwrap_err().to_string(),
            "invalid configuration: headers: the value of X-A holds a line break"
        );
    }
}
