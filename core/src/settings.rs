//! Every option a door accepts, declared once: its name, unit, default, range and the one message
//! a wrong value gets. Each door hands its native map (keywords, an object, an array, a record)
//! to this module with the door's [`NameStyle`]; no door checks or maps an option itself, and the
//! declarations a door shows (defaults in `.pyi`, `.d.ts`, Kotlin, PHP, C) are generated from
//! [`SETTINGS`].

use serde_json::{Map, Value};

use crate::error::{shorten, Error, Result};

/// Which object an option configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingGroup {
    /// The OAuth/API client (`TaapClient`).
    Client,
    /// The PoP validator (`PopTokenValidator`).
    Validator,
    /// The Python and Node middleware in front of a service (besides the validator's options).
    Middleware,
}

impl SettingGroup {
    /// `client`, `validator` or `middleware`, as the schema's JSON and the behaviour suite name it.
    pub fn name(self) -> &'static str {
        match self {
            SettingGroup::Client => "client",
            SettingGroup::Validator => "validator",
            SettingGroup::Middleware => "middleware",
        }
    }
}

/// The type of an option's value, which fixes how every door types and checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    /// A number of seconds; fractions allowed.
    Seconds,
    /// A whole number of seconds.
    WholeSeconds,
    /// A whole number of things (retries, cache entries).
    Count,
    /// A whole number of bytes.
    Bytes,
    /// `true` or `false`.
    Flag,
    /// Text.
    Text,
    /// One of a few words.
    Choice(&'static [&'static str]),
    /// A JSON object of members (token body, PoP claims and header members).
    Members,
    /// An object of header names to text values.
    Headers,
    /// A list of names (headers, ehts names).
    Names,
    /// Where a middleware remembers accepted `jti`s: `"memory"`, a capacity, a `redis://` URL
    /// a fleet shares, or `false` (off).
    ReplayStore,
}

impl SettingKind {
    /// `seconds`, `count`, …: the unit (or type) as the schema's JSON and the docs give it.
    pub fn name(self) -> &'static str {
        match self {
            SettingKind::Seconds => "seconds",
            SettingKind::WholeSeconds => "whole seconds",
            SettingKind::Count => "count",
            SettingKind::Bytes => "bytes",
            SettingKind::Flag => "flag",
            SettingKind::Text => "text",
            SettingKind::Choice(_) => "choice",
            SettingKind::Members => "members",
            SettingKind::Headers => "headers",
            SettingKind::Names => "names",
            SettingKind::ReplayStore => "replay store",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            SettingKind::Seconds => "a number of seconds",
            SettingKind::WholeSeconds => "a whole number of seconds",
            SettingKind::Count => "a whole number",
            SettingKind::Bytes => "a whole number of bytes",
            SettingKind::Flag => "true or false",
            SettingKind::Text | SettingKind::Choice(_) => "a string",
            SettingKind::Members => "an object",
            SettingKind::Headers => "an object of header names to strings",
            SettingKind::Names => "a list of strings",
            SettingKind::ReplayStore => "\"memory\", a capacity, a redis:// URL or false",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            SettingKind::Seconds | SettingKind::WholeSeconds => " seconds",
            SettingKind::Bytes => " bytes",
            _ => "",
        }
    }
}

/// One option: everything a door, its declarations and the behaviour suite need to know.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// The name in `snake_case` (Rust, Python, C, config files); [`NameStyle::Camel`] doors
    /// derive theirs from it.
    pub name: &'static str,
    /// What it configures.
    pub group: SettingGroup,
    /// Its type and unit.
    pub kind: SettingKind,
    /// The default as JSON text; `null` when unset means "none" or "the server's choice".
    pub default: &'static str,
    /// The smallest accepted number, for numeric kinds.
    pub min: Option<f64>,
    /// Whether `min` itself is refused (a timeout must be above 0).
    pub min_exclusive: bool,
    /// The largest accepted number, for numeric kinds.
    pub max: Option<f64>,
    /// One line on what it does, shown in every door's declarations.
    pub doc: &'static str,
    /// Whether its value may hold a secret (a password in a URL, an API key in a header): a
    /// door's `toString`/`repr` and logs never show it.
    pub secret: bool,
}

/// How a door writes option names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameStyle {
    /// `max_retries`: Rust, Python, C, config files.
    Snake,
    /// `maxRetries`: JavaScript (Node, wasm), Kotlin, PHP.
    Camel,
}

impl Setting {
    /// The name as a door of `style` writes it.
    pub fn name_in(&self, style: NameStyle) -> String {
        match style {
            NameStyle::Snake => self.name.to_owned(),
            NameStyle::Camel => camel_case(self.name),
        }
    }

