//! The signer notion: any `Signer` builds the vectors' tokens byte for byte, and a signature
//! that is short, wrong or missing never leaves taap.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::hazmat::PrehashSigner;
use rsa::signature::SignatureEncoding;
use serde_json::Value;
use taap::keys::{CallbackSigner, Signer, SignerKind};
use taap::token::BuildOptions;
use taap::{Error, ErrorKind, PopToken, PrivateKey, SignPolicy};

fn repo_tests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("tests")
}

fn token_cases() -> Vec<Value> {
    let text = std::fs::read_to_string(repo_tests().join("vectors").join("tokens.json")).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    vectors["cases"].as_array().unwrap().clone()
}

fn private_key(case: &Value) -> PrivateKey {
    let path = repo_tests().join("keys").join(case["key"].as_str().unwrap());
    PrivateKey::from_file(path, case["password"].as_str().map(str::as_bytes)).unwrap()
}

fn pairs(case: &Value) -> Vec<(String, String)> {
    let pair = |pair: &Value| (pair[0].as_str().unwrap().to_owned(), pair[1].as_str().unwrap().to_owned());
    case["ehts"].as_array().unwrap().iter().map(pair).collect()
}

fn options(case: &Value) -> BuildOptions {
    BuildOptions::default()
        .ttl_secs(case["ttl_secs"].as_i64().unwrap())
        .issued_at(case["iat"].as_i64().unwrap())
        .jti(case["jti"].as_str().unwrap())
}

/// A signer outside taap's backend: the `rsa` crate signing a digest it is handed, as a secure
/// element would.
fn device(key: &PrivateKey) -> impl Fn(&[u8; 32]) -> taap::Result<Vec<u8>> + Send + Sync + 'static {
    let device = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(
        rsa::PrivateKey::from_pkcs8_der(&key.to_der()).unwrap(),
    );
    move |digest: &[u8; 32]| Ok(device.sign_prehash(digest).unwrap().to_vec())
}

fn callback_signer(key: &PrivateKey) -> CallbackSigner {
    CallbackSigner::new(key.public_key().clone(), device(key))
}

fn vector_case() -> (Value, PrivateKey) {
    let case = token_cases().into_iter().next().unwrap();
    let key = private_key(&case);
    (case, key)
}

#[test]
fn a_callback_signer_makes_every_vector_token_byte_for_byte() {
    let cases = token_cases();
    assert!(cases.len() >= 10, "{} token vectors", cases.len());
    for case in cases {
        let key = private_key(&case);
        let signer = callback_signer(&key);
        let token = PopToken::build_with(&signer, pairs(&case), &options(&case)).unwrap();
        assert_eq!(token, case["token"].as_str().unwrap(), "{}", case["name"]);
    }
}

#[test]
fn the_callback_gets_the_sha256_digest_of_the_signing_input() {
    let (case, key) = vector_case();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sign = device(&key);
    let recorder = Arc::clone(&seen);
    let signer = CallbackSigner::new(key.public_key().clone(), move |digest: &[u8; 32]| {
        recorder.lock().unwrap().push(*digest);
        sign(digest)
    });
    let token = PopToken::build_with(&signer, pairs(&case), &options(&case)).unwrap();
    let signing_input = &token[..token.rfind('.').unwrap()];
    let expected: [u8; 32] = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, signing_input.as_bytes())
        .as_ref()
        .try_into()
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), [expected]);
}

#[test]
fn every_form_of_a_key_signs_alike() {
    let (case, key) = vector_case();
    let expected = case["token"].as_str().unwrap();
    let (ehts, options) = (pairs(&case), options(&case));
    let arc_key = Arc::new(private_key(&case));
    let arc_dyn: Arc<dyn Signer> = Arc::new(callback_signer(&key));
    let boxed: Box<dyn Signer> = Box::new(callback_signer(&key));
    let by_ref: &dyn Signer = &key;
    assert_eq!(PopToken::build_with(&key, ehts.clone(), &options).unwrap(), expected);
    assert_eq!(PopToken::build_with(&arc_key, ehts.clone(), &options).unwrap(), expected);
    assert_eq!(PopToken::build_with(&arc_dyn, ehts.clone(), &options).unwrap(), expected);
    assert_eq!(PopToken::build_with(&boxed, ehts.clone(), &options).unwrap(), expected);
    assert_eq!(PopToken::build_with(by_ref, ehts, &options).unwrap(), expected);
}

#[test]
fn requests_and_policies_take_any_signer() {
    let (case, key) = vector_case();
    let signer = callback_signer(&key);
    let options = options(&case);
    let headers = [("Content-Type", "application/json")];
    let url = "https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000";
    let in_memory = PopToken::for_request_with(&key, "POST", url, headers, b"{}", &options).unwrap();
    let by_callback = PopToken::for_request_with(&signer, "POST", url, headers, b"{}", &options).unwrap();
    assert_eq!(by_callback, in_memory);
    let policy = SignPolicy::new();
    let in_memory = policy.sign(&key, "GET", url, &headers, b"", &options).unwrap();
    assert_eq!(policy.sign(&signer, "GET", url, &headers, b"", &options).unwrap(), in_memory);
}

