//! Key loading, export, sharing across threads, and secret hygiene of `Debug`.

use std::sync::Arc;

use taap::{validate::ValidatorOptions, Error, PopToken, PopTokenValidator, PrivateKey, PublicKey};

fn key_file(relative: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(relative)
}

fn readme_key() -> PrivateKey {
    PrivateKey::from_file(key_file("tmobile/readme-private-pkcs8.pem"), None).unwrap()
}

#[test]
fn keys_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PrivateKey>();
    assert_send_sync::<PublicKey>();
    assert_send_sync::<PopTokenValidator>();
}

#[test]
fn one_key_signs_from_many_threads() {
    let key = Arc::new(readme_key());
    let validator =
        PopTokenValidator::new(ValidatorOptions { replay_cache: Some(1000), ..Default::default() }).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let (key, validator) = (Arc::clone(&key), validator.clone());
            std::thread::spawn(move || {
                for call in 0..25 {
                    let uri = format!("/thread/{thread}/call/{call}");
                    let values = [("uri", uri.as_bytes()), ("http-method", b"GET")];
                    let token = PopToken::build(&key, values).unwrap();
                    validator.validate(&token, key.public_key(), &values).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn generated_keys_round_trip_through_pem_der_and_jwk() {
    let key = PrivateKey::generate(2048).unwrap();
    assert_eq!(key.bits(), 2048);
    let again = PrivateKey::from_pem(key.to_pem().as_bytes(), None).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    let from_der = PrivateKey::from_der(&key.to_der(), None).unwrap();
    assert_eq!(from_der.public_key(), key.public_key());
    let public = key.public_key();
    assert_eq!(&PublicKey::from_pem(public.to_pem()).unwrap(), public);
    assert_eq!(&PublicKey::from_pem(public.to_pkcs1_pem()).unwrap(), public);
    assert_eq!(&PublicKey::from_der(&public.to_der()).unwrap(), public);
    assert_eq!(&PublicKey::from_der(&public.to_pkcs1_der()).unwrap(), public);
    assert_eq!(&PublicKey::from_jwk(&public.to_jwk()).unwrap(), public);
    assert!(public.to_pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert!(key.to_pem().starts_with("-----BEGIN PRIVATE KEY-----\n"));
}

#[test]
fn exported_public_key_matches_openssl() {
    let key = PrivateKey::from_file(key_file("openssl/pkcs8-private.pem"), None).unwrap();
    let openssl = std::fs::read_to_string(key_file("openssl/spki-public.pem")).unwrap();
    assert_eq!(key.public_key().to_pem(), openssl);
    let openssl_pkcs1 = std::fs::read_to_string(key_file("openssl/pkcs1-public.pem")).unwrap();
    assert_eq!(key.public_key().to_pkcs1_pem(), openssl_pkcs1);
}

#[test]
fn jwk_export_has_the_expected_members_and_thumbprint() {
    let public = PublicKey::from_file(key_file("tmobile/validator-demo-jwk-public.pem")).unwrap();
    let jwk: serde_json::Value = serde_json::from_str(&public.to_jwk()).unwrap();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["e"], "AQAB");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["use"], "sig");
    assert_eq!(jwk["kid"], public.thumbprint());
    let tmobile = std::fs::read_to_string(key_file("tmobile/validator-demo.jwk.json")).unwrap();
    let tmobile: serde_json::Value = serde_json::from_str(&tmobile).unwrap();
    assert_eq!(jwk["n"].as_str().unwrap(), tmobile["n"].as_str().unwrap().trim_end_matches('='));
}

#[test]
fn debug_output_shows_no_key_material() {
    let key = readme_key();
    let pem = std::fs::read_to_string(key_file("tmobile/readme-private-pkcs8.pem")).unwrap();
    let debug = format!("{key:?}");
    assert!(debug.starts_with("PrivateKey { bits: 2048, public_thumbprint: "), "{debug}");
    for line in pem.lines().filter(|line| !line.starts_with("-----")) {
        assert!(!debug.contains(&line[..16]), "{debug}");
    }
}

#[test]
fn malformed_inputs_are_invalid_keys() {
    let cases: [&[u8]; 7] = [
        b"",
        b"garbage",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        &[0x30, 0x82, 0xff, 0xff, 0x02],
        &[0x30, 0x03, 0x02, 0x01, 0x00],
    ];
    for bytes in cases {
        assert!(matches!(PrivateKey::from_bytes(bytes, None), Err(Error::InvalidKey(_))), "{bytes:?}");
        assert!(matches!(PublicKey::from_pem(bytes), Err(Error::InvalidKey(_))), "{bytes:?}");
    }
    assert!(matches!(PrivateKey::from_file("/nonexistent/key.pem", None), Err(Error::InvalidKey(_))));
}

#[test]
fn weak_and_non_rsa_keys_say_why() {
    let message = |file: &str| PrivateKey::from_file(key_file(file), None).unwrap_err().to_string();
    assert_eq!(
        message("openssl/small-1024-private.pem"),
        "invalid key: the RSA key is 1024 bits; TAAP needs at least 2048 bits (generate a new one with `taap keygen`)"
    );
    assert!(
        message("openssl/ec-p256-private.pem").contains("EC key; TAAP signs with RS256 and needs an RSA key")
    );
    assert!(message("openssl/ed25519-private.pem").contains("Ed25519 key"));
    assert_eq!(PrivateKey::generate(1024).unwrap_err().kind(), taap::ErrorKind::Config);
}

#[test]
fn wrong_password_messages_contain_no_password() {
    let error = PrivateKey::from_file(key_file("openssl/pbes2-aes256-private.pem"), Some(b"hunter2-secret"))
        .unwrap_err();
    assert_eq!(error.kind(), taap::ErrorKind::KeyDecrypt);
    assert!(!error.to_string().contains("hunter2"));
    assert!(!format!("{error:?}").contains("hunter2"));
}

#[test]
fn tokens_too_long_to_decode_are_refused_before_signing() {
    let key = readme_key();
    let at_limit = "n".repeat(44_000);
    let token = PopToken::build(&key, [(at_limit.as_str(), "v")]).unwrap();
    assert!(token.len() <= taap::token::MAX_TOKEN_BYTES, "{}", token.len());
    assert!(PopToken::decode(&token).is_ok());
    let too_long = "n".repeat(60_000);
    let error = PopToken::build(&key, [(too_long.as_str(), "v")]).unwrap_err();
    assert_eq!(error.kind(), taap::ErrorKind::InvalidEhts);
    assert!(error.to_string().contains("PoP tokens are at most 65536"), "{error}");
    let controls = "\u{1}".repeat(9_000); // JSON escapes each as six bytes
    assert_eq!(
        PopToken::build(&key, [(controls.as_str(), "v")]).unwrap_err().kind(),
        taap::ErrorKind::InvalidEhts
    );
}