    /// The default as a JSON value.
    pub fn default_value(&self) -> Value {
        serde_json::from_str(self.default).expect("every default in SETTINGS is JSON")
    }

    /// Checks `value` against this option's type and range; the message names the option as
    /// the door wrote it.
    pub fn check(&self, value: &Value, style: NameStyle) -> Result<()> {
        let shown = self.name_in(style);
        if !self.has_kind(value) {
            let not = match (self.kind, value) {
                (SettingKind::Headers, Value::Object(map)) => {
                    map.iter().find(|(_, value)| !value.is_string()).map(|(name, value)| {
                        format!("the value of {} is {}", shorten(name, 40), json_type(value))
                    })
                }
                _ => None,
            };
            let not = not.unwrap_or_else(|| format!("not {}", json_type(value)));
            return Err(Error::Config(format!("option {shown} must be {}, {not}", self.kind.expected())));
        }
        if let (SettingKind::Choice(words), Some(word)) = (self.kind, value.as_str()) {
            if !words.contains(&word) {
                return Err(Error::Config(format!(
                    "option {shown} is {:?}; choose {}",
                    shorten(word, 32),
                    words.join(" or ")
                )));
            }
        }
        match value.as_f64() {
            Some(number) if !self.in_range(number) => Err(Error::Config(format!(
                "option {shown} is {}; choose {}{}",
                json_type(value),
                self.range_text(),
                self.kind.unit()
            ))),
            _ => Ok(()),
        }
    }

    fn has_kind(&self, value: &Value) -> bool {
        match self.kind {
            SettingKind::Seconds => value.as_f64().is_some_and(f64::is_finite),
            SettingKind::WholeSeconds | SettingKind::Count | SettingKind::Bytes => {
                value.is_i64() || value.is_u64()
            }
            SettingKind::Flag => value.is_boolean(),
            SettingKind::Text | SettingKind::Choice(_) => value.is_string(),
            SettingKind::Members => value.is_object(),
            SettingKind::Headers => value.as_object().is_some_and(|map| map.values().all(Value::is_string)),
            SettingKind::Names => value.as_array().is_some_and(|items| items.iter().all(Value::is_string)),
            SettingKind::ReplayStore => match value {
                // The URL may hold a password, so a wrong one is refused without quoting it.
                Value::String(text) => text == "memory" || shared_store_url(text),
                Value::Bool(on) => !on,
                _ => value.is_i64() || value.is_u64(),
            },
        }
    }

    fn in_range(&self, number: f64) -> bool {
        let above_min = match self.min {
            Some(min) if self.min_exclusive => number > min,
            Some(min) => number >= min,
            None => true,
        };
        above_min && self.max.is_none_or(|max| number <= max)
    }

    /// `0 to 10`, `above 0 and at most 600`, `at least 1`: the accepted range in words.
    pub fn range_text(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) if self.min_exclusive => format!("above {min} and at most {max}"),
            (Some(min), Some(max)) => format!("{min} to {max}"),
            (Some(min), None) if self.min_exclusive => format!("above {min}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => String::new(),
        }
    }

    /// This option as a JSON object (the schema as data, for doors and generators).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("name".into(), self.name.into());
        object.insert("camel".into(), camel_case(self.name).into());
        object.insert("group".into(), self.group.name().into());
        object.insert("kind".into(), self.kind.name().into());
        if let SettingKind::Choice(words) = self.kind {
            object.insert("choices".into(), words.to_vec().into());
        }
        object.insert("default".into(), self.default_value());
        object.insert("min".into(), self.min.map_or(Value::Null, Value::from));
        object.insert("min_exclusive".into(), self.min_exclusive.into());
        object.insert("max".into(), self.max.map_or(Value::Null, Value::from));
        object.insert("doc".into(), self.doc.into());
        object.insert("secret".into(), self.secret.into());
        Value::Object(object)
    }
}

impl Setting {
    /// The option a door of `style` calls `name`, in any group (names are unique across groups).
    pub fn named(name: &str, style: NameStyle) -> Option<&'static Setting> {
        SETTINGS.iter().find(|setting| setting.name_in(style) == name)
    }

    /// A value given as text (a C string, a command-line flag) as this option's JSON value: text
    /// and choices as given, numbers and flags parsed, members, headers and names as JSON.
    pub fn value_from_text(&self, text: &str, style: NameStyle) -> Result<Value> {
        let parsed = match self.kind {
            SettingKind::Text | SettingKind::Choice(_) => return Ok(Value::String(text.to_owned())),
            SettingKind::Flag => match text.trim() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            _ => serde_json::from_str(text.trim()).ok(),
        };
        let value = parsed.ok_or_else(|| {
            Error::Config(format!(
                "option {} must be {}, not {:?}",
                self.name_in(style),
                self.kind.expected(),
                shorten(text, 32)
            ))
        })?;
        self.check(&value, style)?;
        Ok(value)
    }
}

