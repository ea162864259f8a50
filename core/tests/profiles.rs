//! Client profiles (`[profile.NAME]` in config.toml): parsing, overrides, and one exact line
//! naming the file, the profile and the key for every kind of bad setting.

use std::path::Path;

use serde_json::json;
use taap::{client::OAuthServer, client::Profile, client::Profiles, client::TokenBody, request::UriForm};

const FILE: &str = "/etc/taap/config.toml";

const GOOD: &str = r#"
[profile.devedge]
client_id = "my-client-id"
client_secret_env = "TAAP_SECRET"
key = "keys/private-key.pem"
api = "connectivity"

[profile.wholesale]
client_id = "consumer-key"
client_secret_env = "WHOLESALE_SECRET"
key = "keys/wholesale.pem"
password_env = "WHOLESALE_KEY_PASSWORD"
token_url = "https://wholesale.example/oauth2/v2/tokens"
token_body = { grant_type = "client_credentials", cnf = "{public_key_pem}" }
pop_claims = { iss = "{client_id}" }
pop_header = { kid = "k-1" }
headers = { "X-Partner-Id" = "P-1", "X-Api-Key" = "k-secret" }
sign_headers = ["Content-Type", "Authorization", "X-Partner-Id"]
uri_form = "encoded"
x_authorization_prefix = "PoP "
"#;

fn parse(text: &str) -> taap::Result<Profiles> {
    Profiles::parse(text, Path::new(FILE))
}

#[test]
fn the_issues_example_parses_with_keys_relative_to_the_file() {
    let profiles = parse(GOOD).unwrap();
    let names: Vec<&str> = profiles.all().iter().map(|profile| profile.name.as_str()).collect();
    assert_eq!(names, ["devedge", "wholesale"]);
    let devedge = profiles.get("devedge").unwrap();
    assert_eq!(devedge.server, Some(OAuthServer::V2));
    assert_eq!(devedge.key.as_deref(), Some(Path::new("/etc/taap/keys/private-key.pem")));
    let wholesale = profiles.get("wholesale").unwrap();
    let body = json!({"grant_type": "client_credentials", "cnf": "{public_key_pem}"});
    assert_eq!(wholesale.token_body, Some(TokenBody::Merge(body.as_object().unwrap().clone())));
    assert_eq!(wholesale.pop_extras.claims, [("iss".to_owned(), json!("{client_id}"))]);
    assert_eq!(wholesale.uri_form, Some(UriForm::Encoded));
}

#[test]
fn show_never_prints_secrets_only_their_variables() {
    let shown = parse(GOOD).unwrap().get("wholesale").unwrap().to_string();
    assert_eq!(
        shown,
        "client_id = \"consumer-key\"\nclient_secret_env = \"WHOLESALE_SECRET\"\n\
         password_env = \"WHOLESALE_KEY_PASSWORD\"\nkey = \"/etc/taap/keys/wholesale.pem\"\n\
         token_url = \"https://wholesale.example/oauth2/v2/tokens\"\n\
         token_body = {\"grant_type\":\"client_credentials\",\"cnf\":\"{public_key_pem}\"}\n\
         pop_claims = {\"iss\":\"{client_id}\"}\npop_header = {\"kid\":\"k-1\"}\n\
         headers = {\"X-Partner-Id\":\"P-1\",\"X-Api-Key\":\"****\"}\n\
         sign_headers = [\"Content-Type\",\"Authorization\",\"X-Partner-Id\"]\nuri_form = \"encoded\"\n\
         x_authorization_prefix = \"PoP \"\n"
    );
}

#[test]
fn flags_override_the_profile() {
    let profile = parse(GOOD).unwrap().get("devedge").unwrap().clone();
    let mut flags = Profile::default();
    flags.client_id = Some("other".into());
    flags.server = Some(OAuthServer::V6);
    let merged = profile.overridden_by(flags);
    assert_eq!((merged.client_id.as_deref(), merged.server), (Some("other"), Some(OAuthServer::V6)));
    assert_eq!(merged.client_secret_env.as_deref(), Some("TAAP_SECRET"));
}

