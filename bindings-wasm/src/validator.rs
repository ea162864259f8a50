//! The gateway-side validator.

use taap::settings::{restyled, NameStyle};
use wasm_bindgen::prelude::wasm_bindgen;

use crate::bytes::{pairs, seconds};
use crate::error::{to_js, Failure};
use crate::keys::PublicKeyHandle;
use crate::token::DecodedToken;

/// A configured `taap::PopTokenValidator`, with its replay cache when enabled.
#[wasm_bindgen]
pub struct ValidatorHandle {
    inner: taap::PopTokenValidator,
}

/// The clock, or the caller's fixed `now`.
fn now_or_clock(now: Option<f64>) -> i64 {
    seconds(now).unwrap_or_else(taap::now_unix)
}

#[wasm_bindgen]
impl ValidatorHandle {
    /// The options as JSON under the settings schema's camelCase names, checked by the core.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str) -> Result<ValidatorHandle, Failure> {
        let options = taap::settings::options_from_json(options)
            .and_then(|options| taap::settings::validator_options(&options, NameStyle::Camel))
            .map_err(to_js)?;
        taap::PopTokenValidator::new(options).map(|inner| ValidatorHandle { inner }).map_err(to_js)
    }

    /// The options in effect as JSON, under the schema's camelCase names.
    #[wasm_bindgen(getter)]
    pub fn settings(&self) -> String {
        let settings = taap::settings::validator_settings(self.inner.options());
        serde_json::Value::Object(restyled(&settings, NameStyle::Camel)).to_string()
    }

    /// The default replay-cache capacity, for `replayCache: true`.
    #[wasm_bindgen(js_name = defaultReplayCapacity)]
    pub fn default_replay_capacity() -> u32 {
        u32::try_from(taap::validate::DEFAULT_REPLAY_CAPACITY).unwrap_or(u32::MAX)
    }

    /// Validates `token` against `key` and the request's values, as of `now` or the clock.
    pub fn validate(
        &self,
        token: &str,
        key: &PublicKeyHandle,
        names: Vec<String>,
        values: &[u8],
        lengths: &[u32],
        now: Option<f64>,
    ) -> Result<DecodedToken, Failure> {
        let values = pairs(&names, values, lengths)?;
        self.inner
            .validate_at(token, &key.inner, &values, now_or_clock(now))
            .map(DecodedToken::from)
            .map_err(to_js)
    }

    /// Validates the PoP token in a request as received (method, target, headers, exact
    /// body), by the core's request rules.
    #[wasm_bindgen(js_name = validateRequest)]
    #[allow(clippy::too_many_arguments)]
    pub fn validate_request(
        &self,
        key: &PublicKeyHandle,
        method: &str,
        target: &str,
        names: Vec<String>,
        values: &[u8],
        lengths: &[u32],
        body: &[u8],
        now: Option<f64>,
        uri_form: Option<String>,
    ) -> Result<DecodedToken, Failure> {
        let headers = pairs(&names, values, lengths)?;
        let form = taap::request::UriForm::parse_or_default(uri_form.as_deref()).map_err(to_js)?;
        let request = taap::request::ReceivedRequest::with_uri_form(method, target, headers, body, form)
            .map_err(to_js)?;
        self.inner
            .validate_request_at(&key.inner, &request, now_or_clock(now))
            .map(DecodedToken::from)
            .map_err(to_js)
    }
}
