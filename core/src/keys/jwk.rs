//! JSON Web Keys (RFC 7517) for RSA public keys, and RFC 7638 thumbprints.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde_json::Value;

use crate::base64url;
use crate::error::{shorten, Error, Result};
#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// base64url that tolerates the `==` padding T-Mobile's JWKs carry.
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const MAX_JWK_BYTES: usize = 256 * 1024;

/// Extracts `(n, e)` from an RSA JWK or from a JWK set holding exactly one RSA key.
pub(super) fn parse_rsa_jwk(text: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    if text.len() > MAX_JWK_BYTES {
        return Err(Error::InvalidKey("the JWK is too large".into()));
    }
    let value: Value = serde_json::from_str(text).map_err(|error| {
        Error::InvalidKey(format!("the JWK is not valid JSON ({})", shorten(&error.to_string(), 120)))
    })?;
    let key = single_key(&value)?;
    match key.get("kty").and_then(Value::as_str) {
        Some("RSA") => {}
        Some(other) => {
            return Err(Error::InvalidKey(format!(
                "the JWK has kty '{}'; TAAP signs with RS256 and needs an RSA key",
                other.chars().take(16).collect::<String>()
            )))
        }
        None => return Err(Error::InvalidKey("the JWK has no 'kty' member".into())),
    }
    Ok((member_bytes(key, "n")?, member_bytes(key, "e")?))
}

fn single_key(value: &Value) -> Result<&Value> {
    let Some(keys) = value.get("keys") else {
        return if value.is_object() {
            Ok(value)
        } else {
            Err(Error::InvalidKey("the JWK must be a JSON object".into()))
        };
    };
    let rsa_keys: Vec<&Value> = keys
        .as_array()
        .ok_or_else(|| Error::InvalidKey("the JWK set's 'keys' member is not an array".into()))?
        .iter()
        .filter(|key| key.get("kty").and_then(Value::as_str) == Some("RSA"))
        .collect();
    match rsa_keys.as_slice() {
        [only] => Ok(only),
        [] => Err(Error::InvalidKey("the JWK set holds no RSA key".into())),
        many => {
            Err(Error::InvalidKey(format!("the JWK set holds {} RSA keys; pass the one to use", many.len())))
        }
    }
}

fn member_bytes(key: &Value, name: &str) -> Result<Vec<u8>> {
    let text = key
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::InvalidKey(format!("the JWK has no string member '{name}'")))?;
    LENIENT_URL_SAFE
        .decode(text)
        .or_else(|_| STANDARD_NO_PAD.decode(text.trim_end_matches('=')))
        .map_err(|_| Error::InvalidKey(format!("the JWK member '{name}' is not base64url")))
}

/// The public JWK, members in lexical order.
pub(super) fn to_jwk(modulus: &[u8], exponent: &[u8], kid: &str) -> String {
    serde_json::json!({
        "kty": "RSA",
        "n": base64url(modulus),
        "e": base64url(exponent),
        "alg": "RS256",
        "use": "sig",
        "kid": kid,
    })
    .to_string()
}

/// RFC 7638: SHA-256 over the required members in lexical order, base64url.
pub(super) fn thumbprint(modulus: &[u8], exponent: &[u8]) -> String {
    let canonical = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, base64url(exponent), base64url(modulus));
    base64url(&crate::crypto::sha256(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        let jwk = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
        let (n, e) = parse_rsa_jwk(jwk).unwrap();
        assert_eq!(thumbprint(&n, &e), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn non_rsa_and_malformed_jwks_are_invalid_keys() {
        for bad in [
            r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#,
            r#"{"kty":"RSA","n":"!!!","e":"AQAB"}"#,
            r#"{"kty":"RSA","e":"AQAB"}"#,
            r#"{"keys":[]}"#,
            "[1,2]",
            "not json",
        ] {
            assert!(matches!(parse_rsa_jwk(bad), Err(Error::InvalidKey(_))), "{bad}");
        }
    }
}
