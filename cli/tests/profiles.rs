//! Profiles, `--api`, `--dry-run` and completions, driven as users drive them: a config file
//! in a temporary folder, flags over the profile, exact output and exact one-line errors.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const SECRET_VAR: &str = "TAAP_TEST_PROFILE_SECRET";
const SECRET: &str = "profile-s3cret";
/// The first line of every dry run with the readme key: which signer signs.
const README_SIGNER: &str = "# signer: in-memory RSA-2048 key HxHEN4nvk2pSqIz4Ff4OPdtiyoFkILxb0uymA3HKPm4\n";

fn readme_key() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/keys/tmobile/readme-private-pkcs8.pem")
        .display()
        .to_string()
}

/// A config folder holding `config.toml` with `text`, and the readme key at `keys/k.pem`.
fn config_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("keys")).unwrap();
    std::fs::copy(readme_key(), dir.path().join("keys/k.pem")).unwrap();
    std::fs::write(dir.path().join("config.toml"), text).unwrap();
    dir
}

fn taap(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(args)
        .env("TAAP_CONFIG", dir.join("config.toml"))
        .env_remove("TAAP_PROFILE")
        .env(SECRET_VAR, SECRET)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const CONFIG: &str = r#"
[profile.devedge]
client_id = "my-client-id"
client_secret_env = "TAAP_TEST_PROFILE_SECRET"
key = "keys/k.pem"
api = "fraud-prevention"

[profile.wholesale]
client_id = "consumer-key"
client_secret_env = "TAAP_TEST_PROFILE_SECRET"
key = "keys/k.pem"
token_url = "https://wholesale.example/oauth2/v2/tokens"
token_body = { grant_type = "client_credentials", who = "{client_id}" }
token_body_mode = "replace"
pop_claims = { iss = "{client_id}" }
headers = { "X-Partner-Id" = "P-1" }
"#;

#[test]
fn token_dry_run_prints_the_request_with_secrets_masked() {
    let dir = config_dir(CONFIG);
    let output = taap(dir.path(), &["token", "--profile", "devedge", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        README_SIGNER.to_owned()
            + "POST https://api.t-mobile.com/oauth2/v6/tokens\nContent-Type: application/json\n\
         Authorization: Basic ****\nX-Authorization: ****\n\n\
         {\"client_id\":\"my-client-id\",\"client_secret\":\"****\",\"scope\":\"response_mode\",\
         \"grant-type\":\"client_credentials\"}\n"
    );
    assert!(!text(&output.stdout).contains(SECRET));
}

#[test]
fn call_dry_run_prints_both_requests_with_the_profiles_variants() {
    let dir = config_dir(CONFIG);
    let args = ["call", "POST", "https://api.example/v1/x?q=a%20b", "-d", "{}", "--dry-run"];
    let output = taap(dir.path(), &[&args[..], &["--profile", "wholesale"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        README_SIGNER.to_owned()
            + "POST https://wholesale.example/oauth2/v2/tokens\nContent-Type: application/json\n\
         Authorization: Basic ****\nX-Authorization: ****\n\n\
         {\"grant_type\":\"client_credentials\",\"who\":\"consumer-key\"}\n\n\
         POST https://api.example/v1/x?q=a%20b\nContent-Type: application/json\nX-Partner-Id: P-1\n\
         Authorization: Bearer ****\nX-Authorization: ****\n\n{}\n"
    );
}

#[test]
fn flags_override_the_profile() {
    let dir = config_dir(CONFIG);
    let output = taap(
        dir.path(),
        &["token", "--profile", "devedge", "--api", "connectivity", "--client-id", "other", "--dry-run"],
    );
    assert_eq!(
        text(&output.stdout),
        README_SIGNER.to_owned()
            + "POST https://naas.t-mobile.com/oauth2/v2/tokens\nContent-Type: application/json\n\
         Authorization: Basic ****\nX-Authorization: ****\n\n"
    );
    let from_env = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["token", "--dry-run", "--server", "v6"])
        .env("TAAP_CONFIG", dir.path().join("config.toml"))
        .env("TAAP_PROFILE", "devedge")
        .env(SECRET_VAR, SECRET)
        .output()
        .unwrap();
    assert!(text(&from_env.stdout)
        .starts_with(&format!("{README_SIGNER}POST https://api.t-mobile.com/oauth2/v6/tokens\n")));
}

#[test]
fn the_token_store_flag_overrides_the_profiles_store_variable() {
    let dir = config_dir(&format!("{CONFIG}\n[profile.fleet]\nclient_id = \"c\"\nclient_secret_env = \"{SECRET_VAR}\"\nkey = \"keys/k.pem\"\napi = \"connectivity\"\ntoken_store_env = \"TAAP_TEST_UNSET_TOKEN_STORE\"\n"));
    let from_profile = taap(dir.path(), &["token", "--profile", "fleet", "--dry-run"]);
    assert_eq!(
        text(&from_profile.stderr),
        "taap: Config: invalid configuration: environment variable TAAP_TEST_UNSET_TOKEN_STORE is not set (or not UTF-8)\n"
    );
    let store = "redis://127.0.0.1:1";
    let with_flag = taap(dir.path(), &["token", "--profile", "fleet", "--token-store", store, "--dry-run"]);
    assert!(with_flag.status.success(), "{}", text(&with_flag.stderr));
    assert!(text(&with_flag.stdout)
        .starts_with(&format!("{README_SIGNER}POST https://naas.t-mobile.com/oauth2/v2/tokens\n")));
}

#[test]
fn an_unknown_api_lists_the_known_ones() {
    let dir = config_dir(CONFIG);
    let output = taap(dir.path(), &["token", "--profile", "devedge", "--api", "weather"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "taap: Config: invalid configuration: \"weather\" is not an API taap knows; choose one of connectivity, \
         location, sms-notification, call-verification, fraud-prevention, or give v2, v6 or a token URL\n"
    );
    let both = taap(dir.path(), &["token", "--api", "location", "--server", "v2"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn without_a_profile_a_missing_setting_names_its_flag() {
    let dir = config_dir(CONFIG);
    let output =
        taap(dir.path(), &["token", "--client-id", "a", "--key", &readme_key(), "--api", "location"]);
    assert_eq!(
        text(&output.stderr),
        "taap: Config: invalid configuration: give --client-secret-env, or pick a profile with --profile NAME\n"
    );
}

#[test]
fn profile_list_and_show_never_print_secrets() {
    let dir = config_dir(CONFIG);
    let list = taap(dir.path(), &["profile", "list"]);
    assert_eq!(text(&list.stdout), "devedge\nwholesale\n");
    let show = taap(dir.path(), &["profile", "show", "devedge"]);
    let key = dir.path().join("keys/k.pem").display().to_string();
    assert_eq!(
        text(&show.stdout),
        format!(
            "[profile.devedge]\nclient_id = \"my-client-id\"\nclient_secret_env = \"{SECRET_VAR}\"\nkey = \"{key}\"\n\
             api = \"fraud-prevention\"\n"
        )
    );
    let unknown = taap(dir.path(), &["profile", "show", "prod"]);
    let file = dir.path().join("config.toml").display().to_string();
    assert_eq!(
        text(&unknown.stderr),
        format!("taap: Config: invalid configuration: {file}: no profile \"prod\" (profiles: devedge, wholesale)\n")
    );
}

#[test]
fn a_bad_profile_is_one_line_and_nothing_is_sent() {
    let cases = [
        ("[profile.p]\nclient_id = 1\n", "profile \"p\", key \"client_id\": must be a string, not integer"),
        ("[profile.p]\napi = \"v9\"\n", "profile \"p\", key \"api\": \"v9\" is not an API taap knows; choose one of connectivity, location, sms-notification, call-verification, fraud-prevention, or give v2, v6 or a token URL"),
        ("[profile.p]\nheaders = { \"X-Authorization\" = \"x\" }\n", "profile \"p\", key \"headers\": headers: X-Authorization is set by the client itself"),
        ("[profile.p]\npop_claims = { iat = 1 }\n", "profile \"p\", key \"pop_claims\": pop_claims cannot set \"iat\": the PoP token sets it itself"),
        ("[profile.p]\nsecret = \"x\"\n", "profile \"p\", key \"secret\": unknown key; a profile takes client_id, client_secret_env, key, password_env, api, server, token_url, store_id, dealer_code, token_body, token_body_mode, pop_claims, pop_header, headers, sign_headers, uri_form, x_authorization_prefix, token_store_env, routes"),
    ];
    for (config, message) in cases {
        let dir = config_dir(config);
        let file = dir.path().join("config.toml").display().to_string();
        let output = taap(dir.path(), &["token", "--profile", "p", "--dry-run"]);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(text(&output.stderr), format!("taap: Config: invalid configuration: {file}: {message}\n"));
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn completions_cover_bash_zsh_and_fish() {
    let dir = config_dir(CONFIG);
    for (shell, marker) in [("bash", "_taap()"), ("zsh", "#compdef taap"), ("fish", "complete -c taap")] {
        let output = taap(dir.path(), &["completions", shell]);
        assert_eq!(output.status.code(), Some(0));
        let script = text(&output.stdout);
        assert!(
            script.contains(marker) && script.contains("dry-run") && script.contains("profile"),
            "{shell}"
        );
    }
}

/// `taap serve` on loopback with the readme key registered; killed when dropped.
struct Served(Child, String);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve() -> Served {
    let public_key = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile/readme-public.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_taap"))
        .args(["serve", "--port", "0", "--client-id", "my-client-id", "--client-secret-env", SECRET_VAR])
        .arg("--public-key")
        .arg(public_key)
        .env(SECRET_VAR, SECRET)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = first.trim().strip_prefix("listening on ").unwrap().to_owned();
    Served(child, url)
}

#[test]
fn a_profile_with_variants_gets_a_token_and_calls_a_local_gateway() {
    let served = serve();
    let config = format!(
        "[profile.local]\nclient_id = \"my-client-id\"\nclient_secret_env = \"{SECRET_VAR}\"\nkey = \"keys/k.pem\"\n\
         token_url = \"{}/oauth2/v6/tokens\"\ntoken_body = {{ storeId = \"S-1\" }}\npop_claims = {{ iss = \"{{client_id}}\" }}\n\
         pop_header = {{ kid = \"k-1\" }}\nheaders = {{ \"X-Partner-Id\" = \"P-1\" }}\n\
         sign_headers = [\"Content-Type\", \"Authorization\", \"X-Partner-Id\"]\n",
        served.1
    );
    let dir = config_dir(&config);
    let url = format!("{}/iot-connectivity/v1/devices/8901260000000000019", served.1);
    let output = taap(dir.path(), &["call", "GET", &url, "--profile", "local", "-i"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("HTTP/1.1 200\n"), "{}", text(&output.stdout));
}