/// `max_retries` → `maxRetries`.
fn camel_case(snake: &str) -> String {
    let mut words = snake.split('_');
    let mut name = words.next().unwrap_or_default().to_owned();
    for word in words {
        let mut letters = word.chars();
        if let Some(first) = letters.next() {
            name.extend(first.to_uppercase());
            name.push_str(letters.as_str());
        }
    }
    name
}

/// A wrong value as a message shows it: numbers and flags as written, other types by name.
fn json_type(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        // Whole numbers without a fraction, whichever way the door's JSON wrote them (`0` or `0.0`).
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() && float.fract() == 0.0 && float.abs() < 9e15 => {
                format!("{float:.0}")
            }
            _ => number.to_string(),
        },
        Value::String(_) => "a string".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

const fn setting(
    name: &'static str,
    group: SettingGroup,
    kind: SettingKind,
    default: &'static str,
) -> Setting {
    Setting { name, group, kind, default, min: None, min_exclusive: false, max: None, doc: "", secret: false }
}

impl Setting {
    const fn secret(mut self) -> Setting {
        self.secret = true;
        self
    }

    const fn doc(mut self, doc: &'static str) -> Setting {
        self.doc = doc;
        self
    }

    const fn range(mut self, min: f64, max: f64) -> Setting {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    const fn above(mut self, min: f64, max: f64) -> Setting {
        self.min = Some(min);
        self.min_exclusive = true;
        self.max = Some(max);
        self
    }

    const fn at_least(mut self, min: f64) -> Setting {
        self.min = Some(min);
        self
    }
}

use SettingGroup::{Client, Middleware, Validator};
use SettingKind::*;

/// Every option of every door, in the order docs and declarations list them.
pub const SETTINGS: &[Setting] = &[
    setting("api", Client, Text, "null")
        .doc("the T-Mobile API the calls are for (connectivity, location, sms-notification, call-verification, fraud-prevention): picks its token server"),
    setting("server", Client, Text, "\"v2\"")
        .doc("the token server: v2, v6, an API name or a full token endpoint URL (not with api)"),
    setting("store_id", Client, Text, "null").doc("storeId of the v6 token body"),
    setting("dealer_code", Client, Text, "null").doc("dealerCode of the v6 token body"),
    setting("connect_timeout", Client, Seconds, "10")
        .above(0.0, 600.0)
        .doc("connection set-up limit, DNS and TLS included"),
    setting("timeout", Client, Seconds, "30")
        .above(0.0, 3600.0)
        .doc("limit for one whole HTTP exchange"),
    setting("max_retries", Client, Count, "2")
        .range(0.0, 10.0)
        .doc("retries of connection failures, 429 and 5xx answers (0: never retry)"),
    setting("retry_base_delay", Client, Seconds, "0.2")
        .range(0.0, 600.0)
        .doc("first backoff delay, doubling on each retry (at most retry_max_delay)"),
    setting("retry_max_delay", Client, Seconds, "10")
        .above(0.0, 600.0)
        .doc("longest single wait, backoff or Retry-After"),
    setting("refresh_margin", Client, Seconds, "60")
        .range(0.0, 3600.0)
        .doc("replace a cached access token this long before it expires"),
    setting("pop_ttl", Client, WholeSeconds, "120")
        .range(1.0, 3600.0)
        .doc("validity of each PoP token"),
    setting("max_response_bytes", Client, Bytes, "10485760")
        .at_least(1.0)
        .doc("largest response body read into memory"),
    setting("correct_clock_skew", Client, Flag, "true")
        .doc("correct PoP iat by the clock offset the servers' Date headers show"),
    setting("token_body", Client, Members, "null")
        .doc("members merged into (or replacing) the token request body; strings may hold {client_id} and {public_key_pem}"),
    setting("token_body_mode", Client, Choice(&["merge", "replace"]), "null")
        .doc("whether token_body is merged into the flavour's body (none: merge) or replaces it"),
    setting("pop_claims", Client, Members, "null").doc("extra claims on every PoP token"),
    setting("pop_header", Client, Members, "null").doc("extra JOSE header members on every PoP token"),
    setting("headers", Client, Headers, "null")
        .secret()
        .doc("headers sent on every API call (a caller's header of the same name wins)"),
    setting("sign_headers", Client, Names, "[\"Content-Type\", \"Authorization\"]")
        .doc("the headers an API call's PoP token signs, each when present"),
    setting("uri_form", Client, Choice(&["decoded", "encoded"]), "\"decoded\"")
        .doc("how uri is signed: the query decoded (the docs) or as sent"),
    setting("x_authorization_prefix", Client, Text, "null")
        .doc("text put before the PoP token in X-Authorization (none: the raw token)"),
    setting("token_store", Client, Text, "null")
        .secret()
        .doc("a shared access-token store, redis://… (it may hold a password: a secret)"),
    setting("leeway", Validator, WholeSeconds, "10").range(0.0, 300.0).doc("clock leeway"),
    setting("max_age", Validator, WholeSeconds, "60")
        .range(1.0, 3600.0)
        .doc("maximum age of a token from its iat"),
    setting("required", Validator, Names, "[]").doc("names every token must sign, e.g. uri and http-method"),
    setting("replay_cache", Validator, Count, "null")
        .at_least(1.0)
        .doc("remember this many jti values and refuse repeats (null: off)"),
    setting("max_body", Middleware, Bytes, "1048576")
        .at_least(0.0)
        .doc("largest request body read and hashed (413 beyond)"),
    setting("client_id_header", Middleware, Text, "\"x-client-id\"")
        .doc("the request header naming the client whose key checks the token"),
    setting("replay_store", Middleware, ReplayStore, "\"memory\"")
        .at_least(1.0)
        .secret()
        .doc("where accepted jti values are kept: memory, a capacity, a shared redis://… URL, or false (off)"),
];

/// The names a middleware requires when not told otherwise: the request line (a bare validator
/// requires none, because it may check requests whose line the caller does not give).
pub const MIDDLEWARE_REQUIRED: [&str; 2] = [crate::request::URI, crate::request::HTTP_METHOD];

/// The key of [`middleware_settings`]' answer that holds the shared store's URL (or null).
pub(crate) fn shared_store_key(style: NameStyle) -> &'static str {
    match style {
        NameStyle::Snake => "shared_replay_store",
        NameStyle::Camel => "sharedReplayStore",
    }
}

