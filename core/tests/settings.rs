//! The settings schema (`taap::settings`): its rules, its defaults against the types it
//! configures, and `tests/api/cases.json`, the behaviour suite every door runs.
//!
//! The cases are rendered from the schema (each option at its default, at both ends of its range,
//! one past each end, the wrong type, an unknown option) plus the concept cases of
//! `tests/api/concepts.json` (written by hand), each with the outcome the core gives. This test
//! fails when the file is stale; `TAAP_UPDATE_DECLARATIONS=1` rewrites it (with the features
//! `client` and `redis`, as the doors build the core).
#![cfg(all(feature = "client", feature = "redis"))]

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use taap::settings::{
    settings_of, validator_options, validator_settings, NameStyle, Setting, SettingGroup, SettingKind,
    SETTINGS,
};
use taap::{
    client::ClientConfig, client::ClientSettings, client::OAuthServer, validate::ValidatorOptions, PrivateKey,
};

const KEY_PEM: &str = include_str!("../../tests/keys/tmobile/readme-private-pkcs8.pem");

fn key() -> Arc<PrivateKey> {
    Arc::new(PrivateKey::from_pem(KEY_PEM.as_bytes(), None).unwrap())
}

fn options(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn client_error(given: Value, style: NameStyle) -> String {
    ClientSettings::from_options(&options(given), style).unwrap_err().to_string()
}

#[test]
fn messages_name_the_option_as_the_door_wrote_it() {
    assert_eq!(
        client_error(json!({"max_retries": 11}), NameStyle::Snake),
        "invalid configuration: option max_retries is 11; choose 0 to 10"
    );
    assert_eq!(
        client_error(json!({"maxRetries": 11}), NameStyle::Camel),
        "invalid configuration: option maxRetries is 11; choose 0 to 10"
    );
    assert_eq!(
        client_error(json!({"timeout": 0}), NameStyle::Snake),
        "invalid configuration: option timeout is 0; choose above 0 and at most 3600 seconds"
    );
    assert_eq!(
        client_error(json!({"popTtl": "long"}), NameStyle::Camel),
        "invalid configuration: option popTtl must be a whole number of seconds, not a string"
    );
    assert_eq!(
        client_error(json!({"uri_form": "raw"}), NameStyle::Snake),
        "invalid configuration: option uri_form is \"raw\"; choose decoded or encoded"
    );
    let unknown = client_error(json!({"max_retries": 1, "retries": 3}), NameStyle::Snake);
    assert!(
        unknown.starts_with("invalid configuration: unknown option retries; the client takes api, server,")
    );
    let snake_in_camel = client_error(json!({"max_retries": 3}), NameStyle::Camel);
    assert!(
        snake_in_camel.starts_with("invalid configuration: unknown option max_retries;"),
        "{snake_in_camel}"
    );
}

#[test]
fn null_means_the_default() {
    let given = ClientSettings::from_options(&options(json!({"timeout": null})), NameStyle::Snake).unwrap();
    let config = given.client_config("id", "secret", key()).unwrap();
    assert_eq!(config.timeouts.request.as_secs(), 30);
}

#[test]
fn every_default_is_what_the_configured_type_starts_with() {
    let fresh = ClientConfig::new("id", "secret", key(), OAuthServer::V2);
    let effective = taap::client::effective_settings(&fresh);
    for setting in settings_of(SettingGroup::Client) {
        if let Some(value) = effective.get(setting.name) {
            let expected = match setting.default_value() {
                Value::Null => empty_of(setting),
                Value::String(server) if setting.name == "server" => {
                    json!(OAuthServer::parse(&server).unwrap().endpoint().unwrap().0.as_str())
                }
                default => default,
            };
            assert!(same(value, &expected), "{}: schema {expected}, ClientConfig {value}", setting.name);
        }
    }
    let validator = validator_settings(&ValidatorOptions::default());
    for setting in settings_of(SettingGroup::Validator) {
        assert!(same(&validator[setting.name], &setting.default_value()), "{}", setting.name);
    }
}

/// What a configuration shows for an option whose schema default is `null`.
fn empty_of(setting: &Setting) -> Value {
    match (setting.name, setting.kind) {
        ("token_store", _) => json!(false),
        ("x_authorization_prefix", _) => json!(""),
        (_, SettingKind::Headers) | ("pop_claims" | "pop_header", _) => json!({}),
        _ => Value::Null,
    }
}

/// JSON equality where `10` and `10.0` are the same number.
fn same(left: &Value, right: &Value) -> bool {
    match (left.as_f64(), right.as_f64()) {
        (Some(left), Some(right)) => left == right,
        _ => left == right,
    }
}

#[test]
fn giving_every_default_changes_nothing() {
    let defaults: Map<String, Value> = settings_of(SettingGroup::Client)
        .filter(|setting| setting.name != "api")
        .map(|setting| (setting.name.to_owned(), setting.default_value()))
        .collect();
    let given = ClientSettings::from_options(&defaults, NameStyle::Snake).unwrap();
    let config = given.client_config("id", "secret", key()).unwrap();
    let fresh = ClientConfig::new("id", "secret", key(), OAuthServer::V2);
    assert_eq!(taap::client::effective_settings(&config), taap::client::effective_settings(&fresh));
}

// ---- the behaviour suite's data file ----

/// One case: the options as a door gives them, and the outcome.
fn outcome(group: SettingGroup, given: &Map<String, Value>) -> Value {
    outcome_showing(group, given, &[])
}

/// [`outcome`], showing besides the given options the settings named in `shows` (an option
/// whose effect is on another setting: `api` on `server`).
fn outcome_showing(group: SettingGroup, given: &Map<String, Value>, shows: &[Value]) -> Value {
    let result = match group {
        SettingGroup::Client => ClientSettings::from_options(given, NameStyle::Snake)
            .and_then(|settings| taap::TaapClient::new(settings.client_config("id", "secret", key())?))
            .map(|client| client.settings().clone()),
        SettingGroup::Validator => validator_options(given, NameStyle::Snake)
            .and_then(taap::PopTokenValidator::new)
            .map(|validator| validator_settings(validator.options())),
        SettingGroup::Middleware => unreachable!("middleware cases are not rendered"),
    };
    match result {
        Ok(settings) => {
            let extra = shows.iter().filter_map(Value::as_str).map(str::to_owned);
            let names: Vec<String> = given.keys().cloned().chain(extra).collect();
            let shown =
                names.iter().filter_map(|name| settings.get(name).map(|value| (name.clone(), value.clone())));
            json!({ "settings": Value::Object(shown.collect()) })
        }
        Err(error) => {
            json!({ "error": format!("{:?}", error.kind()), "message": templated(&error.to_string()) })
        }
    }
}

/// The message with each option's name as `{name}`, which a door fills in its own style: every
/// name of two or more words (a door of the other style writes it differently) and any name
/// after "option ".
fn templated(message: &str) -> String {
    let mut message = message.to_owned();
    for group in [SettingGroup::Client, SettingGroup::Validator] {
        let names: Vec<&str> = settings_of(group).map(|setting| setting.name).collect();
        let listed = format!("the {} takes {}", group.name(), names.join(", "));
        message = message.replace(&listed, &format!("the {0} takes {{{0} options}}", group.name()));
    }
    let mut templated = String::new();
    let mut rest = message.as_str();
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '{') {
        templated.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(rest.len(), |end| end + 1);
        let word = &rest[..end];
        let named = SETTINGS.iter().any(|setting| setting.name == word);
        if named && (word.contains('_') || templated.ends_with("option ")) {
            templated.push_str(&format!("{{{word}}}"));
        } else {
            templated.push_str(word);
        }
        rest = &rest[end..];
    }
    templated + rest
}

