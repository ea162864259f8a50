//! A client's public keys for a validator: several at once, each with an optional `kid` and
//! validity window, so that a key can be rotated with an overlap (old and new both accepted
//! until the old one's window ends), and [`KeyFile`]: such a set read from a file and read again
//! when the file changes, without a restart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::error::{shorten, Error, ErrorKind, Result};
use crate::keys::PublicKey;
use crate::request::ReceivedRequest;
use crate::token::PopToken;
use crate::validator::PopTokenValidator;

/// How often a [`KeyFile`] looks at its file's modification time, at most.
pub const KEY_FILE_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// One registered key of a client.
#[derive(Debug, Clone)]
pub struct ClientKey {
    /// The key its PoP tokens verify with.
    pub key: PublicKey,
    /// The JWK `kid`, when the set names its keys.
    pub kid: Option<String>,
    /// Accepted from this time (epoch seconds); JWK member `nbf`.
    pub not_before: Option<i64>,
    /// Accepted until this time (epoch seconds); JWK member `exp`.
    pub not_after: Option<i64>,
}

impl ClientKey {
    fn current(&self, now: i64) -> bool {
        self.not_before.is_none_or(|from| now >= from) && self.not_after.is_none_or(|until| now <= until)
    }
}

/// The keys one client's tokens may be signed with.
#[derive(Debug, Clone)]
pub struct KeySet {
    keys: Vec<ClientKey>,
}

impl From<PublicKey> for KeySet {
    fn from(key: PublicKey) -> Self {
        KeySet { keys: vec![ClientKey { key, kid: None, not_before: None, not_after: None }] }
    }
}

impl KeySet {
    /// A set of `keys` (at least one).
    pub fn new(keys: Vec<ClientKey>) -> Result<KeySet> {
        if keys.is_empty() {
            return Err(Error::InvalidKey("a key set needs at least one key".into()));
        }
        Ok(KeySet { keys })
    }

    /// Reads a JWK set (RFC 7517 `{"keys": […]}`: RSA keys, each with an optional `kid` and
    /// the validity members `nbf`/`exp` in epoch seconds), a single JWK, or a PEM/DER key.
    pub fn parse(bytes: &[u8]) -> Result<KeySet> {
        let text = String::from_utf8_lossy(bytes);
        let trimmed = text.trim_start();
        if !trimmed.starts_with('{') {
            let key = if trimmed.contains("-----BEGIN") {
                PublicKey::from_pem(bytes)
            } else {
                PublicKey::from_der(bytes)
            };
            return key.map(KeySet::from);
        }
        let value: Value = serde_json::from_str(trimmed).map_err(|error| {
            Error::InvalidKey(format!("the key set is not JSON: {}", shorten(&error.to_string(), 80)))
        })?;
        match value.get("keys").and_then(Value::as_array) {
            Some(members) => {
                KeySet::new(members.iter().enumerate().map(|(i, m)| jwk_entry(i, m)).collect::<Result<_>>()?)
            }
            None => jwk_entry(0, &value).map(|key| KeySet { keys: vec![key] }),
        }
    }

    /// [`KeySet::parse`] of a file's contents.
    pub fn from_file(path: impl AsRef<Path>) -> Result<KeySet> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|error| {
            Error::Config(format!("cannot read the key file {}: {error}", path.display()))
        })?;
        KeySet::parse(&bytes)
    }

    /// Every key of the set.
    pub fn keys(&self) -> &[ClientKey] {
        &self.keys
    }

    /// Whether a key of the set is named `kid` (a key source refetches for a `kid` it lacks).
    pub fn names(&self, kid: &str) -> bool {
        self.keys.iter().any(|entry| entry.kid.as_deref() == Some(kid))
    }

    /// The entries holding the key whose RFC 7638 thumbprint is `thumbprint`, windows kept
    /// (an access token binds to one key of its client); `None` when the set lacks it.
    pub fn with_thumbprint(&self, thumbprint: &str) -> Option<KeySet> {
        let keys: Vec<ClientKey> =
            self.keys.iter().filter(|entry| entry.key.thumbprint() == thumbprint).cloned().collect();
        (!keys.is_empty()).then_some(KeySet { keys })
    }

    /// The keys a token with `kid` (or none) may verify with at `now`: every key in its window,
    /// but with a `kid`, none named by another `kid`.
    pub fn candidates<'a>(
        &'a self,
        kid: Option<&'a str>,
        now: i64,
    ) -> impl Iterator<Item = &'a PublicKey> + 'a {
        self.keys
            .iter()
            .filter(move |entry| {
                // A `kid` rules out the keys named otherwise; a key registered without one (a PEM
                // file) is not named, so it stays a candidate.
                entry.current(now) && kid.is_none_or(|kid| entry.kid.as_deref().is_none_or(|own| own == kid))
            })
            .map(|entry| &entry.key)
    }
}

