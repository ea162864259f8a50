//! `TaapClient`: OAuth access tokens and signed API calls. The core client blocks on the
//! network, so each call runs on its own thread (keeping the libuv pool free for fs, dns and
//! crypto) and settles a promise back on the JavaScript thread.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::ToNapiValue;
use napi::bindgen_prelude::{Buffer, Env, Object};
use napi_derive::napi;
use taap::settings::{restyled, NameStyle};

use crate::bytes::{check_parallel_text, into_owned, BytesArg};
use crate::error::{internal, rejection, to_js, Failure};
use crate::signer::{signer_of, KeyArg};

/// A client's credentials and options as `lib/client.js` passes them.
#[napi(object)]
pub struct ClientOptions {
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret (zeroised by the core once handed over).
    pub client_secret: String,
    /// Every other option as a JSON object under the settings schema's camelCase names; the
    /// core checks them ([`taap::client::ClientSettings`]).
    pub settings: String,
}

/// Warnings from the client's threads, emitted by `index.js` on the JavaScript thread.
type Warnings = Arc<Mutex<Vec<String>>>;

fn config(
    options: ClientOptions,
    key: &KeyArg,
    warnings: &Warnings,
) -> Result<taap::client::ClientConfig, Failure> {
    let settings =
        taap::client::ClientSettings::from_json(&options.settings, NameStyle::Camel).map_err(to_js)?;
    let mut config =
        settings.client_config(options.client_id, options.client_secret, signer_of(key)).map_err(to_js)?;
    if config.token_store.is_some() {
        let warnings = Arc::clone(warnings);
        config.on_warning = taap::client::OnWarning::new(move |message| {
            warnings.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(message.to_owned())
        });
    }
    Ok(config)
}

/// An access token and what the server said about it.
#[napi(object)]
pub struct AccessTokenData {
    /// The bearer token (a secret; `index.js` keeps it out of inspect output).
    pub token: String,
    /// The OpenID Connect id token, when sent.
    pub id_token: Option<String>,
    /// Lifetime in seconds as the server gave it.
    pub expires_in: f64,
    /// Seconds of validity left when the call returned.
    pub remaining_secs: f64,
    /// The granted scope, when sent.
    pub scope: Option<String>,
    /// The answer's `status` member, when sent.
    pub status: Option<String>,
    /// The answer's `token_type` member, when sent.
    pub token_type: Option<String>,
}

impl From<taap::client::AccessToken> for AccessTokenData {
    fn from(token: taap::client::AccessToken) -> Self {
        AccessTokenData {
            token: token.secret().to_owned(),
            id_token: token.id_token().map(str::to_owned),
            expires_in: token.expires_in() as f64,
            remaining_secs: token.remaining().as_secs_f64(),
            scope: token.scope().map(str::to_owned),
            status: token.status().map(str::to_owned),
            token_type: token.token_type().map(str::to_owned),
        }
    }
}

/// An HTTP answer: status, headers in arrival order (names lower-case) and the body.
#[napi(object)]
pub struct ResponseData {
    /// The HTTP status code.
    pub status: u32,
    /// `[name, value]` pairs.
    pub headers: Vec<Vec<String>>,
    /// The whole body.
    pub body: Buffer,
}

/// The answer before it reaches the JavaScript thread (a `Buffer` must be made there).
struct RawResponse(taap::client::Response);

impl From<RawResponse> for ResponseData {
    fn from(RawResponse(response): RawResponse) -> Self {
        ResponseData {
            status: u32::from(response.status),
            headers: response.headers.into_iter().map(|(name, value)| vec![name, value]).collect(),
            body: Buffer::from(response.body),
        }
    }
}

/// A `taap::TaapClient`, shared with the threads its calls run on.
#[napi]
pub struct ClientHandle {
    inner: Arc<taap::TaapClient>,
    warnings: Warnings,
}

#[napi]
impl ClientHandle {
    /// Checks the configuration; no network traffic yet.
    #[napi(constructor)]
    pub fn new(options: ClientOptions, key: KeyArg) -> Result<Self, Failure> {
        let warnings = Warnings::default();
        let client = taap::TaapClient::new(config(options, &key, &warnings)?).map_err(to_js)?;
        Ok(ClientHandle { inner: Arc::new(client), warnings })
    }

