//! `RedisReplayStoreHandle`: the core's blocking shared replay store for the Express and fetch
//! middleware, with the key scheme and fail-closed rule of `taap serve --replay-store`. Each
//! check runs on a thread of its own, so the event loop never waits on Redis.

use std::sync::Arc;

use napi::bindgen_prelude::{Env, Object};
use napi_derive::napi;

use crate::bytes::{into_owned, owned_pairs, BytesArg};
use crate::client::settle_on_thread;
use crate::error::{to_js, Failure};
use crate::keys::PublicKeyHandle;
use crate::validator::ValidatorHandle;

/// A `taap::validate::RedisReplayStore`, shared with the threads the checks run on.
#[napi]
pub struct RedisReplayStoreHandle {
    inner: Arc<taap::validate::RedisReplayStore>,
}

#[napi]
impl RedisReplayStoreHandle {
    /// A store on `url` (`redis://[:password@]host:port[/db]`), 50 ms per operation; connects
    /// on the first check.
    #[napi(constructor)]
    pub fn new(url: String) -> Result<Self, Failure> {
        let store =
            taap::validate::RedisReplayStore::open(&url, taap::validate::DEFAULT_REPLAY_STORE_DEADLINE)
                .map_err(to_js)?;
        Ok(RedisReplayStoreHandle { inner: Arc::new(store) })
    }

    /// Checks a request as received with `validator` (its own replay cache unused) and admits
    /// its `jti` here: resolves `null` when the request may go through, or the reason the store
    /// could not answer (refuse with 503); rejects with the coded error for an invalid token or
    /// a replay.
    #[napi(ts_return_type = "Promise<string | null>")]
    #[allow(clippy::too_many_arguments)]
    pub fn check_request<'env>(
        &self,
        env: &'env Env,
        validator: &ValidatorHandle,
        key: &PublicKeyHandle,
        method: String,
        target: String,
        header_names: Vec<String>,
        header_values: Vec<BytesArg>,
        body: BytesArg,
        now: Option<i64>,
        uri_form: Option<String>,
    ) -> Result<Object<'env>, Failure> {
        let headers = owned_pairs(header_names, header_values)?;
        let form = taap::request::UriForm::parse_or_default(uri_form.as_deref()).map_err(to_js)?;
        let (store, validator, key, body) =
            (Arc::clone(&self.inner), validator.shared(), key.inner.clone(), into_owned(body));
        settle_on_thread::<_, Option<String>>(env, move || {
            let pairs = headers.iter().map(|(name, value)| (name.as_str(), value.as_slice()));
            let request =
                taap::request::ReceivedRequest::with_uri_form(&method, &target, pairs, &body, form)?;
            let now = now.unwrap_or_else(taap::now_unix);
            match store.validate_request_at(&validator, &key, &request, now) {
                Ok(_) => Ok(None),
                Err(taap::validate::SharedRefusal::Invalid(error)) => Err(error),
                Err(taap::validate::SharedRefusal::Unavailable(reason)) => Ok(Some(reason)),
            }
        })
    }
}
