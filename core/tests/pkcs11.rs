//! The PKCS#11 signer against a real token: SoftHSM2 with its own token folder, keys imported
//! with `pkcs11-tool` as sensitive and non-extractable. Every vector token made through the
//! token equals the in-memory key's byte for byte; every failure is its typed error.
//!
//! Needs `softhsm2-util`, `pkcs11-tool` and `openssl` (`bash scripts/setup.sh` installs them);
//! a missing tool fails the test, never skips it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use serde_json::Value;
use taap::keys::{open_signer, Pkcs11Signer, Signer, SignerKind};
use taap::token::BuildOptions;
use taap::{ErrorKind, PopToken, PrivateKey};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "ut7-pin-Q9";
const OTHER_PIN: &str = "ut7-other-Q9";
const SO_PIN: &str = "so-12345678";

struct Hsm {
    folder: PathBuf,
    /// Vector key file -> the label of its copy in the token.
    labels: BTreeMap<String, String>,
}

fn repo_tests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("tests")
}

fn token_cases() -> Vec<Value> {
    let text = std::fs::read_to_string(repo_tests().join("vectors").join("tokens.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["cases"].as_array().unwrap().clone()
}

fn vector_key(case: &Value) -> PrivateKey {
    let path = repo_tests().join("keys").join(case["key"].as_str().unwrap());
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

/// Runs a tool, failing the test with what to install when it is missing.
fn run(tool: &str, args: &[&str]) {
    let output = Command::new(tool).args(args).output().unwrap_or_else(|error| {
        panic!(
            "{tool} cannot run ({error}); install softhsm2, opensc and openssl with `bash scripts/setup.sh`"
        )
    });
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn uri(object: &str) -> String {
    format!("pkcs11:token=taap;object={object}?module-path={MODULE}&pin-value={PIN}")
}

/// One SoftHSM2 for the whole test binary: the module reads `SOFTHSM2_CONF` once, when it is
/// initialised.
fn hsm() -> &'static Hsm {
    static HSM: OnceLock<Hsm> = OnceLock::new();
    HSM.get_or_init(|| {
        assert!(
            Path::new(MODULE).exists(),
            "{MODULE} is missing; install softhsm2 with `bash scripts/setup.sh`"
        );
        let folder =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("pkcs11-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(folder.join("tokens")).unwrap();
        let conf = folder.join("softhsm2.conf");
        let conf_text = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            folder.join("tokens").display()
        );
        std::fs::write(&conf, conf_text).unwrap();
        // Set before the module is first initialised in this process, and given to every tool.
        std::env::set_var("SOFTHSM2_CONF", &conf);
        for (label, pin) in [("taap", PIN), ("other", OTHER_PIN)] {
            run(
                "softhsm2-util",
                &["--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", pin],
            );
        }
        let import = |der: &[u8], kind: &str, label: &str, id: &str| {
            let file = folder.join(format!("{label}.{kind}.der"));
            std::fs::write(&file, der).unwrap();
            let file = file.to_str().unwrap();
            let mut args = vec!["--module", MODULE, "--token-label", "taap", "--login", "--pin", PIN];
            args.extend(["--write-object", file, "--type", kind, "--label", label, "--id", id]);
            if kind == "privkey" {
                args.extend(["--usage-sign", "--sensitive"]);
            }
            run("pkcs11-tool", &args);
            if kind == "privkey" {
                std::fs::remove_file(file).unwrap();
            }
        };
        let mut labels = BTreeMap::new();
        let mut imported = BTreeMap::new();
        for case in token_cases() {
            let key = vector_key(&case);
            let thumbprint = key.public_key().thumbprint();
            let next = format!("{:02x}", imported.len() + 16);
            let label = imported.entry(thumbprint.clone()).or_insert_with(|| {
                let label = format!("vector-{}", &thumbprint[..12]).replace(['_', '-'], "x");
                import(&key.to_der(), "privkey", &label, &next);
                import(&key.public_key().to_der(), "pubkey", &label, &next);
                label
            });
            labels.insert(case["key"].as_str().unwrap().to_owned(), label.clone());
        }
        let ec = folder.join("ec.der");
        run(
            "openssl",
            &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-outform", "DER"]
                .into_iter()
                .chain(["-out", ec.to_str().unwrap()])
                .collect::<Vec<_>>(),
        );
        import(&std::fs::read(&ec).unwrap(), "privkey", "ec-key", "02");
        import(&PrivateKey::generate(2048).unwrap().to_der(), "privkey", "no-sign", "03");
        forbid_signing("no-sign");
        Hsm { folder, labels }
    })
}

/// pkcs11-tool always grants `CKA_SIGN`; the token is asked to take it away.
fn forbid_signing(label: &str) {
    let context = Pkcs11::new(MODULE).unwrap();
    context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)).unwrap();
    let slot = context
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|slot| context.get_token_info(*slot).unwrap().label().trim_end() == "taap")
        .unwrap();
    let session = context.open_rw_session(slot).unwrap();
    session.login(UserType::User, Some(&AuthPin::new(PIN.into()))).unwrap();
    let template = [Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Label(label.as_bytes().to_vec())];
    let key = session.find_objects(&template).unwrap()[0];
    session.update_attributes(key, &[Attribute::Sign(false)]).unwrap();
    let held = session.get_attributes(key, &[AttributeType::Sensitive, AttributeType::Extractable]).unwrap();
    assert_eq!(held, [Attribute::Sensitive(true), Attribute::Extractable(false)]);
    session.close().unwrap();
    // Finalising lets taap's signers initialise the module as any application would.
    context.finalize().unwrap();
}

