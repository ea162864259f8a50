//! Building and decoding PoP tokens: whole in the core here, or through a `SignerHandle`
//! (`signer.rs`) for a signature made in JavaScript (a callback, WebCrypto).

use wasm_bindgen::prelude::wasm_bindgen;

use crate::bytes::{pairs, seconds};
use crate::error::{to_js, Failure};
use crate::keys::PrivateKeyHandle;

/// Ordered ehts the core built and checked: from pairs, from a request, or by a policy.
#[wasm_bindgen]
pub struct EhtsHandle {
    pub(crate) inner: taap::token::Ehts,
}

#[wasm_bindgen]
impl EhtsHandle {
    /// Ordered `(name, value)` pairs (values packed, see `bytes::pairs`).
    #[wasm_bindgen(js_name = fromPairs)]
    pub fn from_pairs(names: Vec<String>, values: &[u8], lengths: &[u32]) -> Result<EhtsHandle, Failure> {
        let inner = taap::token::Ehts::from_pairs(pairs(&names, values, lengths)?).map_err(to_js)?;
        Ok(EhtsHandle { inner })
    }

    /// One HTTP request: every given header, `uri`, `http-method` and `body`.
    #[wasm_bindgen(js_name = forRequest)]
    pub fn for_request(
        method: &str,
        url: &str,
        names: Vec<String>,
        values: &[u8],
        lengths: &[u32],
        body: &[u8],
    ) -> Result<EhtsHandle, Failure> {
        let mut inner =
            taap::token::Ehts::for_request(method, url, pairs(&names, values, lengths)?).map_err(to_js)?;
        inner.push(taap::request::BODY, body).map_err(to_js)?;
        Ok(EhtsHandle { inner })
    }
}

/// `{ ttlSecs, iat, jti }` as JavaScript passes them; absent ones keep the core's defaults.
pub(crate) fn build_options(
    ttl_secs: Option<f64>,
    iat: Option<f64>,
    jti: Option<String>,
) -> taap::token::BuildOptions {
    taap::token::BuildOptions {
        ttl_secs: seconds(ttl_secs).unwrap_or(taap::token::DEFAULT_TTL_SECS),
        iat: seconds(iat),
        jti,
    }
}

/// Signs `ehts` with the core's RS256 (pure Rust).
#[wasm_bindgen]
pub fn sign(
    key: &PrivateKeyHandle,
    ehts: &EhtsHandle,
    ttl_secs: Option<f64>,
    iat: Option<f64>,
    jti: Option<String>,
) -> Result<String, Failure> {
    taap::PopToken::sign(&key.inner, &ehts.inner, &build_options(ttl_secs, iat, jti)).map_err(to_js)
}

/// A decoded token's header and claims, flattened for `index.js` to shape.
#[wasm_bindgen(getter_with_clone)]
pub struct DecodedToken {
    /// Header `alg` (always `RS256`).
    pub alg: String,
    /// Header `typ`, when present.
    pub typ: Option<String>,
    /// Claim `edts`.
    pub edts: String,
    /// Claim `v`.
    pub v: String,
    /// Claim `exp`, epoch seconds.
    pub exp: f64,
    /// Claim `ehts`, split into names.
    pub ehts: Vec<String>,
    /// Claim `iat`, epoch seconds.
    pub iat: f64,
    /// Claim `jti`.
    pub jti: String,
    /// The token text as decoded.
    pub token: String,
}

impl From<taap::PopToken> for DecodedToken {
    fn from(token: taap::PopToken) -> Self {
        let header = token.header().clone();
        let claims = token.claims().clone();
        DecodedToken {
            alg: header.alg,
            typ: header.typ,
            edts: claims.edts,
            v: claims.v,
            // Epoch seconds are far inside f64's exact integer range.
            exp: claims.exp as f64,
            ehts: claims.ehts,
            iat: claims.iat as f64,
            jti: claims.jti,
            token: token.as_str().to_owned(),
        }
    }
}

/// Decodes a token's header and claims without verifying it.
#[wasm_bindgen]
pub fn decode(token: &str) -> Result<DecodedToken, Failure> {
    taap::PopToken::decode(token).map(DecodedToken::from).map_err(to_js)
}
