//! Fresh processes draw fresh randomness: the RNG is seeded from the operating system in
//! each process (SECURITY.md, "Randomness"), so short-lived `taap pop` runs never repeat a
//! `jti`, and the tokens of one fixed request still differ.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

fn pop_once() -> String {
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-private-pkcs8.pem");
    let output = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["pop", "--key", key.to_str().unwrap(), "--url", "https://h/a", "--iat", "1767225600"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn jti(token: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_taap")).args(["decode", token]).output().unwrap();
    let decoded: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    decoded["claims"]["jti"].as_str().unwrap().to_owned()
}

#[test]
fn twenty_fresh_processes_draw_twenty_distinct_jtis() {
    let tokens: Vec<String> = (0..20).map(|_| pop_once()).collect();
    let jtis: HashSet<String> = tokens.iter().map(|token| jti(token)).collect();
    assert_eq!(jtis.len(), 20);
    let distinct_tokens: HashSet<&String> = tokens.iter().collect();
    assert_eq!(distinct_tokens.len(), 20);
}
