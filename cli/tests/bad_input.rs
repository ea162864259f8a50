//! The CLI column of the bad-input matrix (`tests/bad-input/`, `docs/security-testing.md`):
//! every case through the `taap` command (`decode`, `verify`, `pop`), one process per case
//! with a time limit; the column is written to `<target dir>/bad-input/cli.jsonl`.
//! Exit 0 is `ok`, exit 1 the kind named on stderr (`taap: Kind: …`), exit 2 `usage`.

#[path = "../../tests/bad-input/matrix.rs"]
mod matrix;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use matrix::{Case, Cell};

/// Linux's MAX_ARG_STRLEN: one argument (or environment string) longer than this cannot be passed.
const MAX_ARGUMENT_BYTES: usize = 128 * 1024;

#[test]
fn bad_input_matrix() {
    let scratch = Scratch::new();
    matrix::run_column_with("cli", |case| match arguments(case, &scratch) {
        Ok(invocation) => run(invocation),
        Err(why) => Cell { outcome: why, millis: 0 },
    });
}

/// Files the cases need, removed when dropped.
struct Scratch {
    dir: PathBuf,
    public_key: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("taap-cli-bad-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let signer = taap::PrivateKey::from_file(matrix::signing_key(), None).unwrap();
        let public_key = dir.join("public.pem");
        std::fs::write(&public_key, signer.public_key().to_pem()).unwrap();
        Scratch { dir, public_key }
    }

    fn file(&self, case: &Case, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.dir.join(format!("{}-{name}", case.id));
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One `taap` run: arguments, environment, standard input.
#[derive(Default)]
struct Invocation {
    args: Vec<OsString>,
    env: Vec<(String, OsString)>,
    stdin: Vec<u8>,
}

impl Invocation {
    fn arg(&mut self, arg: impl Into<Vec<u8>>) -> &mut Self {
        self.args.push(OsString::from_vec(arg.into()));
        self
    }

    fn pair(&mut self, flag: &str, name: &[u8], separator: &[u8], value: &[u8]) {
        self.arg(flag).arg([name, separator, value].concat());
    }
}

/// The command line for a case, or the reason it cannot be written as one.
fn arguments(case: &Case, scratch: &Scratch) -> Result<Invocation, String> {
    let mut run = Invocation::default();
    match case.op() {
        "decode" => {
            run.arg("decode").arg("-");
            run.stdin = case.bytes("token");
        }
        "validate" | "public_key" => {
            let public_key = match case.op() {
                "public_key" => scratch.file(case, "public-key", &case.bytes("key")),
                _ => scratch.public_key.clone(),
            };
            run.arg("verify").arg("-").arg("--public-key").arg(public_key.into_os_string().into_vec());
            run.arg("--now").arg((matrix::signed_iat() + 5).to_string());
            let values =
                if case.raw.get("values").is_some() { case.pairs("values") } else { matrix::signed_values() };
            for (name, value) in values {
                run.pair("--ehts", &name, b"=", &value);
            }
            for required in case.raw["options"]["required"].as_array().into_iter().flatten() {
                run.arg("--require").arg(required.as_str().unwrap());
            }
            run.stdin = match case.op() {
                "public_key" => matrix::bytes(&serde_json::json!({"signed": "good"})),
                _ => case.bytes("token"),
            };
        }
        "build" | "for_request" => {
            run.arg("pop").arg("--key").arg(matrix::signing_key().into_os_string().into_vec());
            // `--flag=value`: a negative number after a space would read as a flag.
            run.arg(format!("--ttl={}", case.integer("ttl").unwrap_or(taap::token::DEFAULT_TTL_SECS)));
            run.arg(format!("--iat={}", case.integer("iat").unwrap_or_else(matrix::signed_iat)));
            run.arg("--jti").arg(case.optional_bytes("jti").unwrap_or_else(|| b"bad-input-jti".to_vec()));
            if case.op() == "build" {
                for (name, value) in case.pairs("ehts") {
                    run.pair("--ehts", &name, b"=", &value);
                }
            } else {
                run.arg("--method").arg(case.bytes("method")).arg("--url").arg(case.bytes("url"));
                for (name, value) in case.pairs("headers") {
                    run.pair("-H", &name, b": ", &value);
                }
                let body = scratch.file(case, "body", &case.optional_bytes("body").unwrap_or_default());
                run.arg("--body-file").arg(body.into_os_string().into_vec());
            }
        }
        "private_key" => {
            let key = scratch.file(case, "key", &case.bytes("key"));
            run.arg("pop").arg("--key").arg(key.into_os_string().into_vec()).arg("--ehts").arg("uri=/");
            if let Some(password) = case.optional_bytes("password") {
                if password.contains(&0) {
                    return Err("n/a: environment variables end at NUL".into());
                }
                run.arg("--password-env").arg("TAAP_BAD_INPUT_PASSWORD");
                run.env.push(("TAAP_BAD_INPUT_PASSWORD".into(), OsString::from_vec(password)));
            }
        }
        "signer_uri" => {
            let spec = match case.raw["key_file"].as_str() {
                Some(file) => matrix::tests_dir().join(file).into_os_string().into_vec(),
                None => case.bytes("spec"),
            };
            run.arg("pop").arg("--key").arg(spec).arg("--ehts").arg("uri=/");
        }
        "signer_callback" => {
            return Err("n/a: the CLI names a key (a file, pkcs11: or aws-kms:); it takes no function".into())
        }
        "validate_request" => {
            return Err("n/a: the CLI validates tokens against values; taap serve's request checks are \
                        cli/tests/adversarial.rs"
                .into())
        }
        other => panic!("unknown op {other}"),
    }
    if run.args.iter().any(|arg| arg.as_encoded_bytes().contains(&0)) {
        return Err("n/a: argv strings end at NUL".into());
    }
    if run.args.iter().any(|arg| arg.len() > MAX_ARGUMENT_BYTES) {
        return Err("n/a: one argument is at most 128 KiB (MAX_ARG_STRLEN)".into());
    }
    Ok(run)
}

fn run(invocation: Invocation) -> Cell {
    let started = Instant::now();
    let spawned = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(&invocation.args)
        .envs(invocation.env)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) if error.raw_os_error() == Some(7) => {
            return Cell { outcome: "n/a: the arguments exceed ARG_MAX (E2BIG)".into(), millis: 0 };
        }
        Err(error) => panic!("cannot run taap: {error}"),
    };
    let mut stdin = child.stdin.take().unwrap();
    let input = invocation.stdin;
    // taap stops reading after 64 KiB; the writer must not block the wait below.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > matrix::CASE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let millis = started.elapsed().as_millis();
    let _ = writer.join();
    let stderr = reader.join().unwrap_or_default();
    let outcome = match status.map(|status| status.code()) {
        None => "hang".to_owned(),
        Some(Some(0)) => "ok".to_owned(),
        Some(Some(1)) => stderr
            .strip_prefix("taap: ")
            .and_then(|rest| rest.split_once(':'))
            .map(|(kind, _)| kind.to_owned())
            .unwrap_or_else(|| format!("crash: exit 1 without a kind: {}", stderr.trim())),
        Some(Some(2)) => "usage".to_owned(),
        Some(other) => format!("crash: {other:?}"),
    };
    Cell { outcome, millis }
}
