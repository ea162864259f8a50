//! The active crypto backend against the other one, used directly: for random keys, ehts,
//! `iat` and `jti`, taap's token is byte-identical to one assembled here and signed by the
//! other library (aws-lc-rs under `rustcrypto`, the `rsa` crate under `aws-lc`), and each
//! library verifies the other's signature. RSASSA-PKCS1-v1_5 is deterministic, so any
//! difference in hashing, padding or the modular exponentiation shows up as different bytes.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use taap::{token::BuildOptions, PopToken, PopTokenValidator, PrivateKey};

/// The other backend's library, called directly.
#[cfg(feature = "aws-lc")]
mod other {
    use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    use rsa::signature::{SignatureEncoding, Signer, Verifier};
    use rsa::{BoxedUint, PrivateKey, PublicKey};
    use sha2::{Digest, Sha256};

    pub const NAME: &str = "rsa";

    /// A fresh 2048-bit key as PKCS#8 DER.
    pub fn generate() -> Vec<u8> {
        let key = PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        key.to_pkcs8_der().unwrap().as_bytes().to_vec()
    }

    pub fn sha256(data: &[u8]) -> Vec<u8> {
        Sha256::digest(data).to_vec()
    }

    pub fn sign(pkcs8: &[u8], message: &[u8]) -> Vec<u8> {
        let key = SigningKey::<Sha256>::new(PrivateKey::from_pkcs8_der(pkcs8).unwrap());
        key.sign(message).to_vec()
    }

    pub fn verify(modulus: &[u8], exponent: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let uint = |bytes: &[u8]| BoxedUint::from_be_slice(bytes, bytes.len() as u32 * 8).unwrap();
        let key = VerifyingKey::<Sha256>::new(PublicKey::new(uint(modulus), uint(exponent)).unwrap());
        let signature = Signature::try_from(signature).unwrap();
        key.verify(message, &signature).is_ok()
    }
}

/// The other backend's library, called directly.
#[cfg(feature = "rustcrypto")]
mod other {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
    use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};

    pub const NAME: &str = "aws-lc-rs";

    /// A fresh 2048-bit key as PKCS#8 DER.
    pub fn generate() -> Vec<u8> {
        KeyPair::generate(KeySize::Rsa2048).unwrap().as_der().unwrap().as_ref().to_vec()
    }

    pub fn sha256(data: &[u8]) -> Vec<u8> {
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref().to_vec()
    }

    pub fn sign(pkcs8: &[u8], message: &[u8]) -> Vec<u8> {
        let key = KeyPair::from_pkcs8(pkcs8).unwrap();
        let mut signature = vec![0; key.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        key.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature).unwrap();
        signature
    }

    pub fn verify(modulus: &[u8], exponent: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let key = PublicKeyComponents { n: modulus, e: exponent };
        key.verify(&RSA_PKCS1_2048_8192_SHA256, message, signature).is_ok()
    }
}

/// Three keys from each library, as (taap key, PKCS#8 DER); generated once, RSA keygen is slow.
fn keys() -> &'static [(PrivateKey, Vec<u8>)] {
    static KEYS: OnceLock<Vec<(PrivateKey, Vec<u8>)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let ours = (0..3).map(|_| PrivateKey::generate(2048).unwrap());
        let theirs = (0..3).map(|_| PrivateKey::from_der(&other::generate(), None).unwrap());
        ours.chain(theirs)
            .map(|key| {
                let der = key.to_der().to_vec();
                (key, der)
            })
            .collect()
    })
}

/// 1 to 8 entries with unique, non-blank names free of ';' and arbitrary byte values.
fn ehts() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let name = "[A-Za-z0-9_\\-=\"\\\\ éü東]{1,12}".prop_filter("non-blank", |n| !n.trim().is_empty());
    prop::collection::vec((name, prop::collection::vec(any::<u8>(), 0..96)), 1..8).prop_map(|entries| {
        let mut seen = std::collections::HashSet::new();
        entries.into_iter().filter(|(name, _)| seen.insert(name.clone())).collect()
    })
}

