//! `Taap\PopToken` (build, forRequest, decode, explain, requestUri) and `Taap\DecodedPopToken`.

use ext_php_rs::binary::Binary;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::convert::{build_options, pairs, text};
use crate::errors::guard;
use crate::explain::explanation_array;
use crate::keys::PublicKey;
use crate::signer::signing_key;

/// Builds and decodes PoP tokens; every method is static.
#[php_class]
#[php(name = "Taap\\PopToken")]
pub struct PopToken;

#[php_impl]
impl PopToken {
    /// A PoP token over ordered ehts (associative array or list of `[name, value]` pairs);
    /// options `ttl` (seconds, default 120), `iat` and `jti` (fixed values for tests).
    /// `key` is a `Taap\PrivateKey` or a `Taap\Signer`.
    pub fn build(key: &Zval, ehts: &ZendHashTable, options: Option<&ZendHashTable>) -> PhpResult<String> {
        let key = signing_key(key, "Taap\\PopToken::build", 1)?;
        guard(|| {
            let options = build_options(options)?;
            taap::PopToken::build_with(&key, pairs(ehts, "ehts")?, &options)
        })
    }

    /// A PoP token for one HTTP request: every given header, then `uri`, `http-method` and
    /// `body` (for the docs' header selection use `SignPolicy::sign`); `key` is a
    /// `Taap\PrivateKey` or a `Taap\Signer`.
    pub fn for_request(
        key: &Zval,
        method: &str,
        url: &str,
        headers: Option<&ZendHashTable>,
        body: Option<BinarySlice<u8>>,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<String> {
        let key = signing_key(key, "Taap\\PopToken::forRequest", 1)?;
        guard(|| {
            let options = build_options(options)?;
            let headers = headers.map(|headers| pairs(headers, "headers")).transpose()?.unwrap_or_default();
            let body = body.as_deref().copied().unwrap_or_default();
            taap::PopToken::for_request_with(&key, method, url, headers, body, &options)
        })
    }

    /// Decodes a token without verifying it (for logs and debugging).
    pub fn decode(token: &Zval) -> PhpResult<DecodedPopToken> {
        guard(|| taap::PopToken::decode(&token_text(token)?).map(|inner| DecodedPopToken { inner }))
    }

    /// Why a gateway would accept or refuse `token` for the request as sent: the array
    /// `taap doctor --json` prints (values masked), the signature checked with `public_key`,
    /// times judged at `now` (epoch seconds; the system clock by default).
    #[allow(clippy::too_many_arguments)]
    pub fn explain(
        token: &Zval,
        method: &str,
        url: &str,
        headers: Option<&ZendHashTable>,
        body: Option<BinarySlice<u8>>,
        public_key: Option<&PublicKey>,
        now: Option<i64>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let explanation = guard(|| {
            let request =
                explain_request(method, url, headers, body.as_deref().copied().unwrap_or_default())?;
            let options =
                taap::diagnose::ExplainOptions { public_key: public_key.map(|key| &key.inner), now };
            taap::diagnose::explain(&token_text(token)?, &request, &options)
        })?;
        Ok(explanation_array(explanation)?)
    }

    /// The `uri` value a token signs for `url` (a URL or a path): the path plus the
    /// percent-decoded query, as bytes.
    pub fn request_uri(url: &str) -> PhpResult<Binary<u8>> {
        guard(|| taap::request::request_uri(url).map(Binary::from))
    }
}

/// The request as sent, for `explain`: headers in their order, the exact body.
fn explain_request(
    method: &str,
    url: &str,
    headers: Option<&ZendHashTable>,
    body: &[u8],
) -> taap::Result<taap::diagnose::ExplainRequest> {
    let mut request = taap::diagnose::ExplainRequest::new(method, url).body(body);
    for (name, value) in headers.map(|headers| pairs(headers, "headers")).transpose()?.unwrap_or_default() {
        request = request.header(name, value);
    }
    Ok(request)
}

/// A token argument as text; bytes that are not UTF-8 cannot be a token.
fn token_text(token: &Zval) -> taap::Result<std::borrow::Cow<'_, str>> {
    text(token, "the token").map_err(|_| taap::Error::InvalidToken("the token is not UTF-8 text".into()))
}

/// A decoded PoP token: its header and claims (not proof that it is valid unless a
/// validator returned it).
#[php_class]
#[php(name = "Taap\\DecodedPopToken")]
pub struct DecodedPopToken {
    /// The decoded token.
    pub inner: taap::PopToken,
}

#[php_impl]
impl DecodedPopToken {
    /// The claims in token order: edts, v, exp, ehts (list of names), iat, jti.
    pub fn claims(&self) -> PhpResult<ZBox<ZendHashTable>> {
        let claims = self.inner.claims();
        let mut array = ZendHashTable::new();
        array.insert("edts", claims.edts.as_str())?;
        array.insert("v", claims.v.as_str())?;
        array.insert("exp", claims.exp)?;
        array.insert("ehts", claims.ehts.clone())?;
        array.insert("iat", claims.iat)?;
        array.insert("jti", claims.jti.as_str())?;
        Ok(array)
    }

    /// The JOSE header: `alg` and, when present, `typ`.
    pub fn header(&self) -> PhpResult<ZBox<ZendHashTable>> {
        let header = self.inner.header();
        let mut array = ZendHashTable::new();
        array.insert("alg", header.alg.as_str())?;
        if let Some(typ) = &header.typ {
            array.insert("typ", typ.as_str())?;
        }
        Ok(array)
    }

    /// Seconds until `exp` as of `now` (epoch seconds; the system clock by default).
    pub fn expires_in(&self, now: Option<i64>) -> i64 {
        self.inner.expires_in(now.unwrap_or_else(taap::now_unix))
    }

    /// The compact token text.
    pub fn token(&self) -> String {
        self.inner.as_str().to_owned()
    }
}