/// A callback's signature is refused as `SignatureInvalid`, naming the signer and the problem.
fn refused(sign: impl Fn(&[u8; 32]) -> taap::Result<Vec<u8>> + Send + Sync + 'static) -> Error {
    let (case, key) = vector_case();
    let signer = CallbackSigner::new(key.public_key().clone(), sign).with_label("se050:0xF0000100");
    PopToken::build_with(&signer, pairs(&case), &options(&case)).unwrap_err()
}

#[test]
fn a_short_or_long_signature_is_refused() {
    let (_, key) = vector_case();
    let short = refused({
        let sign = device(&key);
        move |digest: &[u8; 32]| sign(digest).map(|mut signature| signature.split_off(1))
    });
    assert_eq!(short.kind(), ErrorKind::SignatureInvalid);
    assert_eq!(
        short.to_string(),
        "PoP token signature invalid: the callback signer (se050:0xF0000100) returned 255 bytes; an \
         RS256 signature under its 2048-bit public key is 256 bytes; no token was made with it"
    );
    let long = refused({
        let sign = device(&key);
        move |digest: &[u8; 32]| {
            sign(digest).map(|mut signature| [vec![0], std::mem::take(&mut signature)].concat())
        }
    });
    assert_eq!(long.kind(), ErrorKind::SignatureInvalid);
    assert!(long.to_string().contains("returned 257 bytes"), "{long}");
    assert_eq!(refused(|_: &[u8; 32]| Ok(Vec::new())).kind(), ErrorKind::SignatureInvalid);
}

#[test]
fn a_signature_that_does_not_verify_is_refused() {
    let (_, key) = vector_case();
    let expected = "PoP token signature invalid: the callback signer (se050:0xF0000100) returned a \
                    signature that does not verify under its public key (another key, another hash \
                    or padding, or a corrupted signature); no token was made with it";
    let corrupted = refused({
        let sign = device(&key);
        move |digest: &[u8; 32]| {
            let mut signature = sign(digest)?;
            signature[100] ^= 1;
            Ok(signature)
        }
    });
    assert_eq!(corrupted.to_string(), expected);
    let other_key = PrivateKey::generate(2048).unwrap();
    let wrong_key = refused(device(&other_key));
    assert_eq!(wrong_key.to_string(), expected);
    let wrong_digest = refused({
        let sign = device(&key);
        move |_: &[u8; 32]| sign(&[0; 32])
    });
    assert_eq!(wrong_digest.to_string(), expected);
}

#[test]
fn a_failing_callback_s_error_is_passed_on_unchanged() {
    let failure = Error::Transport("the secure element did not answer".into());
    let returned = failure.clone();
    assert_eq!(refused(move |_: &[u8; 32]| Err(returned.clone())), failure);
}

#[test]
fn a_panicking_callback_leaves_the_signer_usable() {
    let (case, key) = vector_case();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let sign = device(&key);
    let signer = CallbackSigner::new(key.public_key().clone(), move |digest: &[u8; 32]| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("the device driver panicked");
        }
        sign(digest)
    });
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        PopToken::build_with(&signer, pairs(&case), &options(&case))
    }));
    assert!(first.is_err());
    let second = PopToken::build_with(&signer, pairs(&case), &options(&case)).unwrap();
    assert_eq!(second, case["token"].as_str().unwrap());
}

#[test]
fn signers_describe_themselves_without_secrets() {
    let (_, key) = vector_case();
    let thumbprint = key.public_key().thumbprint();
    assert_eq!(Signer::kind(&key), SignerKind::InMemory);
    assert_eq!(Signer::label(&key), format!("RSA-2048 key {thumbprint}"));
    let signer = callback_signer(&key);
    assert_eq!(signer.kind(), SignerKind::Callback);
    assert_eq!(signer.label(), format!("callback for RSA-2048 key {thumbprint}"));
    assert_eq!(
        format!("{signer:?}"),
        format!("CallbackSigner {{ label: \"callback for RSA-2048 key {thumbprint}\", bits: 2048, .. }}")
    );
    let shared: Arc<dyn Signer> = Arc::new(key);
    assert_eq!(
        format!("{shared:?}"),
        format!("Signer {{ kind: InMemory, label: \"RSA-2048 key {thumbprint}\", bits: 2048, .. }}")
    );
    assert_eq!(SignerKind::Pkcs11.to_string(), "pkcs11");
    assert_eq!(SignerKind::AwsKms.name(), "aws-kms");
}
