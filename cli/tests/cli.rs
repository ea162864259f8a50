//! The `taap` binary, driven as users drive it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests")
}

fn key(relative: &str) -> String {
    tests_dir().join("keys").join(relative).display().to_string()
}

fn taap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taap")).args(args).output().unwrap()
}

fn taap_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taap")).args(args).envs(env.iter().copied()).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn vector(file: &str, name: &str) -> Value {
    let text = std::fs::read_to_string(tests_dir().join("vectors").join(file)).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["cases"].as_array().unwrap().iter().find(|case| case["name"] == name).unwrap().clone()
}

/// Asserts a failure: exit code 1 and one stderr line naming the kind.
fn assert_fails_with(output: &Output, kind: &str) {
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(output));
    let message = stderr(output);
    assert!(message.starts_with(&format!("taap: {kind}: ")), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
}

#[test]
fn pop_with_ehts_entries_matches_the_official_builder() {
    let case = vector("tokens.json", "docs-orders-post");
    let mut args = vec!["pop".to_owned(), "--key".into(), key("tmobile/readme-private-pkcs8.pem")];
    for pair in case["ehts"].as_array().unwrap() {
        args.push("--ehts".into());
        args.push(format!("{}={}", pair[0].as_str().unwrap(), pair[1].as_str().unwrap()));
    }
    args.extend([
        "--iat".into(),
        case["iat"].to_string(),
        "--jti".into(),
        case["jti"].as_str().unwrap().into(),
    ]);
    let output = taap(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), case["token"].as_str().unwrap());
}

#[test]
fn pop_with_request_flags_matches_the_official_builder() {
    let case = vector("request.json", "docs-orders");
    let mut args = vec!["pop".to_owned(), "--key".into(), key("tmobile/readme-private-pkcs8.pem")];
    for pair in case["headers"].as_array().unwrap() {
        args.extend(["-H".into(), format!("{}: {}", pair[0].as_str().unwrap(), pair[1].as_str().unwrap())]);
    }
    args.extend([
        "--method".into(),
        case["method"].as_str().unwrap().into(),
        "--url".into(),
        case["url"].as_str().unwrap().into(),
        "--body".into(),
        case["body"].as_str().unwrap().into(),
        "--iat".into(),
        case["iat"].to_string(),
        "--jti".into(),
        case["jti"].as_str().unwrap().into(),
    ]);
    let output = taap(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), case["token"].as_str().unwrap());
}

#[test]
fn keygen_pop_verify_round_trip_with_a_streamed_body() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().display().to_string();
    let output = taap(&["keygen", "--out-dir", &out_dir]);
    assert!(output.status.success(), "{}", stderr(&output));
    let private = dir.path().join("private-key.pem");
    let public = dir.path().join("public-key.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&private).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let body = dir.path().join("body.bin");
    std::fs::write(&body, vec![b'x'; 3 * 1024 * 1024]).unwrap();
    let body = body.display().to_string();
    let request =
        ["--method", "PUT", "--url", "https://api.example.com/upload?name=a%20b", "--body-file", &body];
    let mut pop_args = vec!["pop", "--key", private.to_str().unwrap()];
    pop_args.extend(request);
    let output = taap(&pop_args);
    assert!(output.status.success(), "{}", stderr(&output));
    let token = stdout(&output).trim().to_owned();
    let mut verify_args =
        vec!["verify", &token, "--public-key", public.to_str().unwrap(), "--require", "uri"];
    verify_args.extend(request);
    let output = taap(&verify_args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "valid\n");

    // The same token against another URI is an edts mismatch.
    let output = taap(&[
        "verify",
        &token,
        "--public-key",
        public.to_str().unwrap(),
        "--method",
        "PUT",
        "--url",
        "https://api.example.com/upload?name=other",
        "--body-file",
        &body,
    ]);
    assert_fails_with(&output, "EdtsMismatch");
    // Existing files are not overwritten.
    assert_fails_with(&taap(&["keygen", "--out-dir", &out_dir]), "Config");
}

