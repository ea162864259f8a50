//! Shared pieces of taap's fuzz targets: the input framing the seed corpus is written in,
//! the repository's test keys, and an independent RS256 check used as an oracle.
//!
//! Inputs are byte strings split into fields by `0x1E` (ASCII record separator); a field that
//! holds a name and a value splits them at the first `0x1F` (unit separator). The framing keeps
//! seeds readable and lets libFuzzer's byte mutations hit one field at a time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use taap::{PrivateKey, PublicKey};

/// Separates the fields of a fuzz input.
pub const FIELD: u8 = 0x1e;
/// Separates a name from its value inside one field.
pub const PAIR: u8 = 0x1f;

/// Splits `data` into its fields.
pub fn fields(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&byte| byte == FIELD).collect()
}

/// Splits one field into `(name, value)`; a field without `0x1F` is all name, empty value.
pub fn pair(field: &[u8]) -> (&[u8], &[u8]) {
    match field.iter().position(|&byte| byte == PAIR) {
        Some(at) => (&field[..at], &field[at + 1..]),
        None => (field, &[]),
    }
}

/// The field as text, lossily (invalid UTF-8 still reaches the parsers as U+FFFD).
pub fn text(field: &[u8]) -> String {
    String::from_utf8_lossy(field).into_owned()
}

/// A decimal integer field, or `default` when it is not one.
pub fn integer(field: Option<&&[u8]>, default: i64) -> i64 {
    field
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(default)
}

/// `tests/keys/` of the repository.
pub fn keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("keys")
}

/// The public keys the validator vectors use, sorted by path (seed files name them by index).
pub fn validator_keys() -> &'static [PublicKey] {
    static KEYS: OnceLock<Vec<PublicKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        VALIDATOR_KEY_FILES
            .iter()
            .map(|file| PublicKey::from_file(keys_dir().join(file)).expect("a committed test key loads"))
            .collect()
    })
}

/// Key files of `tests/vectors/validator.json`, sorted; `fuzz/build-corpus.py` uses the same list.
pub const VALIDATOR_KEY_FILES: [&str; 5] = [
    "tmobile/dotnet-public.pem",
    "tmobile/readme-public.pem",
    "tmobile/validator-demo-jwk-public.pem",
    "tmobile/validator-demo-pem-public.pem",
    "tmobile/validator-demo.jwk.json",
];

/// The private key of T-Mobile's README (public in their docs), for targets that sign.
pub fn signing_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PrivateKey::from_file(keys_dir().join("tmobile/readme-private-pkcs8.pem"), None)
            .expect("the committed README key loads")
    })
}

/// Whether `token` carries an RS256 signature by `key`, checked by `jsonwebtoken` (its own
/// splitting and base64 decoding), not by taap.
pub fn independently_verified(token: &str, key: &PublicKey) -> bool {
    let token = token.trim();
    let Some((signing_input, signature)) = token.rsplit_once('.') else { return false };
    let decoding = jsonwebtoken::DecodingKey::from_rsa_raw_components(key.modulus(), key.exponent());
    jsonwebtoken::crypto::verify(
        signature,
        signing_input.as_bytes(),
        &decoding,
        jsonwebtoken::Algorithm::RS256,
    )
    .unwrap_or(false)
}

/// The `edts` of `values` (base64url SHA-256 of their concatenation), computed without taap.
pub fn independent_edts<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> String {
    use base64::Engine;
    use sha2::Digest;
    let mut digest = sha2::Sha256::new();
    for value in values {
        digest.update(value);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.finalize())
}

/// Error messages stay one short line whatever the input: no echo of hostile input.
pub const MAX_MESSAGE_CHARS: usize = 512;

/// Panics unless `error` is one of `allowed` and its message is short.
pub fn assert_error(error: &taap::Error, allowed: &[taap::ErrorKind]) {
    assert!(allowed.contains(&error.kind()), "unexpected error kind {:?}: {error}", error.kind());
    let length = error.to_string().chars().count();
    assert!(length <= MAX_MESSAGE_CHARS, "a {length}-character error message: {error}");
}
