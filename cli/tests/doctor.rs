//! `taap doctor`: exit codes, the report's key lines, `--curl`, and the exact `--json` shape.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

const IAT: &str = "1700000000";
const NOW: &str = "1700000005";
const URL: &str = "https://api.t-mobile.com/v1/orders?q=a%20b";
const BEARER: &str = "Authorization: Bearer SECRET-BEARER-TOKEN";
const BODY: &str = r#"{"client_secret":"SECRET-BODY"}"#;

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn taap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taap")).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// A token over verbatim ehts entries, as a signer with its own rules makes it.
fn token(uri: &str) -> String {
    let key = keys().join("readme-private-pkcs8.pem");
    let entries = [
        format!("Authorization={}", &BEARER["Authorization: ".len()..]),
        format!("uri={uri}"),
        "http-method=POST".to_owned(),
        format!("body={BODY}"),
    ];
    let mut args = vec!["pop", "--key", key.to_str().unwrap(), "--iat", IAT, "--jti", "jti-1"];
    for entry in &entries {
        args.extend(["--ehts", entry.as_str()]);
    }
    let output = taap(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    stdout(&output).trim().to_owned()
}

fn edts(token: &str) -> String {
    let decoded: Value = serde_json::from_str(&stdout(&taap(&["decode", token]))).unwrap();
    decoded["claims"]["edts"].as_str().unwrap().to_owned()
}

fn doctor(token: &str, extra: &[&str]) -> Output {
    let mut args = vec!["doctor", token, "--method", "POST", "--url", URL, "-H", BEARER, "--body", BODY];
    args.extend(["--now", NOW]);
    args.extend(extra);
    taap(&args)
}

fn assert_no_secrets(output: &Output) {
    let all = format!("{}{}", stdout(output), String::from_utf8_lossy(&output.stderr));
    for secret in ["SECRET-BEARER-TOKEN", "SECRET-BODY"] {
        assert!(!all.contains(secret), "{secret} shown: {all}");
    }
}

#[test]
fn a_valid_token_exits_0_with_each_check_shown() {
    let public = keys().join("readme-public.pem");
    let output = doctor(&token("/v1/orders?q=a b"), &["--public-key", public.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for line in [
        "time       expires in 115 s, issued 5 s ago: ok",
        "  Authorization  Bearer **** (26 bytes)",
        "  uri            /v1/orders?q=a b (16 bytes)",
        r#"  body           {"client_secret":"****"} (31 bytes)"#,
        "signature  valid",
        "result     valid",
    ] {
        assert!(text.lines().any(|shown| shown == line), "{line:?} not in\n{text}");
    }
    assert_no_secrets(&output);
}

#[test]
fn a_variant_exits_1_and_is_named() {
    let output = doctor(&token("/v1/orders?q=a%20b"), &[]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("\nvariant    uri-encoded: the signer hashed uri with the query as sent"),
        "{text}"
    );
    assert!(text.contains("\nsignature  not checked (give --public-key)\n"), "{text}");
    assert!(text.ends_with(
        "result     invalid\n  - edts mismatch: the signer hashed uri with the query as sent, not \
         percent-decoded (uri-encoded)\n"
    ));
    assert_no_secrets(&output);
}

#[test]
fn json_has_the_exact_structure() {
    let token = token("/v1/orders");
    let output = doctor(&token, &["--json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let expected = json!({
        "valid": false,
        "header": {"alg": "RS256", "typ": "JWT"},
        "claims": {
            "edts": edts(&token), "v": "1", "exp": 1_700_000_120,
            "ehts": ["Authorization", "uri", "http-method", "body"], "iat": 1_700_000_000, "jti": "jti-1"
        },
        "time": {"now": 1_700_000_005, "expires_in": 115, "age": 5, "ok": true, "clock_offset": null},
        "entries": [
            {"name": "Authorization", "value": "Bearer ****", "bytes": 26},
            {"name": "uri", "value": "/v1/orders?q=a b", "bytes": 16},
            {"name": "http-method", "value": "POST", "bytes": 4},
            {"name": "body", "value": "{\"client_secret\":\"****\"}", "bytes": 31}
        ],
        "edts": {"claimed": edts(&token), "computed": edts(&self::token("/v1/orders?q=a b")), "matches": false},
        "signature": "not-checked",
        "variant": {"id": "query-dropped", "description": "the signer hashed uri without the query string"},
        "problems": ["edts mismatch: the signer hashed uri without the query string (query-dropped)"]
    });
    assert_eq!(report, expected);
    assert_no_secrets(&output);
}

#[test]
fn curl_command_lines_are_read_and_expiry_is_explained() {
    let command = format!("curl -s -X POST '{URL}' -H '{BEARER}' --data-raw '{BODY}'");
    let output = taap(&["doctor", &token("/v1/orders?q=a b"), "--curl", &command, "--now", "1700000200"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains(
        "\ntime       expired 80 s ago, issued 200 s ago: refused; a clock offset of -130 s would make it valid\n"
    ));
    // --data-raw without -H Content-Type: curl sends a form type the token did not sign, harmless here.
    assert!(text.contains("\nresult     invalid\n  - the token expired 80 s ago\n"), "{text}");
    assert_no_secrets(&output);
}

#[test]
fn unreadable_curl_lines_are_one_line_errors_without_values() {
    let token = token("/v1/orders?q=a b");
    for (command, expected) in [
        (
            "curl -u user:SECRET-BEARER-TOKEN https://h/x",
            "taap: Config: invalid configuration: --curl: cannot read the flag -u;",
        ),
        (
            "curl 'https://h/x",
            "taap: Config: invalid configuration: --curl: the command line has an unclosed quote",
        ),
        ("curl -X GET", "taap: Config: invalid configuration: --curl: the command line has no URL"),
    ] {
        let output = taap(&["doctor", &token, "--curl", command]);
        assert_eq!(output.status.code(), Some(1));
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.starts_with(expected), "{message}");
        assert_eq!(message.lines().count(), 1);
        assert_no_secrets(&output);
    }
    let output = taap(&["doctor", "not-a-token", "--url", URL]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("taap: InvalidToken: "));
}
