//! Public-key loading (SPKI/PKCS#1 PEM and DER, JWK and JWK sets) on any bytes: a typed error,
//! or a 2048..=8192-bit key whose every export re-imports to the same key and thumbprint.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taap::{ErrorKind, PublicKey, keys::MAX_KEY_BITS, keys::MIN_KEY_BITS};
use taap_fuzz::assert_error;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for loaded in [PublicKey::from_pem(data), PublicKey::from_der(data), PublicKey::from_jwk(&text)] {
        match loaded {
            Ok(key) => {
                assert!((MIN_KEY_BITS..=MAX_KEY_BITS).contains(&key.bits()));
                assert_eq!(PublicKey::from_der(&key.to_der()).unwrap(), key);
                assert_eq!(PublicKey::from_der(&key.to_pkcs1_der()).unwrap(), key);
                assert_eq!(PublicKey::from_pem(key.to_pem()).unwrap(), key);
                assert_eq!(PublicKey::from_pem(key.to_pkcs1_pem()).unwrap(), key);
                let from_jwk = PublicKey::from_jwk(&key.to_jwk()).unwrap();
                assert_eq!(from_jwk, key);
                assert_eq!(from_jwk.thumbprint(), key.thumbprint());
            }
            Err(error) => assert_error(&error, &[ErrorKind::InvalidKey]),
        }
    }
});
