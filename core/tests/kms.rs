//! The AWS KMS signer against moto's KMS (`moto_server`, installed by `scripts/setup.sh` in the
//! tools venv, `.venv` or `$TAAP_TOOLS_VENV`), started on a free loopback port and stopped by
//! this binary. moto makes its own keys and cannot import one, so byte-for-byte equality with a
//! vector key is not testable here; what is: the token verifies under the key's public key, the
//! key's ARN, alias and id sign alike, the same claims give the same token (RS256 is
//! deterministic), and each refusal is its typed error. A missing moto fails, never skips.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use taap::keys::{open_signer, KmsSigner, Signer, SignerKind};
use taap::token::{BuildOptions, Ehts};
use taap::{ErrorKind, PopToken, PopTokenValidator};

struct Moto {
    keys: Keys,
    _server: Server,
}

/// The key ids moto made for the tests.
struct Keys {
    rsa: String,
    arn: String,
    encrypt_only: String,
    ecc: String,
}

/// moto's process, stopped by its id when the one test that owns it ends, passed or failed.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn moto_server() -> PathBuf {
    let venv = std::env::var_os("TAAP_TOOLS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv"));
    let server = venv.join("bin/moto_server");
    assert!(
        server.exists(),
        "{} is missing: run `bash scripts/setup.sh` (it installs moto[server])",
        server.display()
    );
    server
}