fn shared_store_url(text: &str) -> bool {
    text.starts_with("redis://") || text.starts_with("rediss://")
}

/// The options of one group.
pub fn settings_of(group: SettingGroup) -> impl Iterator<Item = &'static Setting> {
    SETTINGS.iter().filter(move |setting| setting.group == group)
}

/// [`SETTINGS`] as JSON text: what a door or a generator reads instead of copying the table.
pub fn settings_schema_json() -> String {
    Value::Array(SETTINGS.iter().map(Setting::to_json).collect()).to_string()
}

/// Checks `options` (as a door of `style` names them) against `group`'s options and returns them
/// under their `snake_case` names; `null` members count as absent.
pub fn checked_options(
    options: &Map<String, Value>,
    group: SettingGroup,
    style: NameStyle,
) -> Result<Map<String, Value>> {
    checked_among(options, |setting| setting.group == group, group.name(), style)
}

/// [`checked_options`] over the options `accepted` picks, which `what` (for the message) takes.
fn checked_among(
    options: &Map<String, Value>,
    accepted: impl Fn(&Setting) -> bool,
    what: &str,
    style: NameStyle,
) -> Result<Map<String, Value>> {
    let among = || SETTINGS.iter().filter(|setting| accepted(setting));
    let mut checked = Map::new();
    for (given, value) in options.iter().filter(|(_, value)| !value.is_null()) {
        let setting = among().find(|setting| setting.name_in(style) == *given).ok_or_else(|| {
            let known: Vec<String> = among().map(|setting| setting.name_in(style)).collect();
            Error::Config(format!(
                "unknown option {}; the {what} takes {}",
                shorten(given, 40),
                known.join(", ")
            ))
        })?;
        setting.check(value, style)?;
        checked.insert(setting.name.to_owned(), value.clone());
    }
    Ok(checked)
}

