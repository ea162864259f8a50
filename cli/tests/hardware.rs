//! Keys in hardware through `taap pop --key URI`: every vector token made with the vector key
//! imported into a TPM 2.0 (swtpm, a `pkcs11:` URI) and into a local AWS KMS (moto, an
//! `aws-kms:` alias) is the vector's, byte for byte. Every vector the command line can state:
//! `--ehts NAME=VALUE` splits at the first '=', so a vector with an '=' in an ehts name is not
//! one (the other doors sign those too).
//!
//! The services are tests/hardware/run.py's, which names them in `TAAP_HARDWARE`; the Makefile's
//! test-rust runs this binary under it, and leaves it out of the workspace's run by its tests'
//! common name (`-- --skip under_the_hardware_fixture`). Without `TAAP_HARDWARE` these tests fail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo_tests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

/// The token vectors `--ehts NAME=VALUE` can state: no '=' in a name (at least 40 of them).
fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(repo_tests().join("vectors/tokens.json")).unwrap();
    let all = serde_json::from_str::<Value>(&text).unwrap()["cases"].as_array().unwrap().clone();
    let stated = |case: &Value| {
        case["ehts"].as_array().unwrap().iter().all(|pair| !pair[0].as_str().unwrap().contains('='))
    };
    let cases: Vec<Value> = all.into_iter().filter(stated).collect();
    assert!(cases.len() >= 40, "only {} vectors have no '=' in an ehts name", cases.len());
    cases
}

/// Vector key file -> where the fixture put it (`tpm`, `kms`).
fn hardware_keys() -> serde_json::Map<String, Value> {
    let file = std::env::var_os("TAAP_HARDWARE").filter(|file| !file.is_empty()).unwrap_or_else(|| {
        panic!(
            "TAAP_HARDWARE is not set: run this under the hardware fixture, `bash tests/hardware/run.sh -- \
             cargo test --release -p taap-cli --test hardware` (make test-rust does)"
        )
    });
    let described: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    described["keys"].as_object().unwrap().clone()
}

/// `taap pop --key KEY` for the vector's ehts, ttl, iat and jti: its stdout, one token a line.
fn pop(key: &str, case: &Value) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taap"));
    command.args(["pop", "--key", key]);
    for pair in case["ehts"].as_array().unwrap() {
        // Attached (`--ehts=…`), so that an entry starting with '-' is not taken for a flag.
        command.arg(format!("--ehts={}={}", pair[0].as_str().unwrap(), pair[1].as_str().unwrap()));
    }
    command.args(["--ttl", &case["ttl_secs"].to_string(), "--iat", &case["iat"].to_string()]);
    command.args(["--jti", case["jti"].as_str().unwrap()]);
    let no_config = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hardware-has-no-config.toml");
    let output = command.env("TAAP_CONFIG", no_config).env_remove("TAAP_PROFILE").output().unwrap();
    assert!(output.status.success(), "{}: {}", case["name"], String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn under_the_hardware_fixture_every_vector_token_made_in_the_tpm_is_the_vector_s() {
    let keys = hardware_keys();
    let cases = cases();
    // A TPM 2.0 holds RSA-2048 keys: the 4096-bit vector key is the one it does not hold.
    let in_tpm = |case: &&Value| !keys[case["key"].as_str().unwrap()]["tpm"].is_null();
    let not_in_tpm: BTreeSet<&str> =
        cases.iter().filter(|case| !in_tpm(case)).map(|case| case["key"].as_str().unwrap()).collect();
    assert_eq!(not_in_tpm.into_iter().collect::<Vec<_>>(), ["openssl/big-4096-private.pem"]);
    let mut objects = BTreeSet::new();
    let mut built = 0;
    for case in cases.iter().filter(in_tpm) {
        let tpm = &keys[case["key"].as_str().unwrap()]["tpm"];
        objects.insert(tpm["object"].as_str().unwrap());
        let token = pop(tpm["uri"].as_str().unwrap(), case);
        assert_eq!(token, format!("{}\n", case["token"].as_str().unwrap()), "{}", case["name"]);
        built += 1;
    }
    assert_eq!((objects.len(), built), (4, cases.len() - 1));
}

#[test]
fn under_the_hardware_fixture_every_vector_token_made_through_kms_is_the_vector_s() {
    let keys = hardware_keys();
    let mut aliases = BTreeSet::new();
    for case in cases() {
        let kms = &keys[case["key"].as_str().unwrap()]["kms"];
        aliases.insert(kms["alias"].as_str().unwrap());
        let token = pop(kms["uri"].as_str().unwrap(), &case);
        assert_eq!(token, format!("{}\n", case["token"].as_str().unwrap()), "{}", case["name"]);
    }
    assert_eq!(aliases.len(), 5);
}
