//! Building and decoding PoP tokens, on the calling thread or on the libuv pool.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Env};
use napi::Task;
use napi_derive::napi;

use crate::bytes::{as_bytes, check_parallel, into_owned, owned_pairs, pairs, BytesArg};
use crate::error::{rejection, to_js, Failure};
use crate::keys::PrivateKeyHandle;

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
    key: &PrivateKeyHandle,
    names: Vec<String>,
    values: Vec<BytesArg>,
    ttl_secs: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
) -> Result<String, Failure> {
    check_parallel(&names, &values)?;
    taap::PopToken::build_with(&key.inner, pairs(&names, &values), &build_options(ttl_secs, iat, jti))
        .map_err(to_js)
}

/// [`build`] on the libuv pool.
#[napi(ts_return_type = "Promise<string>")]
pub fn build_async(
    key: &PrivateKeyHandle,
    names: Vec<String>,
    values: Vec<BytesArg>,
    ttl_secs: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
) -> Result<AsyncTask<SignTask>, Failure> {
    let job = Job::Pairs(owned_pairs(names, values)?);
    Ok(SignTask::spawn(key, job, build_options(ttl_secs, iat, jti)))
}

/// Signs one HTTP request: headers (parallel arrays), `uri`, `http-method`, `body`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn for_request(
    key: &PrivateKeyHandle,
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
    taap::PopToken::for_request_with(
        &key.inner,
        &method,
        &url,
        pairs(&header_names, &header_values),
        as_bytes(&body),
        &build_options(ttl_secs, iat, jti),
    )
    .map_err(to_js)
}

/// [`for_request`] on the libuv pool.
#[napi(ts_return_type = "Promise<string>")]
#[allow(clippy::too_many_arguments)]
pub fn for_request_async(
    key: &PrivateKeyHandle,
    method: String,
    url: String,
    header_names: Vec<String>,
    header_values: Vec<BytesArg>,
    body: BytesArg,
    ttl_secs: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
) -> Result<AsyncTask<SignTask>, Failure> {
    let job = Job::Request {
        method,
        url,
        headers: owned_pairs(header_names, header_values)?,
        body: into_owned(body),
    };
    Ok(SignTask::spawn(key, job, build_options(ttl_secs, iat, jti)))
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
    key: Arc<taap::PrivateKey>,
    job: Job,
    options: taap::token::BuildOptions,
}

impl SignTask {
    fn spawn(key: &PrivateKeyHandle, job: Job, options: taap::token::BuildOptions) -> AsyncTask<SignTask> {
        AsyncTask::new(SignTask { key: Arc::clone(&key.inner), job, options })
    }
}

impl Task for SignTask {
    type Output = Result<String, taap::Error>;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match &self.job {
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
        })
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