/// Every option of a PoP middleware (its own and the validator's but `replay_cache`) as a door
/// of `style` gave them, checked, each absent one at its default (`required`: the request line),
/// under the door's names; `replay_store` resolved into the validator's `replay_cache` (a
/// capacity, or null) and `shared_replay_store`/`sharedReplayStore` (a `redis://` URL, or null).
pub fn middleware_settings(options: &Map<String, Value>, style: NameStyle) -> Result<Map<String, Value>> {
    let accepted = |setting: &Setting| {
        setting.group == SettingGroup::Middleware
            || (setting.group == SettingGroup::Validator && setting.name != "replay_cache")
    };
    let mut settings = checked_among(options, accepted, "middleware", style)?;
    for setting in SETTINGS.iter().filter(|setting| accepted(setting)) {
        let default = match setting.name {
            "required" => Value::from(MIDDLEWARE_REQUIRED.to_vec()),
            _ => setting.default_value(),
        };
        settings.entry(setting.name).or_insert(default);
    }
    let (capacity, shared) = match settings.remove("replay_store") {
        Some(Value::String(url)) if shared_store_url(&url) => (Value::Null, Value::String(url)),
        Some(Value::Bool(false)) => (Value::Null, Value::Null),
        Some(Value::Number(capacity)) => (Value::Number(capacity), Value::Null),
        _ => (Value::from(crate::validate::DEFAULT_REPLAY_CAPACITY), Value::Null),
    };
    settings.insert("replay_cache".into(), capacity);
    let mut styled = restyled(&settings, style);
    styled.insert(shared_store_key(style).into(), shared);
    Ok(styled)
}

/// A settings view (`snake_case` keys, as [`validator_settings`] and
/// [`crate::TaapClient::settings`] give it) with each key as a door of `style` names the option.
pub fn restyled(settings: &Map<String, Value>, style: NameStyle) -> Map<String, Value> {
    let name = |key: &String| {
        Setting::named(key, NameStyle::Snake).map_or_else(|| key.clone(), |s| s.name_in(style))
    };
    settings.iter().map(|(key, value)| (name(key), value.clone())).collect()
}

/// `text` (a message) with every option name written as a door of `style` writes it: a rule
/// that spans options (`token_body_mode` needs `token_body`) names them in the door's words.
pub fn restyled_text(text: &str, style: NameStyle) -> String {
    if style == NameStyle::Snake {
        return text.to_owned();
    }
    let mut words = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic() || c == '_') {
        words.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let word = &rest[..end];
        words.push_str(
            &Setting::named(word, NameStyle::Snake).map_or_else(|| word.to_owned(), |s| s.name_in(style)),
        );
        rest = &rest[end..];
    }
    words.push_str(rest);
    words
}

/// A group's options as a door gave them, checked, with every absent one at its schema default
/// (`snake_case` keys): what a door whose own code applies the options (the middleware) reads.
pub fn with_defaults(
    options: &Map<String, Value>,
    group: SettingGroup,
    style: NameStyle,
) -> Result<Map<String, Value>> {
    let mut settings = checked_options(options, group, style)?;
    for setting in settings_of(group) {
        settings.entry(setting.name).or_insert_with(|| setting.default_value());
    }
    Ok(settings)
}

/// Parses a door's options handed over as JSON text (a door that holds no JSON library).
pub fn options_from_json(text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(options)) => Ok(options),
        _ => Err(Error::Config("the options are not a JSON object".into())),
    }
}

/// The validator's options from a door's map (`leeway`, `max_age`, `required`, `replay_cache`).
pub fn validator_options(
    options: &Map<String, Value>,
    style: NameStyle,
) -> Result<crate::validate::ValidatorOptions> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Given {
        leeway: Option<i64>,
        max_age: Option<i64>,
        required: Option<Vec<String>>,
        replay_cache: Option<usize>,
    }
    let checked = checked_options(options, SettingGroup::Validator, style)?;
    let given: Given = serde_json::from_value(Value::Object(checked))
        .map_err(|error| Error::Config(format!("validator options: {error}")))?;
    let defaults = crate::validate::ValidatorOptions::default();
    Ok(crate::validate::ValidatorOptions {
        leeway_secs: given.leeway.unwrap_or(defaults.leeway_secs),
        max_age_secs: given.max_age.unwrap_or(defaults.max_age_secs),
        required: given.required.unwrap_or_default(),
        replay_cache: given.replay_cache,
    })
}

/// A validator's options under the schema's names: what a door shows as `validator.settings`
/// and the behaviour suite checks.
pub fn validator_settings(options: &crate::validate::ValidatorOptions) -> Map<String, Value> {
    let mut settings = Map::new();
    settings.insert("leeway".into(), options.leeway_secs.into());
    settings.insert("max_age".into(), options.max_age_secs.into());
    settings.insert("required".into(), options.required.clone().into());
    settings.insert("replay_cache".into(), options.replay_cache.map_or(Value::Null, Value::from));
    settings
}
