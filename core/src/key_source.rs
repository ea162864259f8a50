//! [`KeySource`]: where a validator finds one client's keys (given once, a file read again when
//! it changes, or, with the `client` feature, a JWK set URL), so that every validating door
//! (`taap serve`, `PopLayer`, the middleware) asks the same type and gets the same answers.

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::Result;
#[cfg(feature = "client")]
use crate::jwks::{JwksOptions, JwksUrl};
use crate::key_set::{request_kid, KeyFile, KeySet};
use crate::keys::PublicKey;
use crate::request::ReceivedRequest;
use crate::token::PopToken;
use crate::validator::PopTokenValidator;

/// Where a client's keys come from; clones share the source (its cache, its file watch).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum KeySource {
    /// Given once.
    Fixed(Arc<KeySet>),
    /// Read from a file, and again when it changes.
    File(Arc<KeyFile>),
    /// A JWK set fetched over HTTP(S), cached, fetched again for a `kid` it lacks.
    #[cfg(feature = "client")]
    Jwks(Arc<JwksUrl>),
}

impl KeySource {
    /// The keys of the file at `path` (PEM, JWK or JWK set), followed as it changes.
    pub fn from_file(path: impl Into<PathBuf>) -> Result<KeySource> {
        KeyFile::open(path).map(|file| KeySource::File(Arc::new(file)))
    }

    /// The JWK set served at `url` (`http` or `https`), fetched when first needed.
    #[cfg(feature = "client")]
    pub fn from_jwks_url(url: &str, options: JwksOptions) -> Result<KeySource> {
        JwksUrl::new(url, options).map(|jwks| KeySource::Jwks(Arc::new(jwks)))
    }

    /// The keys in force now; a JWK set URL with no usable copy cached is fetched first
    /// (this may block), and [`crate::Error::KeySourceUnavailable`] when it cannot be.
    pub fn current(&self) -> Result<Arc<KeySet>> {
        self.keys_for(None)
    }

    /// The keys for a token naming `kid` (or none): a JWK set URL whose cached set lacks that
    /// `kid` is fetched again first (bounded and rate-limited; this may block).
    pub fn keys_for(&self, kid: Option<&str>) -> Result<Arc<KeySet>> {
        // Only a JWK set URL looks at the `kid`.
        #[cfg(not(feature = "client"))]
        let _ = kid;
        match self {
            KeySource::Fixed(keys) => Ok(Arc::clone(keys)),
            KeySource::File(file) => Ok(file.keys()),
            #[cfg(feature = "client")]
            KeySource::Jwks(jwks) => jwks.keys_for(kid),
        }
    }

    /// [`KeySource::keys_for`] when memory can answer; `None` when only a fetch can, so that
    /// an async caller moves the blocking call off its runtime's workers.
    pub fn try_keys_for(&self, kid: Option<&str>) -> Option<Result<Arc<KeySet>>> {
        match self {
            #[cfg(feature = "client")]
            KeySource::Jwks(jwks) => jwks.try_keys_for(kid),
            _ => Some(self.keys_for(kid)),
        }
    }
}

impl From<PublicKey> for KeySource {
    fn from(key: PublicKey) -> Self {
        KeySource::Fixed(Arc::new(KeySet::from(key)))
    }
}

impl From<KeySet> for KeySource {
    fn from(keys: KeySet) -> Self {
        KeySource::Fixed(Arc::new(keys))
    }
}

impl PopTokenValidator {
    /// [`PopTokenValidator::validate_request_with_keys`] with the keys `source` has for the
    /// token's `kid`; [`crate::Error::KeySourceUnavailable`] when the source cannot say.
    pub fn validate_request_with_source(
        &self,
        source: &KeySource,
        request: &ReceivedRequest<'_>,
        now: i64,
    ) -> Result<(PopToken, PublicKey)> {
        let keys = source.keys_for(request_kid(request).as_deref())?;
        self.validate_request_with_keys(&keys, request, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;

    #[test]
    fn fixed_sources_answer_from_memory_with_their_keys() {
        let key = PrivateKey::generate(2048).unwrap();
        let source = KeySource::from(key.public_key().clone());
        let thumbprint = key.public_key().thumbprint();
        let keys = source.try_keys_for(Some("any")).unwrap().unwrap();
        assert_eq!(keys.keys()[0].key.thumbprint(), thumbprint);
        assert_eq!(source.current().unwrap().keys().len(), 1);
        assert_eq!(keys.with_thumbprint(&thumbprint).map(|set| set.keys().len()), Some(1));
        assert!(keys.with_thumbprint("other").is_none());
    }

    #[test]
    fn a_missing_file_is_a_config_error() {
        let error = KeySource::from_file("/nonexistent/keys.json").unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Config);
    }
}