fn wrong_type(kind: SettingKind) -> Value {
    match kind {
        SettingKind::Seconds | SettingKind::WholeSeconds | SettingKind::Count | SettingKind::Bytes => {
            json!("10")
        }
        SettingKind::Flag => json!("yes"),
        SettingKind::Text | SettingKind::Choice(_) => json!(5),
        SettingKind::Members => json!("a=1"),
        SettingKind::Headers => json!({"X-Trace": 1}),
        SettingKind::Names => json!("Content-Type"),
        SettingKind::ReplayStore => json!(true),
    }
}

/// The values one option is tried with, and why.
fn trials(setting: &Setting) -> Vec<(String, Value)> {
    let mut trials = Vec::new();
    let default = setting.default_value();
    if !default.is_null() {
        trials.push(("the default".to_owned(), default));
    }
    let whole = !matches!(setting.kind, SettingKind::Seconds);
    let number = |value: f64| if whole { json!(value as i64) } else { json!(value) };
    if let Some(min) = setting.min {
        if !setting.min_exclusive {
            trials.push(("the smallest".into(), number(min)));
        }
        let below = if setting.min_exclusive { min } else { min - 1.0 };
        trials.push(("one past the smallest".into(), number(below)));
    }
    if let Some(max) = setting.max {
        trials.push(("the largest".into(), number(max)));
        trials.push(("one past the largest".into(), number(max + 1.0)));
    }
    if let SettingKind::Choice(words) = setting.kind {
        trials.extend(words.iter().map(|word| (format!("the choice {word}"), json!(word))));
        trials.push(("no choice".into(), json!("neither")));
    }
    trials.push(("the wrong type".into(), wrong_type(setting.kind)));
    trials.push(("null (the default)".into(), Value::Null));
    trials
}