#[test]
fn every_vector_token_made_in_softhsm_equals_the_in_memory_one() {
    let hsm = hsm();
    let mut signers: BTreeMap<String, Pkcs11Signer> = BTreeMap::new();
    for case in token_cases() {
        let label = &hsm.labels[case["key"].as_str().unwrap()];
        let signer =
            signers.entry(label.clone()).or_insert_with(|| Pkcs11Signer::open(&uri(label), None).unwrap());
        let token = PopToken::build_with(&*signer, pairs(&case), &options(&case)).unwrap();
        assert_eq!(token, case["token"].as_str().unwrap(), "{}", case["name"]);
        assert_eq!(token, PopToken::build_with(&vector_key(&case), pairs(&case), &options(&case)).unwrap());
    }
    assert_eq!(signers.len(), 5, "distinct vector keys: {:?}", signers.keys());
}

fn first_case() -> (Value, String) {
    let case = token_cases().into_iter().next().unwrap();
    let label = hsm().labels[case["key"].as_str().unwrap()].clone();
    (case, label)
}

#[test]
fn the_pin_comes_from_the_uri_a_pin_source_or_the_password() {
    let (case, label) = first_case();
    let pin_file = hsm().folder.join("pin.txt");
    std::fs::write(&pin_file, format!("{PIN}\n")).unwrap();
    let without_pin = format!("pkcs11:token=taap;object={label}?module-path={MODULE}");
    let from_source = format!("{without_pin}&pin-source=file:{}", pin_file.display());
    let signers: [Arc<dyn Signer>; 3] = [
        open_signer(uri(&label), None).unwrap(),
        open_signer(&from_source, None).unwrap(),
        open_signer(&without_pin, Some(PIN.as_bytes())).unwrap(),
    ];
    // The login is the process's, so the PIN's source is proven on `other`, which no test logs
    // in to: a wrong PIN from each source is refused.
    let other = format!("pkcs11:token=other;object=k?module-path={MODULE}");
    let wrong_file = hsm().folder.join("wrong-pin.txt");
    std::fs::write(&wrong_file, "not-it\n").unwrap();
    let from_wrong_source = format!("{other}&pin-source={}", wrong_file.display());
    for refused in [open_signer(&from_wrong_source, None), open_signer(&other, Some(b"not-it"))] {
        assert_eq!(refused.unwrap_err().kind(), ErrorKind::KeyDecrypt);
    }
    for signer in signers {
        assert_eq!(signer.kind(), SignerKind::Pkcs11);
        let token = PopToken::build_with(&signer, pairs(&case), &options(&case)).unwrap();
        assert_eq!(token, case["token"].as_str().unwrap());
    }
}

#[test]
fn the_label_names_token_object_and_slot_but_never_the_pin() {
    let (_, label) = first_case();
    let signer = Pkcs11Signer::open(&uri(&label), None).unwrap();
    let shown = signer.label();
    assert!(shown.starts_with(&format!("pkcs11:token=taap;object={label} (slot ")), "{shown}");
    assert!(shown.ends_with(&format!(", module {MODULE})")), "{shown}");
    assert!(!shown.contains(PIN) && !format!("{signer:?}").contains(PIN));
}

#[test]
fn threads_share_one_signer() {
    let (case, label) = first_case();
    let signer = Arc::new(Pkcs11Signer::open(&uri(&label), None).unwrap());
    let expected = case["token"].as_str().unwrap().to_owned();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..10 {
                    let token = PopToken::build_with(&signer, pairs(&case), &options(&case)).unwrap();
                    assert_eq!(token, expected);
                }
            });
        }
    });
}

/// The error opening `uri` gives: its kind and message, which never holds the PIN.
fn open_error(uri: &str) -> (ErrorKind, String) {
    hsm();
    let error = Pkcs11Signer::open(uri, None).unwrap_err();
    let message = error.to_string();
    assert!(!message.contains(PIN) && !message.contains(OTHER_PIN), "{message}");
    (error.kind(), message)
}

#[test]
fn a_wrong_pin_is_key_decrypt_naming_the_token() {
    let (kind, message) =
        open_error(&format!("pkcs11:token=other;object=k?module-path={MODULE}&pin-value={PIN}"));
    assert_eq!(kind, ErrorKind::KeyDecrypt);
    assert!(
        message.starts_with("cannot decrypt the private key: the PIN for PKCS#11 token \"other\" (slot "),
        "{message}"
    );
    assert!(message.ends_with(") is wrong"), "{message}");
}

