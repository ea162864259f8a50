//! Building and decoding PoP tokens.

use crate::error::FfiResult;
use crate::signer::FfiSigner;

/// One (name, value) pair: an ehts entry, a header, or a value to validate against.
#[derive(uniffi::Record)]
pub struct FfiEntry {
    /// The ehts or header name.
    pub name: String,
    /// Its value as sent.
    pub value: String,
}

/// Per-token options; `ttl_secs` has the core's range check.
#[derive(uniffi::Record)]
pub struct FfiBuildOptions {
    /// Validity in seconds.
    pub ttl_secs: i64,
    /// Fixed issued-at (tests); `None` reads the clock.
    pub iat: Option<i64>,
    /// Fixed token id (tests); `None` draws a fresh UUID v4.
    pub jti: Option<String>,
}

impl From<FfiBuildOptions> for taap::token::BuildOptions {
    fn from(options: FfiBuildOptions) -> Self {
        taap::token::BuildOptions { ttl_secs: options.ttl_secs, iat: options.iat, jti: options.jti }
    }
}

/// The pairs as the core's iterators take them.
pub fn pairs(entries: &[FfiEntry]) -> impl Iterator<Item = (&str, &str)> {
    entries.iter().map(|entry| (entry.name.as_str(), entry.value.as_str()))
}

/// Signs ordered ehts.
#[uniffi::export]
pub fn pop_token_build(key: &FfiSigner, ehts: Vec<FfiEntry>, options: FfiBuildOptions) -> FfiResult<String> {
    Ok(taap::PopToken::build_with(&*key.inner, pairs(&ehts), &options.into())?)
}

/// Signs one HTTP request: every given header, `uri`, `http-method` and `body`.
#[uniffi::export]
pub fn pop_token_for_request(
    key: &FfiSigner,
    method: String,
    url: String,
    headers: Vec<FfiEntry>,
    body: Vec<u8>,
    options: FfiBuildOptions,
) -> FfiResult<String> {
    Ok(taap::PopToken::for_request_with(&*key.inner, &method, &url, pairs(&headers), &body, &options.into())?)
}

/// A decoded token's header and claims.
#[derive(uniffi::Record)]
pub struct FfiDecoded {
    /// Header `alg`.
    pub alg: String,
    /// Header `typ`, when present.
    pub typ: Option<String>,
    /// Claim `edts`.
    pub edts: String,
    /// Claim `v`.
    pub v: String,
    /// Claim `exp`, epoch seconds.
    pub exp: i64,
    /// Claim `ehts`, split into names.
    pub ehts: Vec<String>,
    /// Claim `iat`, epoch seconds.
    pub iat: i64,
    /// Claim `jti`.
    pub jti: String,
    /// The token text.
    pub token: String,
}

impl From<taap::PopToken> for FfiDecoded {
    fn from(token: taap::PopToken) -> Self {
        let header = token.header().clone();
        let claims = token.claims().clone();
        FfiDecoded {
            alg: header.alg,
            typ: header.typ,
            edts: claims.edts,
            v: claims.v,
            exp: claims.exp,
            ehts: claims.ehts,
            iat: claims.iat,
            jti: claims.jti,
            token: token.as_str().to_owned(),
        }
    }
}

/// Decodes a token's header and claims without verifying it.
#[uniffi::export]
pub fn pop_token_decode(token: String) -> FfiResult<FfiDecoded> {
    Ok(taap::PopToken::decode(&token)?.into())
}

/// The core's default PoP validity in seconds, so the Kotlin default is the core's.
#[uniffi::export]
pub fn default_ttl_secs() -> i64 {
    taap::token::DEFAULT_TTL_SECS
}
