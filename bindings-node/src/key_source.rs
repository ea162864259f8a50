//! `KeySourceHandle`: where the middleware finds a client's keys (the core's
//! `taap::validate::KeySource`): a fixed set, a file read again when it changes, or a JWK set
//! URL, so keys rotate without a restart in Node as in `taap serve`.

use napi::bindgen_prelude::{AsyncTask, Env};
use napi::Task;
use napi_derive::napi;
use taap::validate::{JwksOptions, KeySet, KeySource};

use crate::bytes::{as_bytes, BytesArg};
use crate::error::{rejection, to_js, Failure};

/// A client's public keys for the middleware: several at once (each with an optional `kid` and
/// `nbf`/`exp` window), read from text, a file followed as it changes, or a JWK set URL.
#[napi]
pub struct KeySourceHandle {
    pub(crate) source: KeySource,
}

#[napi]
impl KeySourceHandle {
    /// A fixed set from PEM, JWK or JWK set (`{"keys": [...]}`) text or bytes.
    #[napi(factory)]
    pub fn parse(data: BytesArg) -> Result<Self, Failure> {
        let keys = KeySet::parse(as_bytes(&data)).map_err(to_js)?;
        Ok(KeySourceHandle { source: KeySource::from(keys) })
    }

    /// The keys of the file at `path` (PEM, JWK or JWK set), read again when it changes (a
    /// half-written file keeps the keys in force).
    #[napi(factory)]
    pub fn from_file(path: String) -> Result<Self, Failure> {
        Ok(KeySourceHandle { source: KeySource::from_file(path).map_err(to_js)? })
    }

    /// The JWK set served at `url`, fetched when first needed: cached per `Cache-Control:
    /// max-age`, fetched again (at most every few seconds) for a `kid` it lacks.
    #[napi(factory)]
    pub fn from_jwks_url(url: String) -> Result<Self, Failure> {
        let source = KeySource::from_jwks_url(&url, JwksOptions::default()).map_err(to_js)?;
        Ok(KeySourceHandle { source })
    }

    /// `'fixed'`, `'file'` or `'jwks'`.
    #[napi(getter, ts_return_type = "'fixed' | 'file' | 'jwks'")]
    pub fn kind(&self) -> &'static str {
        match &self.source {
            KeySource::File(_) => "file",
            KeySource::Jwks(_) => "jwks",
            _ => "fixed",
        }
    }

    /// The file's path or the URL without its query (which may hold a credential); `null` for
    /// a fixed set.
    #[napi(getter)]
    pub fn location(&self) -> Option<String> {
        match &self.source {
            KeySource::File(file) => Some(file.path().display().to_string()),
            KeySource::Jwks(jwks) => Some(jwks.url().to_owned()),
            _ => None,
        }
    }

    /// How many keys are in force, on the libuv pool: a JWK set URL may be fetched first.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn size(&self) -> AsyncTask<KeyCount> {
        AsyncTask::new(KeyCount { source: self.source.clone() })
    }
}

/// The number of keys a source has in force, counted off the event loop.
pub struct KeyCount {
    source: KeySource,
}

impl Task for KeyCount {
    type Output = taap::Result<u32>;
    type JsValue = u32;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(self.source.current().map(|keys| keys.keys().len() as u32))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map_err(|error| rejection(env, error))
    }
}