fn jwk_entry(index: usize, member: &Value) -> Result<ClientKey> {
    let named = |what: &str| Error::InvalidKey(format!("key {index} of the set: {what}"));
    let key = PublicKey::from_jwk(&member.to_string()).map_err(|error| match error {
        // Already an invalid-key error: its own words, without the kind's prefix a second time.
        Error::InvalidKey(message) => named(&message),
        other => named(&other.to_string()),
    })?;
    let seconds = |name: &str| match member.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            value.as_i64().map(Some).ok_or_else(|| named(&format!("{name} must be epoch seconds")))
        }
    };
    let kid = member.get("kid").and_then(Value::as_str).map(str::to_owned);
    Ok(ClientKey { key, kid, not_before: seconds("nbf")?, not_after: seconds("exp")? })
}

/// The `kid` of a token's JOSE header, if it names one (read before verifying: it only picks
/// which key verifies, or which key set a key source must fetch).
pub fn token_kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let json = crate::base64url_decode(header)?;
    let value: Value = serde_json::from_slice(&json).ok()?;
    value.get("kid")?.as_str().map(str::to_owned)
}

/// The `kid` of the PoP token a received request carries in `X-Authorization`, if any.
pub fn request_kid(request: &ReceivedRequest<'_>) -> Option<String> {
    request.pop_token().and_then(|token| std::str::from_utf8(token).ok()).and_then(token_kid)
}

impl PopTokenValidator {
    /// [`PopTokenValidator::validate_request_at`] against a client's key set: the key the
    /// token's `kid` names, else each key in its window until one verifies the signature.
    /// Returns the token and the key that verified it (an access token binds to that key).
    pub fn validate_request_with_keys(
        &self,
        keys: &KeySet,
        request: &ReceivedRequest<'_>,
        now: i64,
    ) -> Result<(PopToken, PublicKey)> {
        first_that_verifies(keys, request, now, |key| self.validate_request_at(key, request, now))
    }

    /// Every check of [`PopTokenValidator::validate_request_with_keys`] but replay, for a
    /// shared replay store that admits the `jti` itself (namespaced by the returned key).
    pub fn verify_request_with_keys(
        &self,
        keys: &KeySet,
        request: &ReceivedRequest<'_>,
        now: i64,
    ) -> Result<(PopToken, PublicKey)> {
        first_that_verifies(keys, request, now, |key| self.verify_request_at(key, request, now))
    }
}

