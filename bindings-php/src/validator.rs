//! `Taap\PopTokenValidator`: the gateway-side check, options mapped onto the core's.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use taap::{ReceivedRequest, ValidatorOptions};

use crate::convert::{int_option, known_options, pairs, text};
use crate::errors::{config, guard};
use crate::keys::PublicKey;
use crate::token::DecodedPopToken;

/// Validates PoP tokens: signature, `exp` with leeway, age from `iat`, required names, edts
/// and (with `replayCache`) replayed `jti`s.
#[php_class]
#[php(name = "Taap\\PopTokenValidator")]
pub struct PopTokenValidator {
    inner: taap::PopTokenValidator,
}

#[php_impl]
impl PopTokenValidator {
    /// Options: `leeway` (seconds, 10), `maxAge` (seconds, 60), `required` (names every token
    /// must sign), `replayCache` (how many `jti`s to remember; off by default).
    pub fn __construct(options: Option<&ZendHashTable>) -> PhpResult<Self> {
        guard(|| {
            known_options(options, &["leeway", "maxAge", "required", "replayCache"])?;
            let mut core = ValidatorOptions::default();
            core.leeway_secs = int_option(options, "leeway")?.unwrap_or(core.leeway_secs);
            core.max_age_secs = int_option(options, "maxAge")?.unwrap_or(core.max_age_secs);
            if let Some(capacity) = int_option(options, "replayCache")? {
                core.replay_cache =
                    Some(usize::try_from(capacity).map_err(|_| config("replayCache must not be negative"))?);
            }
            core.required = required(options.and_then(|options| options.get("required")))?;
            taap::PopTokenValidator::new(core).map(|inner| PopTokenValidator { inner })
        })
    }

    /// Validates `token` against the request's `values` (associative array or pairs) as of
    /// `now` (epoch seconds; the system clock by default); returns the decoded token.
    pub fn validate(
        &self,
        token: &Zval,
        key: &PublicKey,
        values: &ZendHashTable,
        now: Option<i64>,
    ) -> PhpResult<DecodedPopToken> {
        guard(|| {
            let token = text(token, "the token")
                .map_err(|_| taap::Error::InvalidToken("the token is not UTF-8 text".into()))?;
            let values = pairs(values, "values")?;
            let now = now.unwrap_or_else(taap::now_unix);
            self.inner
                .validate_at(&token, &key.inner, values.as_slice(), now)
                .map(|inner| DecodedPopToken { inner })
        })
    }

    /// Validates the PoP token a received request carries in `X-Authorization`; `target` is
    /// the request line's path and query (or a full URL).
    pub fn validate_request(
        &self,
        key: &PublicKey,
        method: &str,
        target: &str,
        headers: &ZendHashTable,
        body: Option<BinarySlice<u8>>,
        now: Option<i64>,
    ) -> PhpResult<DecodedPopToken> {
        guard(|| {
            let headers = pairs(headers, "headers")?;
            let received = headers.iter().map(|(name, value)| (name.as_ref(), value.as_ref()));
            let request =
                ReceivedRequest::new(method, target, received, body.as_deref().copied().unwrap_or_default())?;
            let now = now.unwrap_or_else(taap::now_unix);
            self.inner.validate_request_at(&key.inner, &request, now).map(|inner| DecodedPopToken { inner })
        })
    }
}

fn required(value: Option<&Zval>) -> taap::Result<Vec<String>> {
    let Some(value) = value.map(Zval::dereference).filter(|value| !value.is_null()) else {
        return Ok(Vec::new());
    };
    let list = value.array().ok_or_else(|| config("option required must be a list of names"))?;
    list.values()
        .map(|name| text(name, "a required name").map(|name| name.into_owned()))
        .collect::<taap::Result<_>>()
        .map_err(|_| config("option required must be a list of UTF-8 names"))
}
