//! The PKCS#11 signer against a TPM 2.0: swtpm as the TPM, tpm2-abrmd as the resource manager on
//! a private D-Bus, tpm2-pkcs11 as the module (the recipe of PLATFORM-NOTES.md). The vector keys
//! are imported with `tpm2_ptool`; every vector token of an RSA-2048 key made through the TPM
//! equals the in-memory key's byte for byte. One test owns the services and stops them, even when it fails.
//!
//! Needs swtpm, tpm2-abrmd, dbus-daemon, tpm2_ptool and libtpm2-pkcs11
//! (`bash scripts/setup.sh`); a missing one fails the test, never skips it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use taap::keys::{Pkcs11Signer, Signer, SignerKind};
use taap::token::BuildOptions;
use taap::{ErrorKind, PopToken, PrivateKey};

const MODULE: &str = "/usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1";
const PIN: &str = "tpm-user-4711";
const TCTI: &str = "tabrmd:bus_type=session";

/// The services; each is stopped by its process id when this is dropped.
struct Tpm {
    folder: PathBuf,
    children: Vec<Child>,
}

impl Drop for Tpm {
    fn drop(&mut self) {
        // The resource manager first, the bus and the TPM after it.
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn missing(tool: &str, error: impl std::fmt::Display) -> String {
    format!(
        "{tool} cannot run ({error}); install swtpm, tpm2-tools, tpm2-abrmd, libtpm2-pkcs11-1, \
         libtpm2-pkcs11-tools and dbus with `bash scripts/setup.sh`"
    )
}

fn spawn(tool: &str, args: &[&str], stdout: Stdio) -> Child {
    Command::new(tool)
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("{}", missing(tool, error)))
}

fn run(tool: &str, args: &[&str]) {
    let output =
        Command::new(tool).args(args).output().unwrap_or_else(|error| panic!("{}", missing(tool, error)));
    assert!(
        output.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A loopback port whose successor is free too (swtpm's control channel).
fn free_port_pair() -> u16 {
    loop {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = first.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

impl Tpm {
    fn start() -> Tpm {
        assert!(Path::new(MODULE).exists(), "{}", missing(MODULE, "no such file"));
        let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("tpm-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        for sub in ["state", "store"] {
            std::fs::create_dir_all(folder.join(sub)).unwrap();
        }
        let mut tpm = Tpm { folder, children: Vec::new() };
        let port = free_port_pair();
        let state = format!("dir={}", tpm.folder.join("state").display());
        let (server, ctrl) = (format!("type=tcp,port={port}"), format!("type=tcp,port={}", port + 1));
        let swtpm_args = ["socket", "--tpm2", "--tpmstate", &state, "--server", &server, "--ctrl", &ctrl];
        let flags = ["--flags", "not-need-init,startup-clear"];
        tpm.children.push(spawn("swtpm", &[&swtpm_args[..], &flags[..]].concat(), Stdio::null()));
        let mut bus = spawn("dbus-daemon", &["--session", "--nofork", "--print-address=1"], Stdio::piped());
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap()).read_line(&mut address).unwrap();
        tpm.children.push(bus);
        // Set before the module is loaded in this process, and inherited by every tool.
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", address.trim());
        std::env::set_var("TPM2TOOLS_TCTI", TCTI);
        std::env::set_var("TPM2_PKCS11_TCTI", TCTI);
        std::env::set_var("TPM2_PKCS11_STORE", tpm.folder.join("store"));
        // The TPM's own logging of a refused PIN is not this test's output.
        std::env::set_var("TSS2_LOG", "all+NONE");
        let tcti = format!("--tcti=swtpm:host=127.0.0.1,port={port}");
        tpm.children.push(spawn("tpm2-abrmd", &["--session", "--allow-root", &tcti], Stdio::null()));
        tpm.wait_for_the_resource_manager();
        run("tpm2_ptool", &["init"]);
        let (so_pin, user_pin) = ("--sopin=tpm-so-4711".to_owned(), format!("--userpin={PIN}"));
        run("tpm2_ptool", &["addtoken", "--pid=1", &so_pin, &user_pin, "--label=taap"]);
        tpm
    }

    fn wait_for_the_resource_manager(&self) {
        let started = Instant::now();
        loop {
            let probe = Command::new("tpm2_getrandom").args(["4", "--hex"]).output();
            match probe {
                Ok(output) if output.status.success() => return,
                Err(error) => panic!("{}", missing("tpm2_getrandom", error)),
                Ok(output) if started.elapsed() > Duration::from_secs(10) => {
                    panic!("tpm2-abrmd did not come up: {}", String::from_utf8_lossy(&output.stderr))
                }
                Ok(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Imports `key` (unencrypted PKCS#8 PEM, written for the import and removed after it).
    fn import(&self, key: &PrivateKey, label: &str) {
        let file = self.folder.join(format!("{label}.pem"));
        std::fs::write(&file, key.to_pem().as_bytes()).unwrap();
        let user_pin = format!("--userpin={PIN}");
        let key_label = format!("--key-label={label}");
        let privkey = format!("--privkey={}", file.display());
        run("tpm2_ptool", &["import", "--label=taap", &key_label, &user_pin, &privkey, "--algorithm=rsa"]);
        std::fs::remove_file(file).unwrap();
    }
}

fn token_cases() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/tokens.json");
    serde_json::from_str::<Value>(&std::fs::read_to_string(path).unwrap()).unwrap()["cases"]
        .as_array()
        .unwrap()
        .clone()
}

fn vector_key(case: &Value) -> PrivateKey {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys").join(case["key"].as_str().unwrap());
    PrivateKey::from_file(path, case["password"].as_str().map(str::as_bytes)).unwrap()
}

fn options(case: &Value) -> BuildOptions {
    BuildOptions::default()
        .ttl_secs(case["ttl_secs"].as_i64().unwrap())
        .issued_at(case["iat"].as_i64().unwrap())
        .jti(case["jti"].as_str().unwrap())
}

fn pairs(case: &Value) -> Vec<(String, String)> {
    let pair = |pair: &Value| (pair[0].as_str().unwrap().to_owned(), pair[1].as_str().unwrap().to_owned());
    case["ehts"].as_array().unwrap().iter().map(pair).collect()
}

fn uri(object: &str, pin: &str) -> String {
    format!("pkcs11:token=taap;object={object}?module-path={MODULE}&pin-value={pin}")
}

#[test]
fn the_tpm_signs_every_vector_token_byte_for_byte_and_refuses_what_it_must() {
    let tpm = Tpm::start();
    let cases = token_cases();
    // A TPM 2.0 holds RSA-2048 keys (swtpm refuses the 4096-bit vector key, as most chips would).
    let (cases, too_big): (Vec<Value>, Vec<Value>) =
        cases.into_iter().partition(|case| vector_key(case).bits() == 2048);
    assert_eq!(
        too_big.iter().map(|case| case["key"].as_str().unwrap()).collect::<Vec<_>>(),
        ["openssl/big-4096-private.pem"]
    );
    let mut labels = BTreeMap::new();
    for case in &cases {
        let key = vector_key(case);
        let thumbprint = key.public_key().thumbprint();
        if !labels.contains_key(&thumbprint) {
            let label = format!("vector{}", labels.len());
            tpm.import(&key, &label);
            labels.insert(thumbprint, label);
        }
    }
    assert_eq!(labels.len(), 4);

    // Before any login: PKCS#11 logs a whole process in, so once one signer has, another one
    // of the same token is not asked for its PIN again.
    let wrong_pin = Pkcs11Signer::open(&uri("vector0", "not-the-pin"), None).unwrap_err();
    assert_eq!(wrong_pin.kind(), ErrorKind::KeyDecrypt);
    assert_eq!(
        wrong_pin.to_string(),
        "cannot decrypt the private key: the PIN for PKCS#11 token \"taap\" (slot 1) is wrong"
    );
    let mut signers: BTreeMap<String, Arc<Pkcs11Signer>> = BTreeMap::new();
    for case in &cases {
        let label = &labels[&vector_key(case).public_key().thumbprint()];
        let signer = signers
            .entry(label.clone())
            .or_insert_with(|| Arc::new(Pkcs11Signer::open(&uri(label, PIN), None).unwrap()));
        assert_eq!(signer.kind(), SignerKind::Pkcs11);
        let token = PopToken::build_with(signer, pairs(case), &options(case)).unwrap();
        assert_eq!(token, case["token"].as_str().unwrap(), "{}", case["name"]);
    }

    // Four threads on one signer: the pooled sessions keep the tokens right.
    let case = &cases[0];
    let signer = &signers[&labels[&vector_key(case).public_key().thumbprint()]];
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..5 {
                    let token = PopToken::build_with(signer, pairs(case), &options(case)).unwrap();
                    assert_eq!(token, case["token"].as_str().unwrap());
                }
            });
        }
    });

    let absent = Pkcs11Signer::open(&uri("absent", PIN), None).unwrap_err();
    assert_eq!(absent.kind(), ErrorKind::InvalidKey);
    assert_eq!(
        absent.to_string(),
        "invalid key: no private key pkcs11:token=taap;object=absent on PKCS#11 token \"taap\" (slot 1)"
    );

    // The TPM goes away under an open signer (a chip reset, a removed module): the next
    // signature is a typed error naming the token, in bounded time, never a hang or a crash.
    let mut tpm = tpm;
    let swtpm = &mut tpm.children[0];
    swtpm.kill().unwrap();
    swtpm.wait().unwrap();
    let started = Instant::now();
    let gone = PopToken::build_with(signer, pairs(case), &options(case)).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    assert_eq!(gone.kind(), ErrorKind::Transport, "{gone}");
    assert!(
        gone.to_string().starts_with("transport error: PKCS#11 pkcs11:token=taap;object=vector"),
        "{gone}"
    );
    drop(signers);
    drop(tpm);
}

#[path = "support/rate.rs"]
mod rate;

/// BENCHMARKS.md's TPM figure: `cargo test --release -p taap --features pkcs11 --test tpm --
/// --ignored --nocapture`.
#[test]
#[ignore = "a benchmark: run with --ignored --nocapture"]
fn bench_the_tpm_against_the_in_memory_key() {
    let tpm = Tpm::start();
    let case = token_cases().into_iter().find(|case| vector_key(case).bits() == 2048).unwrap();
    let key = vector_key(&case);
    tpm.import(&key, "bench");
    let in_tpm = Pkcs11Signer::open(&uri("bench", PIN), None).unwrap();
    let ehts = pairs(&case);
    let memory = || drop(PopToken::build(&key, ehts.clone()).unwrap());
    let tpm_build = || drop(PopToken::build(&in_tpm, ehts.clone()).unwrap());
    let rates = rate::medians(
        3,
        &[
            ("in-memory, 1 thread", 1, &memory),
            ("swtpm, 1 thread", 1, &tpm_build),
            ("swtpm, 4 threads", 4, &tpm_build),
        ],
    );
    for (name, rate) in &rates {
        println!("{name}: {rate:.0} tokens/s");
    }
    println!("swtpm / in-memory (1 thread): {:.3}x", rates[1].1 / rates[0].1);
    drop(in_tpm);
    drop(tpm);
}
