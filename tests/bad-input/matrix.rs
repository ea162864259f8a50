//! The bad-input matrix harness shared by the Rust columns (`core/tests/bad_input.rs` and
//! `cli/tests/bad_input.rs` include it with `#[path]`): reads `tests/bad-input/cases.json`,
//! builds each case's inputs, runs every case in a child process with a time limit, and writes
//! the column to `<target dir>/bad-input/<column>.jsonl`.
//!
//! A case runs in a child (this test binary again, filtered to the column's `#[ignore]`d case
//! test, with `TAAP_BAD_INPUT_CASE` naming the case), so that a crash or a hang is recorded as
//! that cell's outcome instead of taking the whole column down.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

/// The environment variable that tells a child which case to run.
pub const CASE_VAR: &str = "TAAP_BAD_INPUT_CASE";
/// Longest a case may take before it counts as a hang.
pub const CASE_TIMEOUT: Duration = Duration::from_secs(60);
/// Where a child prints its outcome.
const OUTCOME_PREFIX: &str = "bad-input outcome: ";

/// The repository's `tests/` directory.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests").canonicalize().expect("tests/ exists")
}

/// One case of `cases.json`.
pub struct Case {
    /// Row name.
    pub id: String,
    /// What the input is, for the table.
    pub what: String,
    /// The whole case object.
    pub raw: Value,
}

impl Case {
    /// The operation: decode, validate, build, for_request, private_key, public_key.
    pub fn op(&self) -> &str {
        self.raw["op"].as_str().expect("every case has an op")
    }

    /// The outcome this column must show.
    pub fn expected(&self, column: &str) -> String {
        let expected = self.raw["columns"].get(column).unwrap_or(&self.raw["expect"]);
        expected.as_str().expect("expectations are strings").to_owned()
    }

    /// A field built into bytes (see [`bytes`]).
    pub fn bytes(&self, field: &str) -> Vec<u8> {
        bytes(&self.raw[field])
    }

    /// An optional field built into bytes.
    pub fn optional_bytes(&self, field: &str) -> Option<Vec<u8>> {
        self.raw.get(field).filter(|value| !value.is_null()).map(bytes)
    }

    /// An integer field, if present.
    pub fn integer(&self, field: &str) -> Option<i64> {
        self.raw.get(field).map(|value| value.as_i64().expect("integers fit i64"))
    }

    /// `(name, value)` pairs of `field` (`ehts`, `values`, `headers`); `{entries: n}` is
    /// n entries `h0 = v` … .
    pub fn pairs(&self, field: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
        match &self.raw[field] {
            Value::Null => Vec::new(),
            Value::Object(spec) => {
                let count = spec["entries"].as_u64().expect("entries is a count");
                (0..count).map(|index| (format!("h{index}").into_bytes(), b"v".to_vec())).collect()
            }
            Value::Array(pairs) => pairs.iter().map(|pair| (bytes(&pair[0]), bytes(&pair[1]))).collect(),
            other => panic!("{}: {field} is {other}", self.id),
        }
    }
}

/// Every case, in file order.
pub fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(tests_dir().join("bad-input/cases.json")).expect("cases.json");
    let document: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    document["cases"]
        .as_array()
        .expect("a cases array")
        .iter()
        .map(|raw| Case {
            id: raw["id"].as_str().expect("an id").to_owned(),
            what: raw["what"].as_str().expect("a description").to_owned(),
            raw: raw.clone(),
        })
        .collect()
}

/// `signed-tokens.json`.
pub fn signed() -> Value {
    let text = std::fs::read_to_string(tests_dir().join("bad-input/signed-tokens.json"))
        .expect("signed-tokens.json");
    serde_json::from_str(&text).expect("signed-tokens.json is JSON")
}

