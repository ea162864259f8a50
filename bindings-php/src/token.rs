//! `Taap\PopToken` (build, forRequest, decode) and `Taap\DecodedPopToken`.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::convert::{build_options, pairs, text};
use crate::errors::guard;
use crate::keys::PrivateKey;

/// Builds and decodes PoP tokens; every method is static.
#[php_class]
#[php(name = "Taap\\PopToken")]
pub struct PopToken;

#[php_impl]
impl PopToken {
    /// A PoP token over ordered ehts (associative array or list of `[name, value]` pairs);
    /// options `ttl` (seconds, default 120), `iat` and `jti` (fixed values for tests).
    pub fn build(
        key: &PrivateKey,
        ehts: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<String> {
        guard(|| {
            let options = build_options(options)?;
            taap::PopToken::build_with(&key.inner, pairs(ehts, "ehts")?, &options)
        })
    }

    /// A PoP token for one HTTP request: every given header, then `uri`, `http-method` and
    /// `body` (for the docs' header selection use `SignPolicy::sign`).
    pub fn for_request(
        key: &PrivateKey,
        method: &str,
        url: &str,
        headers: Option<&ZendHashTable>,
        body: Option<BinarySlice<u8>>,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<String> {
        guard(|| {
            let options = build_options(options)?;
            let headers = headers.map(|headers| pairs(headers, "headers")).transpose()?.unwrap_or_default();
            let body = body.as_deref().copied().unwrap_or_default();
            taap::PopToken::for_request_with(&key.inner, method, url, headers, body, &options)
        })
    }

    /// Decodes a token without verifying it (for logs and debugging).
    pub fn decode(token: &ext_php_rs::types::Zval) -> PhpResult<DecodedPopToken> {
        guard(|| {
            let token = text(token, "the token")
                .map_err(|_| taap::Error::InvalidToken("the token is not UTF-8 text".into()))?;
            taap::PopToken::decode(&token).map(|inner| DecodedPopToken { inner })
        })
    }
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
