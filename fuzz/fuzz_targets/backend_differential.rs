//! taap's token (built on its default `aws-lc` backend) against one assembled from the wire
//! format and signed by the pure-Rust `rsa` crate (the `rustcrypto` backend's library), for
//! any ehts, `iat` and `jti`: the bytes must be identical, and each library must verify the
//! other's signature. PKCS#1 v1.5 is deterministic, so any divergence is a bug in one of them.
//!
//! Fields: key index, iat, jti, then `name␟value` pairs.
#![no_main]

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::sha2::{Digest, Sha256};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use taap::{token::BuildOptions, ErrorKind, PopToken, PopTokenValidator, PrivateKey};
use taap_fuzz::{assert_error, fields, integer, keys_dir, pair, text};

/// Committed RSA private keys of different sizes and origins.
const KEY_FILES: [&str; 4] = [
    "tmobile/readme-private-pkcs8.pem",
    "tmobile/dotnet-private-pkcs8.pem",
    "openssl/pkcs1-private.pem",
    "openssl/big-4096-private.pem",
];

/// Each key loaded by taap and by `rsa` (from taap's PKCS#8 export).
fn keys() -> &'static [(PrivateKey, SigningKey<Sha256>)] {
    static KEYS: OnceLock<Vec<(PrivateKey, SigningKey<Sha256>)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        KEY_FILES
            .iter()
            .map(|file| {
                let key = PrivateKey::from_file(keys_dir().join(file), None).expect("a committed key loads");
                let theirs = rsa::PrivateKey::from_pkcs8_der(&key.to_der()).expect("rsa loads taap's export");
                (key, SigningKey::new(theirs))
            })
            .collect()
    })
}

fn independent_token(signer: &SigningKey<Sha256>, ehts: &[(String, Vec<u8>)], iat: i64, jti: &str) -> String {
    let json = |value: &str| serde_json::to_string(value).expect("a string serialises");
    let mut digest = Sha256::new();
    for (_, value) in ehts {
        digest.update(value);
    }
    let names: Vec<&str> = ehts.iter().map(|(name, _)| name.as_str()).collect();
    let payload = format!(
        r#"{{"edts":{},"v":"1","exp":{},"ehts":{},"iat":{iat},"jti":{}}}"#,
        json(&URL_SAFE_NO_PAD.encode(digest.finalize())),
        iat + 120,
        json(&names.join(";")),
        json(jti),
    );
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = signer.sign(signing_input.as_bytes()).to_vec();
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fuzz_target!(|data: &[u8]| {
    let fields = fields(data);
    if fields.len() < 4 {
        return;
    }
    let keys = keys();
    let (key, signer) = &keys[integer(fields.first(), 0).unsigned_abs() as usize % keys.len()];
    // Far-future iat would overflow exp; the builder refuses it, which is not this target's subject.
    let iat = integer(fields.get(1), 1_767_225_600).clamp(0, 1 << 40);
    let jti = text(fields[2]);
    let ehts: Vec<(String, Vec<u8>)> = fields[3..]
        .iter()
        .map(|field| pair(field))
        .map(|(name, value)| (text(name), value.to_vec()))
        .collect();
    let options = BuildOptions::default().issued_at(iat).jti(jti.as_str());
    let ours = match PopToken::build_with(key, ehts.iter().map(|(n, v)| (n.as_str(), v.as_slice())), &options)
    {
        Ok(token) => token,
        Err(error) => return assert_error(&error, &[ErrorKind::InvalidEhts, ErrorKind::Config]),
    };
    let theirs = independent_token(signer, &ehts, iat, &jti);
    assert_eq!(ours, theirs, "aws-lc and rsa built different tokens");

    let (signing_input, signature) = ours.rsplit_once('.').expect("a JWS has three parts");
    let signature = Signature::try_from(URL_SAFE_NO_PAD.decode(signature).expect("base64url").as_slice())
        .expect("a signature of the key's size");
    let verifier: VerifyingKey<Sha256> = VerifyingKey::new(signer.as_ref().to_public_key());
    assert!(verifier.verify(signing_input.as_bytes(), &signature).is_ok(), "rsa refused AWS-LC's signature");
    let validated =
        PopTokenValidator::default().validate_at(&theirs, key.public_key(), ehts.as_slice(), iat + 1);
    assert!(validated.is_ok(), "AWS-LC refused rsa's signature: {validated:?}");
});