fn rendered_cases() -> Value {
    let mut cases = Vec::new();
    for group in [SettingGroup::Client, SettingGroup::Validator] {
        for setting in settings_of(group) {
            for (why, value) in trials(setting) {
                let mut given = Map::new();
                given.insert(setting.name.to_owned(), value);
                if setting.name == "token_body_mode" {
                    given.insert("token_body".into(), json!({"scope": "iot"}));
                }
                let case = json!({"name": format!("{} {}: {why}", group.name(), setting.name), "group": group.name(), "options": given});
                cases.push(merge(case, outcome(group, &given)));
            }
        }
        let unknown = options(json!({"no_such_option": 1}));
        let case = json!({"name": format!("{} an unknown option", group.name()), "group": group.name(), "options": unknown});
        cases.push(merge(case, outcome(group, &unknown)));
    }
    for concept in concept_cases() {
        let group = match concept["group"].as_str() {
            Some("validator") => SettingGroup::Validator,
            _ => SettingGroup::Client,
        };
        let shows = concept["shows"].as_array().cloned().unwrap_or_default();
        let result = outcome_showing(group, concept["options"].as_object().unwrap(), &shows);
        cases.push(merge(concept, result));
    }
    json!({
        "about": "Rendered by core/tests/settings.rs from taap::settings::SETTINGS and tests/api/concepts.json; \
                  TAAP_UPDATE_DECLARATIONS=1 cargo test -p taap --features client,redis --test settings rewrites it. \
                  Each door builds a client (client id \"id\", secret \"secret\", key \
                  tests/keys/tmobile/readme-private-pkcs8.pem) or a validator with `options` (snake names: a camel door \
                  converts each with the schema's `camel`), then compares `settings` with the door's settings view \
                  (numbers numerically) or `error` with the kind and `message` exactly, where `{name}` is the door's \
                  name of the option `name` and `{client options}` / `{validator options}` the door's names of the \
                  group's options in schema order joined by \", \".",
        "cases": cases,
    })
}

