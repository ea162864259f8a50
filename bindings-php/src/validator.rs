//! `Taap\PopTokenValidator`: the gateway-side check; its options are checked by the core's
//! settings schema (camel names).

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use taap::settings::{validator_options, validator_settings, NameStyle};
use taap::{request::ReceivedRequest, request::UriForm};

use crate::convert::{camel_array, pairs, settings_map, text};
use crate::errors::guard;
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
    /// Options of the core's settings schema: `leeway` (seconds, 10), `maxAge` (seconds, 60),
    /// `required` (names every token must sign), `replayCache` (how many `jti`s to remember;
    /// off by default).
    pub fn __construct(options: Option<&ZendHashTable>) -> PhpResult<Self> {
        guard(|| {
            let given = options.map(|options| settings_map(options, &[])).transpose()?.unwrap_or_default();
            let core = validator_options(&given, NameStyle::Camel)?;
            taap::PopTokenValidator::new(core).map(|inner| PopTokenValidator { inner })
        })
    }

    /// The options in effect under the schema's camel names.
    pub fn settings(&self) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(camel_array(&validator_settings(self.inner.options()))?)
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
    /// the request line's path and query (or a full URL); `uri_form` is how the signer put the
    /// query into `uri`: `decoded` (the docs, the default) or `encoded` (as sent).
    #[allow(clippy::too_many_arguments)]
    pub fn validate_request(
        &self,
        key: &PublicKey,
        method: &str,
        target: &str,
        headers: &ZendHashTable,
        body: Option<BinarySlice<u8>>,
        now: Option<i64>,
        uri_form: Option<&str>,
    ) -> PhpResult<DecodedPopToken> {
        guard(|| {
            let form = UriForm::parse_or_default(uri_form)?;
            let headers = pairs(headers, "headers")?;
            let received = headers.iter().map(|(name, value)| (name.as_ref(), value.as_ref()));
            let body = body.as_deref().copied().unwrap_or_default();
            let request = ReceivedRequest::with_uri_form(method, target, received, body, form)?;
            let now = now.unwrap_or_else(taap::now_unix);
            self.inner.validate_request_at(&key.inner, &request, now).map(|inner| DecodedPopToken { inner })
        })
    }
}
