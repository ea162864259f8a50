//! `--key` and profile `key = …` with a key in a PKCS#11 token: SoftHSM2 in a temporary
//! folder, the readme vector key imported with `pkcs11-tool` as sensitive. The tokens equal the
//! vectors; the PIN is never printed.
//!
//! Needs `softhsm2-util` and `pkcs11-tool` (`bash scripts/setup.sh`); a missing tool fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "cli-pin-R7";
const SECRET_VAR: &str = "TAAP_TEST_SIGNER_SECRET";

fn repo_tests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

fn readme_case() -> Value {
    let text = std::fs::read_to_string(repo_tests().join("vectors/tokens.json")).unwrap();
    let vectors: Value = serde_json::from_str(&text).unwrap();
    vectors["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == "docs-orders-post")
        .unwrap()
        .clone()
}

fn run(tool: &str, args: &[&str], conf: &Path) {
    let output = Command::new(tool).args(args).env("SOFTHSM2_CONF", conf).output().unwrap_or_else(|error| {
        panic!("{tool} cannot run ({error}); install softhsm2 and opensc with `bash scripts/setup.sh`")
    });
    assert!(output.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// A SoftHSM2 token `taap` holding the readme key as `client`, in its own folder.
struct Token {
    dir: tempfile::TempDir,
}

impl Token {
    fn new() -> Token {
        assert!(
            Path::new(MODULE).exists(),
            "{MODULE} is missing; install softhsm2 with `bash scripts/setup.sh`"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tokens")).unwrap();
        let conf_text = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\n",
            dir.path().join("tokens").display()
        );
        let token = Token { dir };
        std::fs::write(token.conf(), conf_text).unwrap();
        let conf = token.conf();
        run(
            "softhsm2-util",
            &["--init-token", "--free", "--label", "taap", "--so-pin", "so-pin-1", "--pin", PIN],
            &conf,
        );
        let der = token.dir.path().join("key.der");
        let pem = repo_tests().join("keys/tmobile/readme-private-pkcs8.pem");
        run(
            "openssl",
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                pem.to_str().unwrap(),
                "-outform",
                "DER",
                "-out",
                der.to_str().unwrap(),
            ],
            &conf,
        );
        let mut args = vec!["--module", MODULE, "--token-label", "taap", "--login", "--pin", PIN];
        args.extend([
            "--write-object",
            der.to_str().unwrap(),
            "--type",
            "privkey",
            "--label",
            "client",
            "--id",
            "01",
        ]);
        args.extend(["--usage-sign", "--sensitive"]);
        run("pkcs11-tool", &args, &conf);
        std::fs::remove_file(der).unwrap();
        token
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    fn taap(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_taap"))
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .env("TAAP_CONFIG", self.dir.path().join("config.toml"))
            .env_remove("TAAP_PROFILE")
            .env("TAAP_TEST_PIN", PIN)
            .env(SECRET_VAR, "signer-s3cret")
            .output()
            .unwrap()
    }
}

fn uri_without_pin() -> String {
    format!("pkcs11:token=taap;object=client?module-path={MODULE}")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn assert_no_pin(output: &Output) {
    assert!(!text(&output.stdout).contains(PIN) && !text(&output.stderr).contains(PIN), "{output:?}");
}

#[test]
fn pop_signs_with_a_pkcs11_key_byte_for_byte_as_the_file() {
    let token = Token::new();
    let case = readme_case();
    let uri = format!("{}&pin-value={PIN}", uri_without_pin());
    let mut args = vec!["pop".to_owned(), "--key".into(), uri];
    for pair in case["ehts"].as_array().unwrap() {
        args.extend([
            "--ehts".into(),
            format!("{}={}", pair[0].as_str().unwrap(), pair[1].as_str().unwrap()),
        ]);
    }
    args.extend([
        "--iat".into(),
        case["iat"].to_string(),
        "--jti".into(),
        case["jti"].as_str().unwrap().into(),
    ]);
    let output = token.taap(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), format!("{}\n", case["token"].as_str().unwrap()));
}

#[test]
fn dry_run_names_the_pkcs11_signer_but_never_the_pin() {
    let token = Token::new();
    let uri = uri_without_pin();
    let args =
        ["token", "--dry-run", "--server", "v2", "--client-id", "c", "--client-secret-env", SECRET_VAR];
    let output = token.taap(&[&args[..], &["--key", &uri, "--password-env", "TAAP_TEST_PIN"]].concat());
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let first = stdout.lines().next().unwrap();
    assert!(first.starts_with("# signer: pkcs11 pkcs11:token=taap;object=client (slot "), "{first}");
    assert!(first.ends_with(&format!(", module {MODULE})")), "{first}");
    assert_eq!(stdout.lines().nth(1), Some("POST https://naas.t-mobile.com/oauth2/v2/tokens"));
    assert_no_pin(&output);
}

#[test]
fn a_profile_key_may_be_a_pkcs11_uri_but_not_hold_its_pin() {
    let token = Token::new();
    let pin_file = token.dir.path().join("pin");
    std::fs::write(&pin_file, format!("{PIN}\n")).unwrap();
    let key = format!("{}&pin-source={}", uri_without_pin(), pin_file.display());
    let profile = format!(
        "[profile.hsm]\nclient_id = \"c\"\nclient_secret_env = \"{SECRET_VAR}\"\napi = \"connectivity\"\n"
    );
    std::fs::write(token.dir.path().join("config.toml"), format!("{profile}key = \"{key}\"\n")).unwrap();
    let output =
        token.taap(&["call", "GET", "https://api.t-mobile.com/v1/x", "--profile", "hsm", "--dry-run"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("# signer: pkcs11 pkcs11:token=taap;object=client (slot "));
    assert_no_pin(&output);
    let shown = token.taap(&["profile", "show", "hsm"]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let key_line = format!("key = \"{key}\"");
    assert!(text(&shown.stdout).lines().any(|line| line == key_line), "{}", text(&shown.stdout));

    // A PIN in the config file itself is refused: a config file holds no secret.
    let with_pin = format!("{profile}key = \"{}&pin-value={PIN}\"\n", uri_without_pin());
    std::fs::write(token.dir.path().join("config.toml"), with_pin).unwrap();
    let refused = token.taap(&["profile", "show", "hsm"]);
    assert_eq!(refused.status.code(), Some(1));
    let file = token.dir.path().join("config.toml").display().to_string();
    let expected = format!(
        "taap: Config: invalid configuration: {file}: profile \"hsm\", key \"key\": holds a pin-value; \
         a config file holds no secret: use pin-source=FILE or password_env\n"
    );
    assert_eq!(text(&refused.stderr), expected);
    assert_no_pin(&refused);
}

#[test]
fn a_wrong_pin_fails_with_key_decrypt_and_hides_it() {
    let token = Token::new();
    let uri = format!("{}&pin-value=not-{PIN}", uri_without_pin());
    let output = token.taap(&["pop", "--key", &uri, "--ehts", "uri=/x"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(
            "taap: KeyDecrypt: cannot decrypt the private key: the PIN for PKCS#11 token \"taap\" (slot "
        ),
        "{stderr}"
    );
    assert!(stderr.ends_with(") is wrong\n"), "{stderr}");
    assert_no_pin(&output);
}

#[test]
fn an_aws_kms_key_without_credentials_is_one_config_line() {
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_taap"));
    command.args(["pop", "--key", "aws-kms:alias/taap-client", "--ehts", "uri=/x"]);
    for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"] {
        command.env_remove(name);
    }
    let output = command.env("HOME", home.path()).env("AWS_REGION", "us-east-1").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        format!(
            "taap: Config: invalid configuration: no AWS credentials: set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY, or give profile \"default\" aws_access_key_id and aws_secret_access_key \
             in {}/.aws/credentials\n",
            home.path().display()
        )
    );
}

#[test]
fn keygen_makes_a_key_inside_the_token_that_signs_and_never_leaves_it() {
    let token = Token::new();
    let uri = format!("pkcs11:token=taap;object=made-here?module-path={MODULE}");
    let made = token.taap(&["keygen", "--pkcs11", &uri, "--pin-env", "TAAP_TEST_PIN"]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    let public_pem = text(&made.stdout);
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{public_pem}");
    let said = text(&made.stderr);
    assert!(
        said.starts_with("made a 2048-bit RSA key in pkcs11:token=taap;object=made-here (slot "),
        "{said}"
    );
    assert_no_pin(&made);

    // It signs, and what it signs verifies under the printed public key.
    let public_file = token.dir.path().join("made-here.pem");
    std::fs::write(&public_file, &public_pem).unwrap();
    let pop =
        token.taap(&["pop", "--key", &uri, "--password-env", "TAAP_TEST_PIN", "--ehts", "uri=/v1/devices"]);
    assert!(pop.status.success(), "{}", text(&pop.stderr));
    let pop_token = text(&pop.stdout);
    let public_arg = public_file.to_str().unwrap();
    let verified =
        token.taap(&["verify", pop_token.trim(), "--public-key", public_arg, "--ehts", "uri=/v1/devices"]);
    assert_eq!(text(&verified.stdout), "valid\n", "{}", text(&verified.stderr));

    // The token itself says the private half is sensitive and was never extractable.
    let listed = Command::new("pkcs11-tool")
        .args(["--module", MODULE, "--token-label", "taap", "--login", "--pin", PIN])
        .args(["--list-objects", "--type", "privkey", "--label", "made-here"])
        .env("SOFTHSM2_CONF", token.conf())
        .output()
        .expect("pkcs11-tool runs (bash scripts/setup.sh installs opensc)");
    let listed = text(&listed.stdout);
    assert!(listed.contains("sensitive") && listed.contains("never extractable"), "{listed}");

    // A second key under the same label is refused, not made beside the first.
    let again = token.taap(&["keygen", "--pkcs11", &uri, "--pin-env", "TAAP_TEST_PIN"]);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    assert!(text(&again.stderr).contains("already holds a private key labelled \"made-here\""), "{again:?}");
}

#[test]
fn doctor_names_the_signer_that_made_a_token() {
    let token = Token::new();
    let uri = uri_without_pin();
    let pop = |key: &str| {
        let args = ["pop", "--key", key, "--password-env", "TAAP_TEST_PIN", "--ehts", "uri=/v1/devices"];
        let output = token.taap(&args);
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout).trim().to_owned()
    };
    let doctor = |pop_token: &str| {
        let args = ["doctor", pop_token, "--url", "https://api.t-mobile.com/v1/devices", "--key", &uri];
        token.taap(&[&args[..], &["--password-env", "TAAP_TEST_PIN"]].concat())
    };
    let signer_line = |output: &Output| {
        let report = text(&output.stdout);
        report.lines().find(|line| line.starts_with("signer ")).map(str::to_owned).unwrap_or(report)
    };
    let by_the_token = doctor(&pop(&uri));
    assert_eq!(by_the_token.status.code(), Some(0), "{by_the_token:?}");
    let line = signer_line(&by_the_token);
    assert!(line.starts_with("signer     pkcs11 pkcs11:token=taap;object=client (slot "), "{line}");
    assert!(line.ends_with(": made this token"), "{line}");
    // A token from another key: the report says this signer did not make it.
    let other = repo_tests().join("keys/openssl/pkcs8-private.pem");
    let by_another = doctor(&pop(other.to_str().unwrap()));
    assert_eq!(by_another.status.code(), Some(1), "{by_another:?}");
    assert!(signer_line(&by_another).ends_with(": did not make this token"), "{by_another:?}");
    assert_no_pin(&by_the_token);
}
