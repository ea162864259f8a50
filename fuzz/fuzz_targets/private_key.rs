//! Private-key loading (PEM, DER, encrypted PKCS#8 and traditional PEM, PKCS#1) on any bytes:
//! a typed error that never shows the password, or a 2048..=8192-bit key that exports and
//! re-imports to the same key.
//!
//! Input: `password␞key bytes`, or just key bytes (no password).
#![no_main]

use libfuzzer_sys::fuzz_target;
use taap::{ErrorKind, PrivateKey, PublicKey, keys::MAX_KEY_BITS, keys::MIN_KEY_BITS};
use taap_fuzz::{assert_error, FIELD};

type Loader = fn(&[u8], Option<&[u8]>) -> taap::Result<PrivateKey>;

fuzz_target!(|data: &[u8]| {
    let (password, key) = match data.iter().position(|&byte| byte == FIELD) {
        Some(at) => (Some(&data[..at]), &data[at + 1..]),
        None => (None, data),
    };
    let loaders: [Loader; 3] =
        [PrivateKey::from_bytes, |key, password| PrivateKey::from_pem(key, password), PrivateKey::from_der];
    for load in loaders {
        match load(key, password) {
            Ok(loaded) => {
                assert!((MIN_KEY_BITS..=MAX_KEY_BITS).contains(&loaded.bits()));
                let public = loaded.public_key();
                assert_eq!(&PublicKey::from_der(&public.to_der()).unwrap(), public);
                let exported = PrivateKey::from_der(&loaded.to_der(), None).unwrap();
                assert_eq!(exported.public_key(), public);
                let reloaded = PrivateKey::from_pem(loaded.to_pem().as_bytes(), None).unwrap();
                assert_eq!(reloaded.public_key(), public);
            }
            Err(error) => {
                assert_error(&error, &[ErrorKind::InvalidKey, ErrorKind::KeyDecrypt]);
                if let Some(password) = password {
                    assert_password_not_shown(&error, load, key, password);
                }
            }
        }
    }
});

/// A message that contains the password must read the same with any other password: the
/// words are the message's own, not the password's.
fn assert_password_not_shown(error: &taap::Error, load: Loader, key: &[u8], password: &[u8]) {
    let message = error.to_string();
    if password.len() < 4 || !message.contains(&*String::from_utf8_lossy(password)) {
        return;
    }
    let other: Vec<u8> = password.iter().map(|byte| byte ^ 0x55).collect();
    let again = load(key, Some(&other)).err().map(|error| error.to_string());
    assert_eq!(again.as_deref(), Some(message.as_str()), "the message shows the password");
}
