//! `Taap\KeySource`: a client's public keys for `Taap\PopGate` and `Taap\Psr15\PopMiddleware`
//! (the core's `taap::validate::KeySource`): a fixed set, a file read again when it changes, or
//! a JWK set URL, so keys rotate without a restart in PHP as in `taap serve`.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use taap::validate::{JwksOptions, KeySet};

use crate::errors::guard;

/// A client's several public keys (each with an optional `kid` and `nbf`/`exp` window).
#[php_class]
#[php(name = "Taap\\KeySource")]
pub struct KeySource {
    /// The core's source, shared by clones (its cache, its file watch).
    pub inner: taap::validate::KeySource,
}

#[php_impl]
impl KeySource {
    /// A fixed set from PEM, JWK or JWK set (`{"keys": [...]}`) text.
    pub fn parse(data: BinarySlice<u8>) -> PhpResult<Self> {
        guard(|| KeySet::parse(*data)).map(|keys| KeySource { inner: keys.into() })
    }

    /// The keys of the file at `path` (PEM, JWK or JWK set), read again when it changes.
    pub fn from_file(path: &str) -> PhpResult<Self> {
        guard(|| taap::validate::KeySource::from_file(path)).map(|inner| KeySource { inner })
    }

    /// The JWK set at `url`: cached per `Cache-Control: max-age`, fetched again for a `kid` it
    /// lacks; a check is answered 503 `KeySourceUnavailable` when it cannot be fetched.
    pub fn from_jwks_url(url: &str) -> PhpResult<Self> {
        guard(|| taap::validate::KeySource::from_jwks_url(url, JwksOptions::default()))
            .map(|inner| KeySource { inner })
    }

    /// `fixed`, `file` or `jwks`.
    pub fn kind(&self) -> &'static str {
        match &self.inner {
            taap::validate::KeySource::File(_) => "file",
            taap::validate::KeySource::Jwks(_) => "jwks",
            _ => "fixed",
        }
    }

    /// How many keys are in force now (a JWK set URL may be fetched first).
    pub fn size(&self) -> PhpResult<i64> {
        guard(|| self.inner.current()).map(|keys| keys.keys().len() as i64)
    }
}
