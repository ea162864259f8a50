//! The gateway-side validator.

use crate::error::{config, FfiResult};
use crate::keys::FfiPublicKey;
use crate::token::{pairs, FfiDecoded, FfiEntry};

/// Validator options; absent ones keep the core's defaults.
#[derive(uniffi::Record)]
pub struct FfiValidatorOptions {
    /// Clock leeway in seconds.
    pub leeway_secs: Option<i64>,
    /// Maximum age from `iat` in seconds.
    pub max_age_secs: Option<i64>,
    /// Names every token must sign.
    pub required: Vec<String>,
    /// Replay cache capacity; absent turns replay detection off.
    pub replay_cache: Option<i64>,
}

/// A configured `taap::PopTokenValidator`.
#[derive(uniffi::Object)]
pub struct FfiValidator {
    inner: taap::PopTokenValidator,
}

/// The default replay-cache capacity.
#[uniffi::export]
pub fn default_replay_capacity() -> i64 {
    i64::try_from(taap::DEFAULT_REPLAY_CAPACITY).unwrap_or(i64::MAX)
}

#[uniffi::export]
impl FfiValidator {
    /// Checks the options' ranges in the core.
    #[uniffi::constructor]
    pub fn new(options: FfiValidatorOptions) -> FfiResult<Self> {
        let defaults = taap::ValidatorOptions::default();
        let replay_cache = match options.replay_cache {
            None => None,
            Some(capacity) => Some(usize::try_from(capacity).map_err(|_| {
                config(format!(
                    "the replay cache capacity is {capacity}; it counts tokens, so it must be positive"
                ))
            })?),
        };
        let options = taap::ValidatorOptions {
            leeway_secs: options.leeway_secs.unwrap_or(defaults.leeway_secs),
            max_age_secs: options.max_age_secs.unwrap_or(defaults.max_age_secs),
            required: options.required,
            replay_cache,
        };
        Ok(FfiValidator { inner: taap::PopTokenValidator::new(options)? })
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

    /// Validates the PoP token in a request as received, by the core's request rules.
    pub fn validate_request(
        &self,
        key: &FfiPublicKey,
        method: String,
        target: String,
        headers: Vec<FfiEntry>,
        body: Vec<u8>,
        now: Option<i64>,
    ) -> FfiResult<FfiDecoded> {
        let headers = pairs(&headers).map(|(name, value)| (name, value.as_bytes()));
        let request = taap::ReceivedRequest::new(&method, &target, headers, &body)?;
        let now = now.unwrap_or_else(taap::now_unix);
        Ok(self.inner.validate_request_at(&key.inner, &request, now)?.into())
    }
}
