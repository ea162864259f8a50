//! `KeySource` objects: a client's several public keys for the PoP middleware (the core's
//! `taap::validate::KeySource`): fixed from text, a file read again when it changes, or a JWK
//! set URL, so keys rotate without restarting the JVM, as in `taap serve` and Python.

use taap::validate::{JwksOptions, KeySet, KeySource};

use crate::error::FfiResult;

/// A client's keys; the source (its cache, its file watch) is shared across JVM threads.
#[derive(uniffi::Object)]
pub struct FfiKeySource {
    pub(crate) inner: KeySource,
}

#[uniffi::export]
impl FfiKeySource {
    /// A fixed set from PEM, DER, JWK or JWK set (`{"keys": [...]}`) bytes.
    #[uniffi::constructor]
    pub fn parse(bytes: Vec<u8>) -> FfiResult<Self> {
        Ok(FfiKeySource { inner: KeySource::from(KeySet::parse(&bytes)?) })
    }

    /// The keys of the file at `path`, read again when its modification time changes.
    #[uniffi::constructor]
    pub fn from_file(path: String) -> FfiResult<Self> {
        Ok(FfiKeySource { inner: KeySource::from_file(path)? })
    }

    /// The JWK set at `url`, fetched when first needed and cached per `Cache-Control`.
    #[uniffi::constructor]
    pub fn from_jwks_url(url: String) -> FfiResult<Self> {
        Ok(FfiKeySource { inner: KeySource::from_jwks_url(&url, JwksOptions::default())? })
    }

    /// `fixed`, `file` or `jwks`.
    pub fn kind(&self) -> String {
        match &self.inner {
            KeySource::File(_) => "file",
            KeySource::Jwks(_) => "jwks",
            _ => "fixed",
        }
        .to_owned()
    }

    /// How many keys are in force now (a JWK set URL may be fetched first, which blocks).
    pub fn size(&self) -> FfiResult<u32> {
        let keys = self.inner.current()?;
        Ok(u32::try_from(keys.keys().len()).unwrap_or(u32::MAX))
    }

    /// The file's path, for a file source.
    pub fn path(&self) -> Option<String> {
        match &self.inner {
            KeySource::File(file) => Some(file.path().display().to_string()),
            _ => None,
        }
    }

    /// The URL without its query or user info (either may hold a credential), for a JWK set URL.
    pub fn url(&self) -> Option<String> {
        match &self.inner {
            KeySource::Jwks(jwks) => Some(jwks.url().to_owned()),
            _ => None,
        }
    }
}
