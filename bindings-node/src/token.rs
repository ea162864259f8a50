//! Building and decoding PoP tokens, on the calling thread or on the libuv pool.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Either, Env, Object};
use napi::Task;
use napi_derive::napi;
use taap::keys::Signer;

use crate::bytes::{as_bytes, check_parallel, into_owned, owned_pairs, pairs, BytesArg};
use crate::client::settle_on_thread;
use crate::error::{rejection, to_js, Failure};
use crate::signer::{signer_of, waits, KeyArg, OnJsThread};

/// Options as JavaScript passes them: each one may be absent, leaving the core's default.
pub fn build_options(
    ttl_secs: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
) -> taap::token::BuildOptions {
    taap::token::BuildOptions { ttl_secs: ttl_secs.unwrap_or(taap::token::DEFAULT_TTL_SECS), iat, jti }
}

/// Signs ordered ehts given as parallel name and value arrays.
#[napi]
pub fn build(
    env: Env,
    key: KeyArg,
    names: Vec<String>,
    values: Vec<BytesArg>,
    ttl_secs: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
) -> Result<String, Failure> {
    check_parallel(&names, &values)?;
    let signer = signer_of(&key);
    let here = OnJsThread::enter(&env);
    taap::PopToken::build_with(&signer, pairs(&names, &values), &build_options(ttl_secs, iat, jti))
        .map_err(|error| here.failure(error))
}

/// [`build`] on the libuv pool (a signer that waits: on a thread of its own).
#[napi(ts_return_type = "Promise<string>")]
pub fn build_async<'env>(
    env: &'env Env,
    key: KeyArg,
    names: Vec<String>,
    values: Vec<BytesArg>,
    ttl_secs: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
) -> Result<Either<AsyncTask<SignTask>, Object<'env>>, Failure> {
    let job = Job::Pairs(owned_pairs(names, values)?);
    SignTask::spawn(env, &key, job, build_options(ttl_secs, iat, jti))
}

/// Signs one HTTP request: headers (parallel arrays), `uri`, `http-method`, `body`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn for_request(
    env: Env,
    key: KeyArg,
    method: String,
    url: String,
    header_names: Vec<String>,
    header_values: Vec<BytesArg>,
    body: BytesArg,
    ttl_secs: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
) -> Result<String, Failure> {
    check_parallel(&header_names, &header_values)?;
    let signer = signer_of(&key);
    let here = OnJsThread::enter(&env);
    taap::PopToken::for_request_with(
        &signer,
        &method,
        &url,
        pairs(&header_names, &header_values),
        as_bytes(&body),
        &build_options(ttl_secs, iat, jti),
    )
    .map_err(|error| here.failure(error))
}

/// [`for_request`] on the libuv pool (a signer that waits: on a thread of its own).
#[napi(ts_return_type = "Promise<string>")]
#[allow(clippy::too_many_arguments)]
pub fn for_request_async<'env>(
    env: &'env Env,
    key: KeyArg,
    method: String,
    url: String,
    header_names: Vec<String>,
    header_values: Vec<BytesArg>,
    body: BytesArg,
    ttl_secs: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
) -> Result<Either<AsyncTask<SignTask>, Object<'env>>, Failure> {
    let job = Job::Request {
        method,
        url,
        headers: owned_pairs(header_names, header_values)?,
        body: into_owned(body),
    };
    SignTask::spawn(env, &key, job, build_options(ttl_secs, iat, jti))
}

/// What a [`SignTask`] signs; owned, since it crosses to a pool thread.
pub enum Job {
    /// `PopToken.build`: ordered pairs.
    Pairs(Vec<(String, Vec<u8>)>),
    /// `PopToken.forRequest`: one HTTP request.
    Request { method: String, url: String, headers: Vec<(String, Vec<u8>)>, body: Vec<u8> },
}

/// One token built on the libuv pool.
pub struct SignTask {
    key: Arc<dyn Signer>,
    job: Job,
    options: taap::token::BuildOptions,
}

impl SignTask {
    /// The promise of one token: signed on the libuv pool with a key in memory, else on a thread
    /// of its own, so a signer that waits (a device, a service, a JavaScript callback that itself
    /// needs the pool) never holds a pool thread.
    fn spawn<'env>(
        env: &'env Env,
        key: &KeyArg,
        job: Job,
        options: taap::token::BuildOptions,
    ) -> Result<Either<AsyncTask<SignTask>, Object<'env>>, Failure> {
        let task = SignTask { key: signer_of(key), job, options };
        if waits(key) {
            settle_on_thread::<_, String>(env, move || task.sign()).map(Either::B)
        } else {
            Ok(Either::A(AsyncTask::new(task)))
        }
    }

    fn sign(&self) -> Result<String, taap::Error> {
        match &self.job {
            Job::Pairs(pairs) => {
                taap::PopToken::build_with(&self.key, pairs.iter().map(|(n, v)| (n, v)), &self.options)
            }
            Job::Request { method, url, headers, body } => taap::PopToken::for_request_with(
                &self.key,
                method,
                url,
                headers.iter().map(|(n, v)| (n, v)),
                body,
                &self.options,
            ),
        }
    }
}

impl Task for SignTask {
    type Output = Result<String, taap::Error>;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self.sign())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map_err(|error| rejection(env, error))
    }
}

/// A decoded token's header and claims, flattened for `index.js` to shape.
#[napi(object)]
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
    pub exp: i64,
    /// Claim `ehts`, split into names.
    pub ehts: Vec<String>,
    /// Claim `iat`, epoch seconds.
    pub iat: i64,
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
            exp: claims.exp,
            ehts: claims.ehts,
            iat: claims.iat,
            jti: claims.jti,
            token: token.as_str().to_owned(),
        }
    }
}

/// Decodes a token's header and claims without verifying it.
#[napi]
pub fn decode(token: String) -> Result<DecodedToken, Failure> {
    taap::PopToken::decode(&token).map(DecodedToken::from).map_err(to_js)
}