/// The request values every signed token covers.
pub fn signed_values() -> Vec<(Vec<u8>, Vec<u8>)> {
    signed()["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|pair| (bytes(&pair[0]), bytes(&pair[1])))
        .collect()
}

/// The `iat` of the signed tokens (validation runs at `iat + 5`).
pub fn signed_iat() -> i64 {
    signed()["iat"].as_i64().expect("iat")
}

/// The key that signed the tokens, as a path.
pub fn signing_key() -> PathBuf {
    tests_dir().join("keys").join(signed()["key"].as_str().expect("key"))
}

/// Builds a value's bytes: a JSON string is its UTF-8; `{hex}`, `{file}`, `{repeat, times}`,
/// `{concat}`, `{b64url}` and `{signed}` as `cases.json`'s note describes.
pub fn bytes(value: &Value) -> Vec<u8> {
    match value {
        Value::String(text) => text.as_bytes().to_vec(),
        Value::Object(spec) => {
            let built = if let Some(hex) = spec.get("hex") {
                hex_bytes(hex.as_str().expect("hex text"))
            } else if let Some(file) = spec.get("file") {
                std::fs::read(tests_dir().join(file.as_str().expect("a path"))).expect("a readable file")
            } else if let Some(repeated) = spec.get("repeat") {
                bytes(repeated).repeat(spec["times"].as_u64().expect("times") as usize)
            } else if let Some(parts) = spec.get("concat") {
                parts.as_array().expect("concat list").iter().flat_map(bytes).collect()
            } else if let Some(inner) = spec.get("b64url") {
                URL_SAFE_NO_PAD.encode(bytes(inner)).into_bytes()
            } else if let Some(name) = spec.get("signed") {
                signed_token(name.as_str().expect("a token name"), spec)
            } else {
                panic!("unknown value constructor {value}")
            };
            if spec.contains_key("signed") {
                return built;
            }
            match spec.get("keep") {
                Some(keep) => built[..keep.as_u64().expect("keep") as usize].to_vec(),
                None => built,
            }
        }
        other => panic!("not a value: {other}"),
    }
}

fn signed_token(name: &str, spec: &serde_json::Map<String, Value>) -> Vec<u8> {
    let mut token = signed()["tokens"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no signed token {name}"))
        .as_bytes()
        .to_vec();
    if let Some(drop) = spec.get("drop") {
        token.truncate(token.len() - drop.as_u64().expect("drop") as usize);
    }
    if let Some(keep) = spec.get("keep") {
        token.truncate(keep.as_u64().expect("keep") as usize);
    }
    if let Some(flip) = spec.get("flip") {
        let at = flip.as_i64().expect("flip");
        let index = if at < 0 { token.len() - at.unsigned_abs() as usize } else { at as usize };
        token[index] = if token[index] == b'A' { b'B' } else { b'A' };
    }
    token
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    hex.split_whitespace().map(|byte| u8::from_str_radix(byte, 16).expect("hex byte")).collect()
}

/// A cell: the outcome and how long it took.
pub struct Cell {
    /// `ok`, an error kind, a binding's own typed error, `n/a: …`, `crash: …` or `hang`.
    pub outcome: String,
    /// Wall time of the case in its child, milliseconds.
    pub millis: u128,
}

/// The outcome a child printed; a crash or a hang when it printed none in time.
pub fn run_in_child(case_test: &str, case: &Case) -> Cell {
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([case_test, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CASE_VAR, &case.id)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary runs");
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > CASE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let millis = started.elapsed().as_millis();
    let printed = reader.join().unwrap_or_default();
    let outcome = match (
        status,
        printed.lines().find_map(|line| line.split_once(OUTCOME_PREFIX).map(|(_, outcome)| outcome)),
    ) {
        (None, _) => "hang".to_owned(),
        (Some(_), Some(outcome)) => outcome.to_owned(),
        (Some(status), None) => format!("crash: {status}"),
    };
    Cell { outcome, millis }
}

/// In the child: prints the outcome for the parent. A panic prints `panic: …` instead.
pub fn report_outcome(run: impl FnOnce(&Case) -> String + std::panic::UnwindSafe) {
    let Ok(id) = std::env::var(CASE_VAR) else {
        println!("run by the bad_input_matrix test, one case at a time ({CASE_VAR} names it)");
        return;
    };
    let case = cases().into_iter().find(|case| case.id == id).expect("a known case");
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = match std::panic::catch_unwind(move || run(&case)) {
        Ok(outcome) => outcome,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("non-string payload");
            format!("panic: {}", message.lines().next().unwrap_or(""))
        }
    };
    println!("{OUTCOME_PREFIX}{outcome}");
}

/// Whether a cell meets its expectation: equal, or any `n/a: …` where `n/a` is expected.
pub fn meets(outcome: &str, expected: &str) -> bool {
    outcome == expected || (expected.starts_with("n/a") && outcome.starts_with("n/a"))
}

/// The target directory: `CARGO_TARGET_DIR`, else the one this test binary was built in.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test binary");
    exe.ancestors().nth(3).expect("<target>/<profile>/deps/<binary>").to_path_buf()
}

/// Runs every case in a child and writes `<target>/bad-input/<column>.jsonl`; panics listing
/// every cell that differs from its expectation.
pub fn run_column(column: &str, case_test: &str) {
    run_column_with(column, |case| run_in_child(case_test, case));
}

/// Like [`run_column`], with each cell from `run_case` (which must bound its own time).
pub fn run_column_with(column: &str, mut run_case: impl FnMut(&Case) -> Cell) {
    let out_dir = target_dir().join("bad-input");
    std::fs::create_dir_all(&out_dir).expect("the output directory");
    let mut lines = String::new();
    let mut wrong = Vec::new();
    for case in cases() {
        let cell = run_case(&case);
        let expected = case.expected(column);
        if !meets(&cell.outcome, &expected) {
            wrong.push(format!("{}: got {:?}, expected {:?}", case.id, cell.outcome, expected));
        }
        let row = serde_json::json!({
            "id": case.id, "column": column, "outcome": cell.outcome, "expected": expected, "ms": cell.millis as u64,
        });
        lines.push_str(&row.to_string());
        lines.push('\n');
    }
    std::fs::write(out_dir.join(format!("{column}.jsonl")), lines).expect("write the column");
    assert!(wrong.is_empty(), "{} cells differ from cases.json:\n{}", wrong.len(), wrong.join("\n"));
}
