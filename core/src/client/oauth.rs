//! TAAP step 2 on the wire: the token request of each flavour, and reading error answers.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use zeroize::Zeroizing;

use super::config::{ClientSecret, TokenFlavor};
use super::http::Response;

/// The `Content-Type` every TAAP request carries.
pub(crate) const JSON: &str = "application/json";
/// Longest server message kept in an error.
const MAX_MESSAGE_CHARS: usize = 300;

/// `Basic base64(client_id:client_secret)`.
pub(crate) fn basic_authorization(client_id: &str, secret: &ClientSecret) -> Zeroizing<String> {
    let joined = Zeroizing::new(format!("{client_id}:{}", secret.expose()));
    Zeroizing::new(format!("Basic {}", STANDARD.encode(joined.as_bytes())))
}

#[derive(Serialize)]
struct V6Body<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    scope: &'a str,
    #[serde(rename = "grant-type")]
    grant_type: &'a str,
    #[serde(rename = "storeId", skip_serializing_if = "Option::is_none")]
    store_id: Option<&'a str>,
    #[serde(rename = "dealerCode", skip_serializing_if = "Option::is_none")]
    dealer_code: Option<&'a str>,
}

/// The token request body: empty for v2; for v6 the compact JSON in the docs' member order.
pub(crate) fn token_body(
    flavor: TokenFlavor,
    client_id: &str,
    secret: &ClientSecret,
    store_id: Option<&str>,
    dealer_code: Option<&str>,
) -> Zeroizing<Vec<u8>> {
    match flavor {
        TokenFlavor::V2 => Zeroizing::new(Vec::new()),
        TokenFlavor::V6 => {
            let body = V6Body {
                client_id,
                client_secret: secret.expose(),
                scope: "response_mode",
                grant_type: "client_credentials",
                store_id,
                dealer_code,
            };
            Zeroizing::new(serde_json::to_vec(&body).expect("string members always serialise"))
        }
    }
}

/// What the server said went wrong: `error: error_description` (RFC 6749), or `message`,
/// or the start of the body's text; one line, bounded, control characters removed.
pub(crate) fn server_message(response: &Response) -> String {
    let message = json_message(&response.body).unwrap_or_else(|| {
        let text = String::from_utf8_lossy(&response.body);
        text.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("").to_owned()
    });
    let message: String =
        message.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_MESSAGE_CHARS).collect();
    if message.trim().is_empty() {
        "the server gave no reason".into()
    } else {
        message.trim().to_owned()
    }
}

/// The answer kept in [`Error::OAuth`]: what a proxy passes on.
pub(crate) fn server_answer(response: Response) -> crate::error::ServerAnswer {
    let content_type = response.header("content-type").map(str::to_owned);
    crate::error::ServerAnswer { content_type, body: response.body }
}

fn json_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = |key: &str| value.get(key).and_then(serde_json::Value::as_str).filter(|text| !text.is_empty());
    let code = text("error");
    let detail = ["error_description", "message", "userMessage", "systemMessage"].into_iter().find_map(text);
    match (code, detail) {
        (Some(code), Some(detail)) => Some(format!("{code}: {detail}")),
        (code, detail) => code.or(detail).map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_is_base64_of_id_colon_secret() {
        let header = basic_authorization("my-client-id", &ClientSecret::new("my-client-secret"));
        assert_eq!(header.as_str(), "Basic bXktY2xpZW50LWlkOm15LWNsaWVudC1zZWNyZXQ=");
    }

    #[test]
    fn v6_body_matches_the_docs_member_order() {
        let secret = ClientSecret::new("my-client-secret");
        let body = token_body(TokenFlavor::V6, "my-client-id", &secret, None, None);
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"client_id":"my-client-id","client_secret":"my-client-secret","scope":"response_mode","grant-type":"client_credentials"}"#
        );
        let body = token_body(TokenFlavor::V6, "id", &secret, Some("s1"), Some("d2"));
        assert!(std::str::from_utf8(&body).unwrap().ends_with(r#""storeId":"s1","dealerCode":"d2"}"#));
        assert!(token_body(TokenFlavor::V2, "id", &secret, Some("s1"), None).is_empty());
    }

    #[test]
    fn messages_come_from_json_or_text() {
        let answer = |body: &str| Response { status: 401, headers: vec![], body: body.as_bytes().to_vec() };
        assert_eq!(
            server_message(&answer(r#"{"error":"invalid_client","error_description":"bad credentials"}"#)),
            "invalid_client: bad credentials"
        );
        assert_eq!(server_message(&answer(r#"{"message":"slow down"}"#)), "slow down");
        assert_eq!(server_message(&answer("\n  Service Unavailable\r\nmore")), "Service Unavailable");
        assert_eq!(server_message(&answer("")), "the server gave no reason");
        assert_eq!(server_message(&answer(&"x".repeat(1000))).len(), MAX_MESSAGE_CHARS);
    }
}
