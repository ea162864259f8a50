//! The gateway-side validator; its options cross as one JSON object under the settings
//! schema's camel names.

use taap::settings::{options_from_json, validator_options, validator_settings, NameStyle};

use crate::error::FfiResult;
use crate::keys::FfiPublicKey;
use crate::settings::camel_json;
use crate::token::{pairs, FfiDecoded, FfiEntry};

/// How a received request's query enters its `uri` value; signer and gateway must agree.
#[derive(uniffi::Enum)]
pub enum FfiUriForm {
    /// Percent-decoded, as T-Mobile's docs (the default).
    Decoded,
    /// Exactly as received, percent-encoding kept.
    Encoded,
}

impl From<FfiUriForm> for taap::request::UriForm {
    fn from(form: FfiUriForm) -> Self {
        match form {
            FfiUriForm::Decoded => taap::request::UriForm::Decoded,
            FfiUriForm::Encoded => taap::request::UriForm::Encoded,
        }
    }
}

/// A configured `taap::PopTokenValidator`.
#[derive(uniffi::Object)]
pub struct FfiValidator {
    inner: taap::PopTokenValidator,
}

/// The default replay-cache capacity.
#[uniffi::export]
pub fn default_replay_capacity() -> i64 {
    i64::try_from(taap::validate::DEFAULT_REPLAY_CAPACITY).unwrap_or(i64::MAX)
}

#[uniffi::export]
impl FfiValidator {
    /// Checks `options` (a JSON object: `leeway`, `maxAge`, `required`, `replayCache`) against
    /// the schema.
    #[uniffi::constructor]
    pub fn new(options: String) -> FfiResult<Self> {
        let options = validator_options(&options_from_json(&options)?, NameStyle::Camel)?;
        Ok(FfiValidator { inner: taap::PopTokenValidator::new(options)? })
    }

    /// The options in effect as a JSON object under the camel names.
    pub fn settings(&self) -> String {
        camel_json(&validator_settings(self.inner.options()))
    }

    /// Validates `token` against `key` and the request's values, as of `now` or the clock.
    pub fn validate(
        &self,
        token: String,
        key: &FfiPublicKey,
        values: Vec<FfiEntry>,
        now: Option<i64>,
    ) -> FfiResult<FfiDecoded> {
        let values: Vec<(&str, &[u8])> =
            pairs(&values).map(|(name, value)| (name, value.as_bytes())).collect();
        let now = now.unwrap_or_else(taap::now_unix);
        Ok(self.inner.validate_at(&token, &key.inner, &values, now)?.into())
    }

    /// Validates the PoP token in a request as received, by the core's request rules, with the
    /// query in `uri_form`.
    #[allow(clippy::too_many_arguments)]
    pub fn validate_request(
        &self,
        key: &FfiPublicKey,
        method: String,
        target: String,
        headers: Vec<FfiEntry>,
        body: Vec<u8>,
        now: Option<i64>,
        uri_form: FfiUriForm,
    ) -> FfiResult<FfiDecoded> {
        let headers = pairs(&headers).map(|(name, value)| (name, value.as_bytes()));
        let request =
            taap::request::ReceivedRequest::with_uri_form(&method, &target, headers, &body, uri_form.into())?;
        let now = now.unwrap_or_else(taap::now_unix);
        Ok(self.inner.validate_request_at(&key.inner, &request, now)?.into())
    }
}