#[test]
fn a_missing_module_is_config() {
    let (kind, message) =
        open_error(&format!("pkcs11:token=taap;object=k?module-path=/no/libpkcs11.so&pin-value={PIN}"));
    assert_eq!(kind, ErrorKind::Config);
    assert!(
        message.starts_with("invalid configuration: cannot load the PKCS#11 module /no/libpkcs11.so: "),
        "{message}"
    );
}

#[test]
fn a_missing_token_or_object_is_invalid_key() {
    let (kind, message) =
        open_error(&format!("pkcs11:token=absent;object=k?module-path={MODULE}&pin-value={PIN}"));
    assert_eq!(kind, ErrorKind::InvalidKey);
    assert!(
        message.starts_with(&format!(
            "invalid key: no PKCS#11 token matches pkcs11:token=absent;object=k in module {MODULE}; tokens present: "
        )),
        "{message}"
    );
    assert!(message.contains("\"taap\" (slot ") && message.contains("\"other\" (slot "), "{message}");
    let (kind, message) = open_error(&uri("absent"));
    assert_eq!(kind, ErrorKind::InvalidKey);
    assert!(message.starts_with(
        "invalid key: no private key pkcs11:token=taap;object=absent on PKCS#11 token \"taap\" (slot "
    ));
    // Token `other`: no test logs in to it (PKCS#11 logs a whole process in, so without a PIN a
    // key of `taap` may be visible once another test has logged in there).
    let (kind, message) = open_error(&format!("pkcs11:token=other;object=k?module-path={MODULE}"));
    assert_eq!(kind, ErrorKind::InvalidKey);
    assert!(message.ends_with("no PIN was given, and private keys are visible only after login (add pin-source=… or pin-value=… to the URI)"), "{message}");
}

#[test]
fn a_key_that_is_not_rsa_or_may_not_sign_is_invalid_key() {
    let (kind, message) = open_error(&uri("ec-key"));
    assert_eq!(kind, ErrorKind::InvalidKey);
    assert!(message.starts_with(
        "invalid key: the key pkcs11:token=taap;object=ec-key on PKCS#11 token \"taap\" (slot "
    ));
    assert!(message.ends_with(") is a CKK_EC key; RS256 needs an RSA key"), "{message}");
    let (kind, message) = open_error(&uri("no-sign"));
    assert_eq!(kind, ErrorKind::InvalidKey);
    assert!(message.ends_with(") is not allowed to sign (its CKA_SIGN is false)"), "{message}");
}

#[test]
fn a_bad_uri_is_config() {
    let (kind, message) = open_error(&format!("pkcs11:token=taap?module-path={MODULE}&pin-value={PIN}"));
    assert_eq!(kind, ErrorKind::Config);
    assert_eq!(message, "invalid configuration: bad pkcs11: URI: name the key with object=LABEL or id=%XX…");
}

#[path = "support/rate.rs"]
mod rate;

/// BENCHMARKS.md's PKCS#11 figures: `cargo test --release -p taap --features pkcs11 --test pkcs11
/// -- --ignored --nocapture`.
#[test]
#[ignore = "a benchmark: run with --ignored --nocapture"]
fn bench_softhsm_against_the_in_memory_key() {
    let (case, label) = first_case();
    let in_memory = vector_key(&case);
    let in_token = Pkcs11Signer::open(&uri(&label), None).unwrap();
    let ehts = pairs(&case);
    let memory = || drop(PopToken::build(&in_memory, ehts.clone()).unwrap());
    let token = || drop(PopToken::build(&in_token, ehts.clone()).unwrap());
    // The module's own cost: C_Sign over a signing input of a token's length, nothing else.
    let context = Pkcs11::new(MODULE).unwrap();
    let _ = context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = context
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|slot| context.get_token_info(*slot).unwrap().label().trim_end() == "taap")
        .unwrap();
    let session = std::sync::Mutex::new(context.open_ro_session(slot).unwrap());
    let template = [Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Label(label.as_bytes().to_vec())];
    let key = session.lock().unwrap().find_objects(&template).unwrap()[0];
    let signing_input =
        PopToken::build(&in_memory, ehts.clone()).unwrap().as_str().rsplit_once('.').unwrap().0.to_owned();
    let module_only = || {
        drop(
            session
                .lock()
                .unwrap()
                .sign(&cryptoki::mechanism::Mechanism::Sha256RsaPkcs, key, signing_input.as_bytes())
                .unwrap(),
        )
    };
    let rates = rate::medians(
        5,
        &[
            ("in-memory, 1 thread", 1, &memory),
            ("SoftHSM2 C_Sign alone, 1 thread", 1, &module_only),
            ("SoftHSM2, 1 thread", 1, &token),
            ("SoftHSM2, 8 threads", 8, &token),
        ],
    );
    for (name, rate) in &rates {
        println!("{name}: {rate:.0} tokens/s");
    }
    println!("SoftHSM2 / in-memory (1 thread): {:.2}x", rates[2].1 / rates[0].1);
    println!("taap on SoftHSM2 / the module's C_Sign alone: {:.2}x", rates[2].1 / rates[1].1);
    println!("SoftHSM2 8 threads / 1 thread: {:.2}x", rates[3].1 / rates[2].1);
}