#[test]
fn each_bad_setting_is_one_line_naming_file_profile_and_key() {
    let cases = [
        ("[profile.p]\nclient_id = 7", r#"profile "p", key "client_id": must be a string, not integer"#),
        (
            "[profile.p]\nclient_secret = \"s3cr3t\"",
            r#"profile "p", key "client_secret": unknown key; a profile takes client_id, client_secret_env, key, password_env, api, server, token_url, store_id, dealer_code, token_body, token_body_mode, pop_claims, pop_header, headers, sign_headers, uri_form, x_authorization_prefix, token_store_env, routes"#,
        ),
        (
            "[profile.p]\nclient_secret_env = \"a b\"",
            r#"profile "p", key "client_secret_env": must name an environment variable (the secret itself never goes in the file)"#,
        ),
        (
            "[profile.p]\nroutes = { \"sms/\" = \"v6\" }",
            r#"profile "p", key "routes": route "sms/" must be a path starting with /"#,
        ),
        (
            "[profile.p]\nroutes = { \"/sms/\" = 6 }",
            r#"profile "p", key "routes": the server of /sms/ must be a string"#,
        ),
        (
            "[profile.p]\napi = \"weather\"",
            r#"profile "p", key "api": "weather" is not an API taap knows; choose one of connectivity, location, sms-notification, call-verification, fraud-prevention, or give v2, v6 or a token URL"#,
        ),
        (
            "[profile.p]\napi = \"location\"\nserver = \"v6\"",
            r#"profile "p", key "server": give one of api, server and token_url, not api and server"#,
        ),
        (
            "[profile.p]\ntoken_url = \"http://example.com/oauth2/v2/tokens\"",
            r#"profile "p", key "token_url": the OAuth server URL uses plain http to another machine; use https (credentials and tokens travel in it)"#,
        ),
        (
            "[profile.p]\ntoken_body = \"x\"",
            r#"profile "p", key "token_body": must be a table, e.g. { name = "value" }"#,
        ),
        (
            "[profile.p]\ntoken_body = {}\ntoken_body_mode = \"swap\"",
            r#"profile "p", key "token_body_mode": is "swap"; choose merge or replace"#,
        ),
        (
            "[profile.p]\npop_claims = { jti = \"x\" }",
            r#"profile "p", key "pop_claims": pop_claims cannot set "jti": the PoP token sets it itself"#,
        ),
        (
            "[profile.p]\npop_header = { alg = \"none\" }",
            r#"profile "p", key "pop_header": pop_header cannot set "alg": the PoP token sets it itself"#,
        ),
        (
            "[profile.p]\nheaders = { Authorization = \"x\" }",
            r#"profile "p", key "headers": headers: Authorization is set by the client itself"#,
        ),
        (
            "[profile.p]\nheaders = { X-A = 1 }",
            r#"profile "p", key "headers": the value of X-A must be a string"#,
        ),
        (
            "[profile.p]\nsign_headers = [\"a;b\"]",
            r#"profile "p", key "sign_headers": "a;b" is not a header name a PoP token can sign"#,
        ),
        (
            "[profile.p]\nuri_form = \"raw\"",
            r#"profile "p", key "uri_form": uri_form is "raw"; choose decoded (the docs) or encoded (the query as sent)"#,
        ),
    ];
    for (text, message) in cases {
        let error = parse(text).unwrap_err();
        assert_eq!(error.to_string(), format!("invalid configuration: {FILE}: {message}"), "{text}");
        assert!(!error.to_string().contains('\n'));
    }
}

#[test]
fn bad_files_and_unknown_profiles_are_one_line_too() {
    let cases = [
        ("[profile.p\n", "line 1: unclosed table, expected `]`"),
        ("name = 1", r#"unknown table or key "name"; profiles go in [profile.NAME]"#),
        ("profile = 1", r#""profile" must be tables, [profile.NAME]"#),
        ("[profile]\np = 1", r#"profile "p" must be a table, [profile.p]"#),
    ];
    for (text, message) in cases {
        assert_eq!(
            parse(text).unwrap_err().to_string(),
            format!("invalid configuration: {FILE}: {message}"),
            "{text}"
        );
    }
    let error = parse(GOOD).unwrap().get("prod").unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("invalid configuration: {FILE}: no profile \"prod\" (profiles: devedge, wholesale)")
    );
    let missing = Profiles::load(Path::new("/nonexistent/taap.toml")).unwrap_err().to_string();
    assert!(
        missing.starts_with("invalid configuration: /nonexistent/taap.toml: cannot read it ("),
        "{missing}"
    );
}

#[test]
fn a_profile_without_required_settings_names_the_missing_key() {
    let profiles = parse("[profile.bare]\nclient_id = \"id\"").unwrap();
    let error = profiles.get("bare").unwrap().client_config().unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid configuration: profile \"bare\" has no client_secret_env (set it, or pass it as a flag)"
    );
}

#[test]
fn binding_options_follow_the_same_rules_and_name_the_option() {
    let options = json!({"api": "call-verification", "pop_claims": {"iss": "{client_id}"}, "uri_form": null});
    let profile = Profile::from_options(options.as_object().unwrap()).unwrap();
    assert_eq!(profile.server, Some(OAuthServer::V6));
    let both = json!({"api": "location", "server": "v6"});
    assert_eq!(
        Profile::from_options(both.as_object().unwrap()).unwrap_err().to_string(),
        r#"invalid configuration: option "server": give one of api, server and token_url, not api and server"#
    );
    let bad = json!({"headers": {"X-A": [1]}});
    assert_eq!(
        Profile::from_options(bad.as_object().unwrap()).unwrap_err().to_string(),
        r#"invalid configuration: option "headers": the value of X-A must be a string"#
    );
}

#[test]
fn a_token_store_comes_from_its_variable_and_a_bad_url_names_no_password() {
    let key = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys/tmobile/readme-private-pkcs8.pem");
    let text = format!(
        "[profile.fleet]\nclient_id = \"id\"\nclient_secret_env = \"TAAP_PROFILE_TEST_SECRET\"\n\
         key = \"{key}\"\napi = \"connectivity\"\ntoken_store_env = \"TAAP_PROFILE_TEST_STORE\"\n"
    );
    let profile = parse(&text).unwrap().get("fleet").unwrap().clone();
    assert!(profile.to_string().contains("\ntoken_store_env = \"TAAP_PROFILE_TEST_STORE\"\n"), "{profile}");
    std::env::set_var("TAAP_PROFILE_TEST_SECRET", "s");
    assert_eq!(
        profile.client_config().unwrap_err().to_string(),
        "invalid configuration: environment variable TAAP_PROFILE_TEST_STORE is not set (or not UTF-8)"
    );
    std::env::set_var("TAAP_PROFILE_TEST_STORE", "redis://:hunter2@[::1");
    let error = profile.client_config().unwrap_err().to_string();
    assert!(!error.contains("hunter2"), "{error}");
    #[cfg(feature = "redis")]
    {
        std::env::set_var("TAAP_PROFILE_TEST_STORE", "redis://:hunter2@127.0.0.1:1/0");
        let config = profile.client_config().unwrap();
        assert!(config.token_store.is_some());
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}

/// Every `toml` block of docs/profiles.md parses as written (a user copies them whole).
#[test]
fn the_documented_examples_parse() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/profiles.md")).unwrap();
    let blocks: Vec<&str> =
        doc.split("```toml\n").skip(1).map(|rest| rest.split("```").next().unwrap()).collect();
    assert!(!blocks.is_empty(), "docs/profiles.md has toml examples");
    for block in blocks {
        let profiles = parse(block).unwrap_or_else(|error| panic!("{error}\n{block}"));
        assert!(!profiles.all().is_empty(), "{block}");
    }
}

#[test]
fn routes_give_token_servers_by_path_prefix() {
    let text = "[profile.p]\napi = \"connectivity\"\nroutes = { \"/call-verification/\" = \"call-verification\", \"/sms\" = \"https://t.example/oauth2/v6/tokens\" }";
    let profiles = parse(text).unwrap();
    let routes = &profiles.get("p").unwrap().routes;
    assert_eq!(routes.server_for("/call-verification/v1/verify"), Some(&OAuthServer::V6));
    assert_eq!(
        routes.server_for("/sms/v1/x"),
        Some(&OAuthServer::Url("https://t.example/oauth2/v6/tokens".into()))
    );
    assert_eq!(routes.server_for("/iot-connectivity/v1/devices/1"), None);
}