/// The token assembled from the design's wire format, hashed and signed by the other library.
fn independent_token(pkcs8: &[u8], ehts: &[(String, Vec<u8>)], iat: i64, jti: &str) -> String {
    let json = |text: &str| serde_json::to_string(text).unwrap();
    let values: Vec<u8> = ehts.iter().flat_map(|(_, value)| value.iter().copied()).collect();
    let names: Vec<&str> = ehts.iter().map(|(name, _)| name.as_str()).collect();
    let payload = format!(
        r#"{{"edts":{},"v":"1","exp":{},"ehts":{},"iat":{iat},"jti":{}}}"#,
        json(&URL_SAFE_NO_PAD.encode(other::sha256(&values))),
        iat + 120,
        json(&names.join(";")),
        json(jti),
    );
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = other::sign(pkcs8, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn both_backends_build_the_same_bytes_and_verify_each_other(
        which in 0usize..6,
        ehts in ehts(),
        iat in 0i64..4_000_000_000,
        jti in any::<u128>(),
    ) {
        let (key, pkcs8) = &keys()[which];
        let jti = uuid::Uuid::from_u128(jti).to_string();
        let options = BuildOptions::default().issued_at(iat).jti(jti.as_str());
        let ours = PopToken::build_with(key, ehts.iter().map(|(n, v)| (n.as_str(), v.as_slice())), &options)
            .unwrap();
        let theirs = independent_token(pkcs8, &ehts, iat, &jti);
        prop_assert_eq!(&ours, &theirs, "taap and {} differ", other::NAME);

        let (signing_input, signature) = ours.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let public = key.public_key();
        prop_assert!(other::verify(public.modulus(), public.exponent(), signing_input.as_bytes(), &signature));
        let validated =
            PopTokenValidator::default().validate_at(&theirs, public, ehts.as_slice(), iat + 1).unwrap();
        prop_assert_eq!(validated.claims().jti.as_str(), jti.as_str());
    }
}

#[test]
fn a_signature_of_another_key_fails_on_both_sides() {
    let (key, _) = &keys()[0];
    let (_, other_pkcs8) = &keys()[3];
    let ehts = [("uri".to_owned(), b"/a".to_vec())];
    let forged = independent_token(other_pkcs8, &ehts, 1_767_225_600, "4f1c2a3b-0000-4000-8000-000000000000");
    let validated =
        PopTokenValidator::default().validate_at(&forged, key.public_key(), ehts.as_slice(), 1_767_225_601);
    assert_eq!(validated.unwrap_err().kind(), taap::ErrorKind::SignatureInvalid);
    let (signing_input, signature) = forged.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let public = key.public_key();
    assert!(!other::verify(public.modulus(), public.exponent(), signing_input.as_bytes(), &signature));
}

/// Both backends refuse a key whose numbers disagree, with the same kind and message: AWS-LC
/// checks the stored CRT values too, so the rustcrypto backend does as well.
#[test]
fn inconsistent_private_keys_are_refused_alike() {
    use pkcs1::der::{Decode, Encode};
    use pkcs1::{RsaPrivateKeyRef, UintRef};

    let der = keys()[0].1.clone();
    let info = pkcs8::PrivateKeyInfoRef::from_der(&der).unwrap();
    let key = RsaPrivateKeyRef::from_der(info.private_key.as_bytes()).unwrap();
    let fields = |key: &RsaPrivateKeyRef<'_>| {
        [key.private_exponent, key.prime1, key.exponent1, key.exponent2, key.coefficient]
            .map(|field| field.as_bytes().to_vec())
    };
    for corrupted in 0..5 {
        let mut numbers = fields(&key);
        *numbers[corrupted].last_mut().unwrap() ^= 2;
        let uint = |index: usize| UintRef::new(&numbers[index]).unwrap();
        let bad = RsaPrivateKeyRef {
            private_exponent: uint(0),
            prime1: uint(1),
            exponent1: uint(2),
            exponent2: uint(3),
            coefficient: uint(4),
            ..key.clone()
        };
        let error = PrivateKey::from_der(&bad.to_der().unwrap(), None).unwrap_err();
        assert_eq!(error.kind(), taap::ErrorKind::InvalidKey, "field {corrupted}");
        assert_eq!(
            error.to_string(),
            "invalid key: the RSA private key is inconsistent or unsupported (its numbers do not form a \
             valid two-prime RSA key)",
            "field {corrupted}"
        );
    }
}