fn merge(mut case: Value, outcome: Value) -> Value {
    let object = case.as_object_mut().unwrap();
    object.extend(outcome.as_object().unwrap().clone());
    case
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn concept_cases() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("tests/api/concepts.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["cases"].as_array().unwrap().clone()
}

#[test]
fn the_behaviour_suite_is_what_the_schema_gives() {
    let path = root().join("tests/api/cases.json");
    let rendered = serde_json::to_string_pretty(&rendered_cases()).unwrap() + "\n";
    if std::env::var("TAAP_UPDATE_DECLARATIONS").as_deref() == Ok("1") {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == rendered,
        "tests/api/cases.json is stale: TAAP_UPDATE_DECLARATIONS=1 cargo test --release -p taap --features client,redis --test settings"
    );
}

#[test]
fn the_schema_lists_each_name_once_and_every_group_is_documented() {
    let mut names: Vec<&str> = SETTINGS.iter().map(|setting| setting.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), SETTINGS.len());
    assert!(SETTINGS.iter().all(|setting| !setting.doc.is_empty()));
    let schema: Value = serde_json::from_str(&taap::settings::settings_schema_json()).unwrap();
    assert_eq!(schema[6]["camel"], "maxRetries");
}

// ---- docs/api.md's option tables ----

/// One group's options as a Markdown table: the names every door takes, unit, default, range.
fn options_table(group: SettingGroup) -> String {
    let mut table = String::from(
        "| option: Rust (`taap::settings`), Python, C | Node, wasm, Kotlin, PHP | unit | default | accepted | what it does |\n|---|---|---|---|---|---|\n",
    );
    for setting in settings_of(group) {
        let choices = match setting.kind {
            SettingKind::Choice(words) => words.join(", "),
            _ => setting.range_text(),
        };
        let default = match setting.default_value() {
            Value::Null => "none".to_owned(),
            default => format!("`{default}`"),
        };
        table += &format!(
            "| `{}` | `{}` | {} | {default} | {choices} | {} |\n",
            setting.name,
            setting.name_in(NameStyle::Camel),
            setting.kind.name(),
            setting.doc.replace('|', "\\|"),
        );
    }
    table
}

/// Puts `block` between the markers named `what` in `text`.
fn with_block(text: &str, what: &str, block: &str) -> String {
    let begin = format!("<!-- BEGIN GENERATED {what} (core/tests/settings.rs) -->\n");
    let end = "<!-- END GENERATED -->";
    let start =
        text.find(&begin).unwrap_or_else(|| panic!("docs/api.md has no {begin:?} marker")) + begin.len();
    let stop = start + text[start..].find(end).expect("a BEGIN marker has its END");
    format!("{}{block}{}", &text[..start], &text[stop..])
}