    /// The warnings given since the last call (a failing token store), oldest first.
    #[napi]
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// The client id.
    #[napi(getter)]
    pub fn client_id(&self) -> String {
        self.inner.client_id().to_owned()
    }

    /// The token endpoint URL.
    #[napi(getter)]
    pub fn token_url(&self) -> String {
        self.inner.token_url().to_owned()
    }

    /// `v2` or `v6`.
    #[napi(getter)]
    pub fn flavor(&self) -> &'static str {
        self.inner.flavor().name()
    }

    /// Seconds added to the local clock for PoP `iat`, learned from the servers' `Date`.
    #[napi(getter)]
    pub fn clock_offset_secs(&self) -> i64 {
        self.inner.clock_offset_secs()
    }

    /// The cached access token, or a new one.
    /// The options in effect as JSON, under the schema's camelCase names.
    #[napi(getter)]
    pub fn settings(&self) -> String {
        serde_json::Value::Object(restyled(self.inner.settings(), NameStyle::Camel)).to_string()
    }

    #[napi(ts_return_type = "Promise<AccessTokenData>")]
    pub fn access_token<'env>(&self, env: &'env Env) -> Result<Object<'env>, Failure> {
        let client = Arc::clone(&self.inner);
        settle_on_thread::<_, AccessTokenData>(env, move || client.access_token())
    }

    /// A new access token, replacing the cached one.
    #[napi(ts_return_type = "Promise<AccessTokenData>")]
    pub fn refresh_access_token<'env>(&self, env: &'env Env) -> Result<Object<'env>, Failure> {
        let client = Arc::clone(&self.inner);
        settle_on_thread::<_, AccessTokenData>(env, move || client.refresh_access_token())
    }

    /// A signed API call; headers as parallel name and value arrays.
    #[napi(ts_return_type = "Promise<ResponseData>")]
    pub fn send<'env>(
        &self,
        env: &'env Env,
        method: String,
        url: String,
        header_names: Vec<String>,
        header_values: Vec<String>,
        body: BytesArg,
    ) -> Result<Object<'env>, Failure> {
        check_parallel_text(&header_names, &header_values)?;
        let client = Arc::clone(&self.inner);
        let body = into_owned(body);
        settle_on_thread::<_, ResponseData>(env, move || {
            let headers = header_names.iter().zip(header_values.iter());
            client.send(&method, &url, headers, &body).map(RawResponse)
        })
    }
}

/// Runs `work` on a new thread and returns a promise settled with its result on the
/// JavaScript thread; a core error rejects it with the coded error.
pub(crate) fn settle_on_thread<'env, T, Js>(
    env: &'env Env,
    work: impl FnOnce() -> Result<T, taap::Error> + Send + 'static,
) -> Result<Object<'env>, Failure>
where
    T: Send + 'static + Into<Js>,
    Js: ToNapiValue + 'static,
{
    let (deferred, promise) = env.create_deferred::<Js, _>().map_err(internal)?;
    std::thread::Builder::new()
        .name("taap-client-call".into())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
                .unwrap_or_else(|_| Err(taap::Error::Transport("the call failed unexpectedly".into())));
            deferred.resolve(move |env| outcome.map(Into::into).map_err(|error| rejection(env, error)));
        })
        .map_err(|error| {
            internal(napi::Error::from_reason(format!("cannot start a thread for the call: {error}")))
        })?;
    Ok(promise)
}

/// Every option of every door, as the core declares it (JSON text; `index.js` parses it).
#[napi]
pub fn settings_schema() -> String {
    taap::settings::settings_schema_json()
}

/// The middleware's options (its own and the validator's) as JSON, checked by the schema, every
/// absent one at its default, `replayStore` resolved into `replayCache` and `sharedReplayStore`;
/// camelCase keys.
#[napi]
pub fn middleware_settings(options: String) -> Result<String, Failure> {
    let given = taap::settings::options_from_json(&options).map_err(to_js)?;
    let settings = taap::settings::middleware_settings(&given, NameStyle::Camel).map_err(to_js)?;
    Ok(serde_json::Value::Object(settings).to_string())
}