/// One KMS call as boto3 would make it; moto reads the region from the credential scope.
fn kms(url: &str, action: &str, body: Value) -> Value {
    let authorization = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/kms/aws4_request, \
                         SignedHeaders=host;x-amz-date, Signature=0";
    let mut response = ureq::post(url)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", format!("TrentService.{action}"))
        .header("Authorization", authorization)
        .send(body.to_string())
        .unwrap();
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

fn create_key(url: &str, spec: &str, usage: &str) -> Value {
    kms(url, "CreateKey", json!({ "KeySpec": spec, "KeyUsage": usage }))["KeyMetadata"].clone()
}

fn start_moto() -> Moto {
    {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let server = Server(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "moto_server did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let url = format!("http://127.0.0.1:{port}/");
        // Set before any signer opens; every test of this binary uses the same service.
        std::env::set_var("AWS_ENDPOINT_URL", &url);
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing-secret");
        std::env::set_var("AWS_REGION", "us-east-1");
        let rsa = create_key(&url, "RSA_2048", "SIGN_VERIFY");
        kms(&url, "CreateAlias", json!({ "AliasName": "alias/taap-client", "TargetKeyId": rsa["KeyId"] }));
        let keys = Keys {
            rsa: rsa["KeyId"].as_str().unwrap().to_owned(),
            arn: rsa["Arn"].as_str().unwrap().to_owned(),
            encrypt_only: create_key(&url, "RSA_2048", "ENCRYPT_DECRYPT")["KeyId"]
                .as_str()
                .unwrap()
                .to_owned(),
            ecc: create_key(&url, "ECC_NIST_P256", "SIGN_VERIFY")["KeyId"].as_str().unwrap().to_owned(),
        };
        Moto { keys, _server: server }
    }
}

/// One test owns the service, so it is stopped whatever happens; the cases run in order.
#[test]
fn the_kms_signer_against_moto() {
    let moto = start_moto();
    a_kms_key_by_id_alias_or_arn_signs_tokens_that_verify(&moto);
    a_long_signing_input_goes_as_a_digest_and_moto_s_wrong_signature_is_refused(&moto);
    a_missing_key_or_one_that_cannot_sign_rs256_is_invalid_key(&moto);
    a_bad_key_name_is_config();
    // These change the environment, so they come last.
    an_unreachable_endpoint_is_transport(&moto);
    no_credentials_is_config(&moto);
}

fn fixed() -> BuildOptions {
    BuildOptions::default().issued_at(1_767_225_600).jti("d10e897e-3fad-44fe-9cce-6ea6c6b804e9")
}

const EHTS: [(&str, &str); 3] =
    [("Content-Type", "application/json"), ("uri", "/commerce/v1/orders"), ("http-method", "POST")];

fn a_kms_key_by_id_alias_or_arn_signs_tokens_that_verify(moto: &Moto) {
    let by_id = KmsSigner::open(&format!("aws-kms:{}", moto.keys.rsa)).unwrap();
    let by_alias = open_signer("aws-kms:alias/taap-client", None).unwrap();
    let by_arn = open_signer(format!("aws-kms:{}", moto.keys.arn), None).unwrap();
    assert_eq!(by_id.kind(), SignerKind::AwsKms);
    assert_eq!(by_id.label(), format!("aws-kms:{} (us-east-1)", moto.keys.rsa));
    assert_eq!(by_alias.label(), "aws-kms:alias/taap-client (us-east-1)");
    assert_eq!(by_alias.public_key(), by_id.public_key());
    assert_eq!(by_arn.public_key(), by_id.public_key());

    let token = PopToken::build_with(&by_id, EHTS, &fixed()).unwrap();
    // RS256 is deterministic: the same key and claims give the same token, however named.
    assert_eq!(PopToken::build_with(&by_alias, EHTS, &fixed()).unwrap(), token);
    assert_eq!(PopToken::build_with(&by_arn, EHTS, &fixed()).unwrap(), token);
    let values: Vec<(&str, &[u8])> = EHTS.iter().map(|(name, value)| (*name, value.as_bytes())).collect();
    let checked =
        PopTokenValidator::default().validate_at(&token, by_id.public_key(), &values, 1_767_225_610);
    assert_eq!(checked.unwrap().claims().jti, "d10e897e-3fad-44fe-9cce-6ea6c6b804e9");
    assert!(!format!("{by_id:?}").contains("testing-secret"));
}

/// Over 4096 bytes of signing input go as `MessageType=DIGEST`; moto 5.2 hashes that digest
/// once more (AWS does not), so its signature does not verify and taap refuses it: the check
/// that stands between any signer and a token.
fn a_long_signing_input_goes_as_a_digest_and_moto_s_wrong_signature_is_refused(moto: &Moto) {
    let signer = KmsSigner::open(&moto.keys.rsa).unwrap();
    let mut ehts = Ehts::new();
    for index in 0..90 {
        ehts.push(&format!("X-Header-{index:02}-{}", "n".repeat(40)), "v").unwrap();
    }
    ehts.push("uri", "/v1").unwrap();
    let error = PopToken::sign(&signer, &ehts, &fixed()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::SignatureInvalid);
    assert_eq!(
        error.to_string(),
        format!(
            "PoP token signature invalid: the aws-kms signer (aws-kms:{} (us-east-1)) returned a signature \
             that does not verify under its public key (another key, another hash or padding, or a \
             corrupted signature); no token was made with it",
            moto.keys.rsa
        )
    );
}

fn a_missing_key_or_one_that_cannot_sign_rs256_is_invalid_key(moto: &Moto) {
    let missing = KmsSigner::open("aws-kms:alias/absent").unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::InvalidKey);
    assert!(
        missing.to_string().starts_with(
            "invalid key: AWS KMS GetPublicKey for aws-kms:alias/absent (us-east-1) answered HTTP 400 NotFoundException: "
        ),
        "{missing}"
    );
    let encrypt_only = KmsSigner::open(&moto.keys.encrypt_only).unwrap_err();
    assert_eq!(
        encrypt_only.to_string(),
        format!(
            "invalid key: the KMS key aws-kms:{} (us-east-1) is for ENCRYPT_DECRYPT, not SIGN_VERIFY",
            moto.keys.encrypt_only
        )
    );
    let ecc = KmsSigner::open(&moto.keys.ecc).unwrap_err();
    assert_eq!(
        ecc.to_string(),
        format!(
            "invalid key: the KMS key aws-kms:{} (us-east-1) is ECC_NIST_P256; RS256 needs an RSA key that \
             signs with RSASSA_PKCS1_V1_5_SHA_256",
            moto.keys.ecc
        )
    );
}

fn a_bad_key_name_is_config() {
    for name in ["aws-kms:", "aws-kms:arn:aws:s3:::bucket"] {
        let error = KmsSigner::open(name).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{name}: {error}");
    }
}

fn an_unreachable_endpoint_is_transport(moto: &Moto) {
    let moto_url = std::env::var("AWS_ENDPOINT_URL").unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::env::set_var("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{closed}/"));
    let error = KmsSigner::open(&moto.keys.rsa).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(
        error.to_string().starts_with(&format!("transport error: POST http://127.0.0.1:{closed}/: ")),
        "{error}"
    );
    std::env::set_var("AWS_ENDPOINT_URL", "http://kms.example.com/");
    let error = KmsSigner::open(&moto.keys.rsa).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid configuration: AWS_ENDPOINT_URL uses plain http to another machine; use https \
         (credentials and tokens travel in it)"
    );
    std::env::set_var("AWS_ENDPOINT_URL", moto_url);
}

fn no_credentials_is_config(moto: &Moto) {
    std::env::remove_var("AWS_ACCESS_KEY_ID");
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    let error = KmsSigner::open(&moto.keys.rsa).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid configuration: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         or give profile \"default\" aws_access_key_id and aws_secret_access_key in /nonexistent/credentials"
    );
    assert!(!error.to_string().contains("testing-secret"));
}