#[test]
fn the_api_docs_option_tables_are_what_the_schema_gives() {
    let path = root().join("docs/api.md");
    let current = std::fs::read_to_string(&path).unwrap();
    let mut rendered = current.clone();
    for (what, group) in [
        ("client options", SettingGroup::Client),
        ("validator options", SettingGroup::Validator),
        ("middleware options", SettingGroup::Middleware),
    ] {
        rendered = with_block(&rendered, what, &options_table(group));
    }
    if std::env::var("TAAP_UPDATE_DECLARATIONS").as_deref() == Ok("1") {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    assert!(
        current == rendered,
        "docs/api.md's option tables are stale: TAAP_UPDATE_DECLARATIONS=1 cargo test --release -p taap --features client,redis --test settings"
    );
}

#[test]
fn values_given_as_text_take_the_options_type() {
    let named = |name| Setting::named(name, NameStyle::Snake).unwrap();
    assert_eq!(named("timeout").value_from_text("2.5", NameStyle::Snake).unwrap(), json!(2.5));
    assert_eq!(named("api").value_from_text("location", NameStyle::Snake).unwrap(), json!("location"));
    assert_eq!(named("correct_clock_skew").value_from_text("false", NameStyle::Snake).unwrap(), json!(false));
    assert_eq!(
        named("sign_headers").value_from_text("[\"Accept\"]", NameStyle::Snake).unwrap(),
        json!(["Accept"])
    );
    assert_eq!(
        named("max_retries").value_from_text("three", NameStyle::Snake).unwrap_err().to_string(),
        "invalid configuration: option max_retries must be a whole number, not \"three\""
    );
    assert_eq!(
        named("max_retries").value_from_text("11", NameStyle::Snake).unwrap_err().to_string(),
        "invalid configuration: option max_retries is 11; choose 0 to 10"
    );
    assert!(Setting::named("maxRetries", NameStyle::Snake).is_none());
}

// ---- the JavaScript declarations of the client's options ----

/// The TypeScript type of an option.
fn typescript_type(setting: &Setting) -> String {
    match (setting.name, setting.kind) {
        ("server", _) => "'v2' | 'v6' | (string & {}) | URL".into(),
        ("replay_cache", _) => "number | boolean".into(),
        ("api", _) => taap::client::TMOBILE_APIS
            .iter()
            .map(|(name, _)| format!("'{name}'"))
            .collect::<Vec<_>>()
            .join(" | "),
        (_, SettingKind::Seconds | SettingKind::WholeSeconds | SettingKind::Count | SettingKind::Bytes) => {
            "number".into()
        }
        (_, SettingKind::Flag) => "boolean".into(),
        (_, SettingKind::Text) => "string".into(),
        (_, SettingKind::Choice(words)) => {
            words.iter().map(|word| format!("'{word}'")).collect::<Vec<_>>().join(" | ")
        }
        (_, SettingKind::Members) => "Record<string, unknown>".into(),
        (_, SettingKind::Headers) => "Record<string, string> | Map<string, string>".into(),
        (_, SettingKind::Names) => "readonly string[]".into(),
        (_, SettingKind::ReplayStore) => "'memory' | number | false | (string & {})".into(),
    }
}

/// One group's options as TypeScript interface members, each with its doc, unit and default.
fn typescript_members(group: SettingGroup) -> String {
    let mut members = String::new();
    for setting in settings_of(group) {
        let unit = match setting.kind {
            SettingKind::Seconds | SettingKind::WholeSeconds => " In seconds.",
            SettingKind::Bytes => " In bytes.",
            _ => "",
        };
        let range = match setting.range_text() {
            range if range.is_empty() => String::new(),
            range => format!(" Accepted: {range}."),
        };
        let default = match setting.default_value() {
            Value::Null => "none".to_owned(),
            default => format!("`{default}`"),
        };
        members += &format!(
            "  /** {}.{unit}{range} Default: {default}. */\n  {}?: {} | null;\n",
            capitalised(setting.doc),
            setting.name_in(NameStyle::Camel),
            typescript_type(setting),
        );
    }
    members
}

fn capitalised(text: &str) -> String {
    let mut letters = text.chars();
    letters.next().map(|first| first.to_uppercase().chain(letters).collect()).unwrap_or_default()
}

/// Puts `block` between `// BEGIN GENERATED {what} …` and `// END GENERATED` in `text`.
fn with_line_comment_block(text: &str, what: &str, block: &str) -> String {
    let begin = format!("// BEGIN GENERATED {what} (core/tests/settings.rs)\n");
    let start = text.find(&begin).unwrap_or_else(|| panic!("no {begin:?} marker")) + begin.len();
    let end = text[start..].find("// END GENERATED").expect("a BEGIN marker has its END");
    let indent_start = text[..start + end].rfind('\n').map_or(start + end, |newline| newline + 1);
    format!("{}{block}{}", &text[..start], &text[indent_start..])
}

#[test]
fn the_javascript_declarations_of_the_options_are_what_the_schema_gives() {
    let path = root().join("bindings-js/taap.d.ts.in");
    let current = std::fs::read_to_string(&path).unwrap();
    let rendered =
        with_line_comment_block(&current, "client options", &typescript_members(SettingGroup::Client));
    let rendered =
        with_line_comment_block(&rendered, "validator options", &typescript_members(SettingGroup::Validator));
    if std::env::var("TAAP_UPDATE_DECLARATIONS").as_deref() == Ok("1") {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    assert!(
        current == rendered,
        "bindings-js/taap.d.ts.in's option declarations are stale: TAAP_UPDATE_DECLARATIONS=1 cargo test --release -p taap --features client,redis --test settings, then node bindings-js/scripts/declarations.mjs"
    );
}

#[test]
fn messages_of_rules_spanning_options_use_the_doors_names() {
    assert_eq!(
        client_error(json!({"tokenBodyMode": "replace"}), NameStyle::Camel),
        "invalid configuration: option tokenBodyMode: is set but tokenBody is not"
    );
    assert_eq!(
        client_error(json!({"popClaims": {"jti": "x"}}), NameStyle::Camel),
        "invalid configuration: option popClaims: popClaims cannot set \"jti\": the PoP token sets it itself"
    );
}

/// C's zeroed-struct validator options (`taap_validate_options`) state the schema's range and
/// default in their field comments; this keeps that text the schema's.
#[test]
fn the_c_validator_struct_states_the_schemas_ranges_and_defaults() {
    let header = std::fs::read_to_string(root().join("bindings-c/include/taap.h")).unwrap();
    for (field, name) in [("leeway_secs", "leeway"), ("max_age_secs", "max_age")] {
        let setting = Setting::named(name, NameStyle::Snake).unwrap();
        let stated =
            format!("{} to {}; 0 means {}", setting.min.unwrap(), setting.max.unwrap(), setting.default);
        let comment_end = header.find(&format!("int64_t {field};")).unwrap();
        let comment = &header[header[..comment_end].rfind("/**").unwrap()..comment_end];
        assert!(comment.contains(&stated), "taap.h's {field} comment should say \"{stated}\": {comment}");
    }
}

/// The middleware's options in one call: its own and the validator's, the request line required
/// by default, and `replay_store` resolved into a capacity or a shared store's URL.
#[test]
fn the_middleware_settings_resolve_the_replay_store_and_the_required_default() {
    let settings = |given: Value, style| taap::settings::middleware_settings(&options(given), style);
    assert_eq!(
        Value::Object(settings(json!({}), NameStyle::Snake).unwrap()),
        json!({"leeway": 10, "max_age": 60, "required": ["uri", "http-method"], "max_body": 1048576,
               "client_id_header": "x-client-id", "replay_cache": 100000, "shared_replay_store": null})
    );
    let shared =
        settings(json!({"replayStore": "redis://:pw@127.0.0.1:6379/2", "required": []}), NameStyle::Camel);
    let shared = shared.unwrap();
    assert_eq!(shared["sharedReplayStore"], json!("redis://:pw@127.0.0.1:6379/2"));
    assert_eq!((&shared["replayCache"], &shared["required"]), (&json!(null), &json!([])));
    let off = settings(json!({"replay_store": false}), NameStyle::Snake).unwrap();
    assert_eq!((&off["replay_cache"], &off["shared_replay_store"]), (&json!(null), &json!(null)));
    assert_eq!(settings(json!({"replay_store": 16}), NameStyle::Snake).unwrap()["replay_cache"], json!(16));
    let refused = |given: Value, style| settings(given, style).unwrap_err().to_string();
    assert_eq!(
        refused(json!({"replayStore": "memcached://:pw@host"}), NameStyle::Camel),
        "invalid configuration: option replayStore must be \"memory\", a capacity, a redis:// URL or false, not a string"
    );
    assert_eq!(
        refused(json!({"replay_store": 0}), NameStyle::Snake),
        "invalid configuration: option replay_store is 0; choose at least 1"
    );
    assert_eq!(
        refused(json!({"replay_cache": 5}), NameStyle::Snake),
        "invalid configuration: unknown option replay_cache; the middleware takes leeway, max_age, required, \
         max_body, client_id_header, replay_store"
    );
}