#[test]
fn decode_prints_header_claims_and_time_left() {
    let case = vector("tokens.json", "docs-orders-post");
    let output = taap(&["decode", case["token"].as_str().unwrap()]);
    assert!(output.status.success());
    let decoded: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(decoded["header"]["alg"], "RS256");
    assert_eq!(decoded["claims"]["jti"], case["jti"]);
    assert_eq!(decoded["claims"]["iat"], case["iat"]);
    let ehts: Vec<&str> =
        case["ehts"].as_array().unwrap().iter().map(|pair| pair[0].as_str().unwrap()).collect();
    assert_eq!(decoded["claims"]["ehts"], ehts.join(";"), "the claim as on the wire");
    assert!(decoded["expires_in"].as_i64().unwrap() < 0);
    assert_fails_with(&taap(&["decode", "not.a.token"]), "InvalidToken");
}

#[test]
fn verify_reports_tmobile_demo_tokens_as_their_readme_says() {
    let demo = std::fs::read_to_string(tests_dir().join("keys/tmobile/validator-demo-jwk.token")).unwrap();
    let values = [
        "--ehts",
        "Content-Type=application/json",
        "--ehts",
        "Authorization=Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS",
        "--ehts",
        "uri=/commerce/v1/orders",
        "--ehts",
        "http-method=POST",
        "--ehts",
        r#"body={"orderId": 100, "product": "Mobile Phone"}"#,
    ];
    let jwk = key("tmobile/validator-demo.jwk.json");
    let mut args = vec!["verify", demo.trim(), "--public-key", &jwk];
    args.extend(values);
    assert_fails_with(&taap(&args), "TokenExpired");
    args.extend(["--now", "1567203086"]);
    let output = taap(&args);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn failures_name_their_kind_and_never_echo_secrets() {
    let encrypted = key("openssl/pbes2-aes256-private.pem");
    let secret = "Bearer-very-secret-token-value";
    let output = taap_env(
        &["pop", "--key", &encrypted, "--password-env", "PW", "--ehts", &format!("Authorization={secret}")],
        &[("PW", "not-the-password")],
    );
    assert_fails_with(&output, "KeyDecrypt");
    assert!(!stderr(&output).contains("not-the-password"));
    assert_fails_with(
        &taap(&["pop", "--key", &encrypted, "--password-env", "UNSET_VARIABLE_X", "--ehts", "a=b"]),
        "Config",
    );
    assert_fails_with(
        &taap(&["pop", "--key", &key("openssl/ec-p256-private.pem"), "--ehts", "a=b"]),
        "InvalidKey",
    );
    assert_fails_with(&taap(&["pop", "--key", "/nonexistent/key.pem", "--ehts", "a=b"]), "InvalidKey");
    let readme = key("tmobile/readme-private-pkcs8.pem");
    assert_fails_with(&taap(&["pop", "--key", &readme]), "Config");
    assert_fails_with(&taap(&["pop", "--key", &readme, "--ehts", "a=b", "--url", "/x"]), "Config");
    let output = taap(&["pop", "--key", &readme, "--ehts", &format!("Authorization {secret}")]);
    assert_fails_with(&output, "Config");
    assert!(!stderr(&output).contains(secret), "{}", stderr(&output));
    assert_fails_with(&taap(&["pop", "--key", &readme, "--ehts", "a;b=1"]), "InvalidEhts");
    assert_fails_with(&taap(&["pop", "--key", &readme, "--ehts", "a=1", "--ehts", "a=2"]), "InvalidEhts");
    assert_fails_with(&taap(&["pop", "--key", &readme, "--ehts", "a=1", "--ttl", "0"]), "Config");
    assert_fails_with(&taap(&["pop", "--key", &readme, "--url", "ftp://x/y"]), "InvalidEhts");
    assert_eq!(taap(&["pop", "--bogus-flag"]).status.code(), Some(2), "usage errors exit 2");
}
