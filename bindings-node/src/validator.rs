//! The gateway-side validator.

use std::sync::Arc;

use napi_derive::napi;
use taap::settings::{restyled, NameStyle};

use crate::bytes::{as_bytes, check_parallel, pairs, BytesArg};
use crate::error::{to_js, Failure};
use crate::keys::PublicKeyHandle;
use crate::token::DecodedToken;

/// A configured `taap::PopTokenValidator`, with its replay cache when enabled.
#[napi]
pub struct ValidatorHandle {
    inner: Arc<taap::PopTokenValidator>,
}

#[napi]
impl ValidatorHandle {
    /// The options as JSON under the settings schema's camelCase names, checked by the core.
    #[napi(constructor)]
    pub fn new(options: String) -> Result<Self, Failure> {
        let options = taap::settings::options_from_json(&options)
            .and_then(|options| taap::settings::validator_options(&options, NameStyle::Camel))
            .map_err(to_js)?;
        taap::PopTokenValidator::new(options)
            .map(|inner| ValidatorHandle { inner: Arc::new(inner) })
            .map_err(to_js)
    }

    /// The options in effect as JSON, under the schema's camelCase names.
    #[napi(getter)]
    pub fn settings(&self) -> String {
        let settings = taap::settings::validator_settings(self.inner.options());
        serde_json::Value::Object(restyled(&settings, NameStyle::Camel)).to_string()
    }

    /// The default replay-cache capacity, for `replayCache: true`.
    #[napi]
    pub fn default_replay_capacity() -> u32 {
        u32::try_from(taap::validate::DEFAULT_REPLAY_CAPACITY).unwrap_or(u32::MAX)
    }

    /// Validates `token` against `key` and the request's values (parallel arrays), as of
    /// `now` or the system clock.
    #[napi]
    pub fn validate(
        &self,
        token: String,
        key: &PublicKeyHandle,
        names: Vec<String>,
        values: Vec<BytesArg>,
        now: Option<i64>,
    ) -> Result<DecodedToken, Failure> {
        check_parallel(&names, &values)?;
        let values: Vec<(&str, &[u8])> = pairs(&names, &values).collect();
        let now = now.unwrap_or_else(taap::now_unix);
        self.inner.validate_at(&token, &key.inner, &values, now).map(DecodedToken::from).map_err(to_js)
    }

    /// Validates the PoP token in a request as received (method, path and query or URL,
    /// headers as parallel arrays, exact body), by the core's request rules.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn validate_request(
        &self,
        key: &PublicKeyHandle,
        method: String,
        target: String,
        header_names: Vec<String>,
        header_values: Vec<BytesArg>,
        body: BytesArg,
        now: Option<i64>,
        uri_form: Option<String>,
    ) -> Result<DecodedToken, Failure> {
        check_parallel(&header_names, &header_values)?;
        let headers = pairs(&header_names, &header_values);
        let form = taap::request::UriForm::parse_or_default(uri_form.as_deref()).map_err(to_js)?;
        let request =
            taap::request::ReceivedRequest::with_uri_form(&method, &target, headers, as_bytes(&body), form)
                .map_err(to_js)?;
        let now = now.unwrap_or_else(taap::now_unix);
        self.inner.validate_request_at(&key.inner, &request, now).map(DecodedToken::from).map_err(to_js)
    }
}