/// The token `check` accepts with the first candidate key of `keys`, and that key; a wrong
/// signature moves on to the next candidate, any other refusal is final.
fn first_that_verifies(
    keys: &KeySet,
    request: &ReceivedRequest<'_>,
    now: i64,
    check: impl Fn(&PublicKey) -> Result<PopToken>,
) -> Result<(PopToken, PublicKey)> {
    let kid = request_kid(request);
    let mut last = None;
    for key in keys.candidates(kid.as_deref(), now) {
        match check(key) {
            Ok(token) => return Ok((token, key.clone())),
            // Another key of the client may have signed it.
            Err(error) if error.kind() == ErrorKind::SignatureInvalid => last = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last.unwrap_or_else(|| match kid {
        Some(kid) => {
            Error::SignatureInvalid(format!("no current key of this client has kid {}", shorten(&kid, 64)))
        }
        None => Error::SignatureInvalid("this client has no key valid now".into()),
    }))
}

/// A [`KeySet`] kept in a file that operators replace to rotate keys: read again when its
/// modification time changes (looked at once per [`KEY_FILE_CHECK_INTERVAL`] at most). A file
/// that cannot be read or parsed while being replaced leaves the set it held in force.
#[derive(Debug)]
pub struct KeyFile {
    path: PathBuf,
    current: RwLock<(Option<SystemTime>, Arc<KeySet>)>,
    checked: Mutex<Instant>,
    last_error: Mutex<Option<String>>,
}

impl KeyFile {
    /// Reads `path` now; an unreadable or invalid file is an error here (and only here).
    pub fn open(path: impl Into<PathBuf>) -> Result<KeyFile> {
        let path = path.into();
        let modified = modified(&path);
        let keys = KeySet::from_file(&path)?;
        Ok(KeyFile {
            path,
            current: RwLock::new((modified, Arc::new(keys))),
            checked: Mutex::new(Instant::now()),
            last_error: Mutex::new(None),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The keys in force, after reading the file again if it changed.
    pub fn keys(&self) -> Arc<KeySet> {
        self.reload_if_changed();
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner).1)
    }

    /// Why the last attempt to read the changed file failed, if it did (the old set stays).
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn reload_if_changed(&self) {
        {
            let mut checked = self.checked.lock().unwrap_or_else(PoisonError::into_inner);
            if checked.elapsed() < KEY_FILE_CHECK_INTERVAL {
                return;
            }
            *checked = Instant::now();
        }
        let modified = modified(&self.path);
        if modified == self.current.read().unwrap_or_else(PoisonError::into_inner).0 {
            return;
        }
        let mut error = self.last_error.lock().unwrap_or_else(PoisonError::into_inner);
        match KeySet::from_file(&self.path) {
            Ok(keys) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = (modified, Arc::new(keys));
                *error = None;
            }
            // Half-written or wrong: keep serving with the set in force; try again next time.
            Err(failure) => *error = Some(failure.to_string()),
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|metadata| metadata.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;

    fn jwk(key: &PublicKey, extra: Value) -> Value {
        let mut jwk: Value = serde_json::from_str(&key.to_jwk()).unwrap();
        jwk.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        jwk
    }

    #[test]
    fn a_set_picks_by_kid_and_by_window() {
        let (a, b) = (PrivateKey::generate(2048).unwrap(), PrivateKey::generate(2048).unwrap());
        let set = serde_json::json!({ "keys": [
            jwk(a.public_key(), serde_json::json!({ "kid": "a", "exp": 100 })),
            jwk(b.public_key(), serde_json::json!({ "kid": "b", "nbf": 50 })),
        ]});
        let keys = KeySet::parse(set.to_string().as_bytes()).unwrap();
        let thumbprints =
            |kid: Option<&str>, now| keys.candidates(kid, now).map(PublicKey::thumbprint).collect::<Vec<_>>();
        let (ta, tb) = (a.public_key().thumbprint(), b.public_key().thumbprint());
        assert_eq!(thumbprints(None, 10), vec![ta.clone()]);
        assert_eq!(thumbprints(None, 60), vec![ta.clone(), tb.clone()]);
        assert_eq!(thumbprints(None, 101), vec![tb]);
        assert_eq!(thumbprints(Some("a"), 60), vec![ta]);
        assert_eq!(thumbprints(Some("c"), 60), Vec::<String>::new());
        // A key registered without a kid is a candidate for any token.
        let unnamed = KeySet::from(a.public_key().clone());
        assert_eq!(unnamed.candidates(Some("k-1"), 0).count(), 1);
    }

    #[test]
    fn bad_sets_are_typed_errors_naming_the_entry() {
        let empty = KeySet::parse(br#"{"keys": []}"#).unwrap_err();
        assert_eq!(empty.to_string(), "invalid key: a key set needs at least one key");
        let key = PrivateKey::generate(2048).unwrap();
        let bad_window =
            serde_json::json!({ "keys": [jwk(key.public_key(), serde_json::json!({ "exp": "soon" }))] });
        let error = KeySet::parse(bad_window.to_string().as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), "invalid key: key 0 of the set: exp must be epoch seconds");
        assert_eq!(KeySet::parse(b"{").unwrap_err().kind(), ErrorKind::InvalidKey);
        let pem = KeySet::parse(key.public_key().to_pem().as_bytes()).unwrap();
        assert_eq!(pem.keys().len(), 1);
    }
}
