//! Named client profiles from a TOML file (`[profile.NAME]` tables), parsed and checked once
//! for the CLI and any binding: a bad file is one line naming the file, the profile and the key.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::config::{ClientConfig, ClientSecret, OAuthServer};
use super::routes::Routes;
use super::variants::{check_default_headers, TokenBody};
use super::RESERVED_HEADERS;
use crate::error::{shorten, Error, Result};
use crate::explain::mask_secret;
use crate::keys::{open_signer, shown_key_spec, signer_uri_scheme};
use crate::request::{SignPolicy, UriForm};
use crate::token::PopExtras;

/// Largest config file read.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// The keys a profile may have.
pub const PROFILE_KEYS: [&str; 19] = [
    "client_id",
    "client_secret_env",
    "key",
    "password_env",
    "api",
    "server",
    "token_url",
    "store_id",
    "dealer_code",
    "token_body",
    "token_body_mode",
    "pop_claims",
    "pop_header",
    "headers",
    "sign_headers",
    "uri_form",
    "x_authorization_prefix",
    "token_store_env",
    "routes",
];

/// The config file taap reads: `$TAAP_CONFIG`, else `$XDG_CONFIG_HOME/taap/config.toml`, else
/// `~/.config/taap/config.toml`; `None` when none of those variables is set.
pub fn config_path() -> Option<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if let Some(path) = set("TAAP_CONFIG") {
        return Some(path);
    }
    let base = set("XDG_CONFIG_HOME").or_else(|| set("HOME").map(|home| home.join(".config")))?;
    Some(base.join("taap").join("config.toml"))
}

/// One `[profile.NAME]` table, checked. Every setting is optional: flags or options may give
/// the rest. Secrets are never held, only the names of the variables holding them.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    /// The OAuth client id.
    pub client_id: Option<String>,
    /// The environment variable holding the client secret.
    pub client_secret_env: Option<String>,
    /// The private key file, resolved against the config file's folder, or a signer URI
    /// (`pkcs11:…`, `aws-kms:…`) kept as written.
    pub key: Option<PathBuf>,
    /// The environment variable holding the key's password.
    pub password_env: Option<String>,
    /// The token server, from `api`, `server` or `token_url`.
    pub server: Option<OAuthServer>,
    /// How the server was given (`api = "connectivity"`), for showing the profile.
    pub server_source: Option<(String, String)>,
    /// v6 `storeId`.
    pub store_id: Option<String>,
    /// v6 `dealerCode`.
    pub dealer_code: Option<String>,
    /// Members merged into (or, with `token_body_mode = "replace"`, replacing) the body.
    pub token_body: Option<TokenBody>,
    /// Extra PoP claims (`pop_claims`) and header members (`pop_header`).
    pub pop_extras: PopExtras,
    /// Headers on every API call.
    pub headers: Vec<(String, String)>,
    /// The headers an API call signs (default: the docs' `Content-Type`, `Authorization`).
    pub sign_headers: Option<Vec<String>>,
    /// How `uri` is signed.
    pub uri_form: Option<UriForm>,
    /// Text before the PoP token in `X-Authorization`.
    pub x_authorization_prefix: Option<String>,
    /// The environment variable holding the shared token store's URL (it may hold a password).
    pub token_store_env: Option<String>,
    /// Token servers by request path prefix (`routes = { "/sms/" = "v6" }`), for a caller that
    /// serves several APIs (`taap proxy`); the profile's server is the default.
    pub routes: Routes,
}

/// All profiles of one config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profiles {
    path: PathBuf,
    profiles: Vec<Profile>,
}

impl Profiles {
    /// Reads and checks the whole file.
    pub fn load(path: &Path) -> Result<Profiles> {
        let unreadable =
            |error: std::io::Error| Error::Config(format!("{}: cannot read it ({error})", path.display()));
        let size = std::fs::metadata(path).map_err(unreadable)?.len();
        if size > MAX_CONFIG_BYTES {
            return Err(Error::Config(format!(
                "{}: {size} bytes is too large for a config file",
                path.display()
            )));
        }
        Profiles::parse(&std::fs::read_to_string(path).map_err(unreadable)?, path)
    }

    /// Checks `text` as the config file at `path` (relative `key` paths resolve against its folder).
    pub fn parse(text: &str, path: &Path) -> Result<Profiles> {
        let file = path.display().to_string();
        let table: toml::Table = text.parse().map_err(|error: toml::de::Error| {
            let line =
                error.span().map_or(1, |span| text[..span.start.min(text.len())].lines().count().max(1));
            Error::Config(format!("{file}: line {line}: {}", one_line(error.message())))
        })?;
        if let Some(other) = table.keys().find(|key| key.as_str() != "profile") {
            return Err(Error::Config(format!(
                "{file}: unknown table or key {other:?}; profiles go in [profile.NAME]"
            )));
        }
        let Some(profiles) = table.get("profile") else {
            return Ok(Profiles { path: path.to_owned(), profiles: Vec::new() });
        };
        let profiles = profiles
            .as_table()
            .ok_or_else(|| Error::Config(format!("{file}: \"profile\" must be tables, [profile.NAME]")))?;
        let folder = path.parent().unwrap_or(Path::new("."));
        let profiles = profiles
            .iter()
            .map(|(name, value)| {
                let fail = |key: &str, problem: String| {
                    Error::Config(format!("{file}: profile {name:?}, key {key:?}: {problem}"))
                };
                let table = value.as_table().ok_or_else(|| {
                    Error::Config(format!("{file}: profile {name:?} must be a table, [profile.{name}]"))
                })?;
                parse_profile(name, table, folder).map_err(|(key, problem)| fail(&key, problem))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Profiles { path: path.to_owned(), profiles })
    }

    /// The file the profiles came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every profile, in file order.
    pub fn all(&self) -> &[Profile] {
        &self.profiles
    }

    /// The profile called `name`; an unknown name lists the known ones.
    pub fn get(&self, name: &str) -> Result<&Profile> {
        self.profiles.iter().find(|profile| profile.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.profiles.iter().map(|profile| profile.name.as_str()).collect();
            let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
            Error::Config(format!(
                "{}: no profile {:?} (profiles: {known})",
                self.path.display(),
                shorten(name, 64)
            ))
        })
    }
}

/// The key at fault and what is wrong with it.
pub(crate) type Problem = (String, String);

fn parse_profile(name: &str, table: &toml::Table, folder: &Path) -> std::result::Result<Profile, Problem> {
    if let Some(key) = table.keys().find(|key| !PROFILE_KEYS.contains(&key.as_str())) {
        return Err((key.clone(), format!("unknown key; a profile takes {}", PROFILE_KEYS.join(", "))));
    }
    let text = |key: &str| optional_text(table, key);
    let mut profile = Profile {
        name: name.to_owned(),
        client_id: text("client_id")?,
        client_secret_env: env_name(table, "client_secret_env")?,
        key: text("key")?.map(|key| profile_key(&key, folder)).transpose()?,
        password_env: env_name(table, "password_env")?,
        store_id: text("store_id")?,
        dealer_code: text("dealer_code")?,
        x_authorization_prefix: text("x_authorization_prefix")?,
        token_store_env: env_name(table, "token_store_env")?,
        ..Profile::default()
    };
    let servers: Vec<&str> =
        ["api", "server", "token_url"].into_iter().filter(|key| table.contains_key(*key)).collect();
    if servers.len() > 1 {
        return Err((
            servers[1].to_owned(),
            format!("give one of api, server and token_url, not {}", servers.join(" and ")),
        ));
    }
    if let Some(&key) = servers.first() {
        let given = text(key)?.unwrap_or_default();
        let server = match key {
            "api" => OAuthServer::for_api(&given),
            _ => OAuthServer::parse(&given),
        };
        profile.server = Some(server.map_err(|error| problem(key, &error))?);
        profile.server_source = Some((key.to_owned(), given));
    }
    profile.token_body = token_body(table)?;
    profile.pop_extras =
        PopExtras { claims: members(table, "pop_claims")?, header: members(table, "pop_header")? };
    profile.pop_extras.check().map_err(|error| {
        let key = if error.to_string().contains("pop_header") { "pop_header" } else { "pop_claims" };
        problem(key, &error)
    })?;
    profile.headers = members(table, "headers")?
        .into_iter()
        .map(|(name, value)| match value {
            Value::String(value) => Ok((name, value)),
            _ => Err(("headers".to_owned(), format!("the value of {name} must be a string"))),
        })
        .collect::<std::result::Result<_, _>>()?;
    check_default_headers(&profile.headers, &RESERVED_HEADERS).map_err(|error| problem("headers", &error))?;
    profile.sign_headers = text_list(table, "sign_headers")?;
    if let Some(names) = &profile.sign_headers {
        SignPolicy::headers(names).map_err(|error| problem("sign_headers", &error))?;
    }
    profile.uri_form = text("uri_form")?
        .map(|form| UriForm::parse(&form))
        .transpose()
        .map_err(|error| problem("uri_form", &error))?;
    profile.routes = routes(table)?;
    Ok(profile)
}

fn routes(table: &toml::Table) -> std::result::Result<Routes, Problem> {
    let pairs = members(table, "routes")?
        .into_iter()
        .map(|(prefix, server)| match server {
            Value::String(server) => Ok((prefix, server)),
            _ => Err(("routes".to_owned(), format!("the server of {prefix} must be a string"))),
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Routes::parse(pairs).map_err(|error| problem("routes", &error))
}

/// Checks options given as JSON by the profile rules; `null` members count as absent. The
/// problem names the option.
pub(crate) fn parse_options(options: &Map<String, Value>) -> std::result::Result<Profile, Problem> {
    let mut table = toml::Table::new();
    for (key, value) in options.iter().filter(|(_, value)| !value.is_null()) {
        let value = toml::Value::try_from(value)
            .map_err(|_| (key.clone(), "holds a null inside; leave it out instead".to_owned()))?;
        table.insert(key.clone(), value);
    }
    parse_profile("(options)", &table, Path::new(""))
}

/// The error's message without the kind prefix (the line already says it is configuration).
/// A key file resolves against the config file's folder; a signer URI is kept as written, but
/// may not hold a PIN: a config file holds no secret (`pin-source=FILE` or `password_env` do).
fn profile_key(key: &str, folder: &Path) -> std::result::Result<PathBuf, Problem> {
    if signer_uri_scheme(key.as_ref()).is_none() {
        return Ok(folder.join(key));
    }
    if shown_key_spec(key.as_ref()) != key {
        return Err((
            "key".into(),
            "holds a pin-value; a config file holds no secret: use pin-source=FILE or password_env".into(),
        ));
    }
    Ok(PathBuf::from(key))
}

/// As derived, but a `pin-value` in a `key` given by a flag is masked.
impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("client_secret_env", &self.client_secret_env)
            .field("key", &self.key.as_ref().map(|key| shown_key_spec(key.as_os_str())))
            .field("password_env", &self.password_env)
            .field("server", &self.server)
            .field("server_source", &self.server_source)
            .field("store_id", &self.store_id)
            .field("dealer_code", &self.dealer_code)
            .field("token_body", &self.token_body)
            .field("pop_extras", &self.pop_extras)
            .field("headers", &self.headers)
            .field("sign_headers", &self.sign_headers)
            .field("uri_form", &self.uri_form)
            .field("x_authorization_prefix", &self.x_authorization_prefix)
            .field("token_store_env", &self.token_store_env)
            .field("routes", &self.routes)
            .finish()
    }
}

fn problem(key: &str, error: &Error) -> Problem {
    let message = error.to_string();
    let message = message.strip_prefix("invalid configuration: ").unwrap_or(&message);
    (key.to_owned(), message.to_owned())
}

fn optional_text(table: &toml::Table, key: &str) -> std::result::Result<Option<String>, Problem> {
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::String(text)) if !text.trim().is_empty() => Ok(Some(text.clone())),
        Some(toml::Value::String(_)) => Err((key.to_owned(), "must not be empty".into())),
        Some(other) => Err((key.to_owned(), format!("must be a string, not {}", other.type_str()))),
    }
}

fn env_name(table: &toml::Table, key: &str) -> std::result::Result<Option<String>, Problem> {
    let name = optional_text(table, key)?;
    if let Some(name) = &name {
        if name.contains(['=', '\0']) || name.chars().any(char::is_whitespace) {
            return Err((
                key.to_owned(),
                "must name an environment variable (the secret itself never goes in the file)".into(),
            ));
        }
    }
    Ok(name)
}

fn text_list(table: &toml::Table, key: &str) -> std::result::Result<Option<Vec<String>>, Problem> {
    let Some(value) = table.get(key) else { return Ok(None) };
    let wrong = || (key.to_owned(), "must be a list of strings".to_owned());
    let items = value.as_array().ok_or_else(wrong)?;
    items
        .iter()
        .map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong))
        .collect::<std::result::Result<_, _>>()
        .map(Some)
}

fn members(table: &toml::Table, key: &str) -> std::result::Result<Vec<(String, Value)>, Problem> {
    let Some(value) = table.get(key) else { return Ok(Vec::new()) };
    let inner = value
        .as_table()
        .ok_or_else(|| (key.to_owned(), "must be a table, e.g. { name = \"value\" }".to_owned()))?;
    Ok(inner.iter().map(|(name, value)| (name.clone(), json_value(value))).collect())
}

fn token_body(table: &toml::Table) -> std::result::Result<Option<TokenBody>, Problem> {
    let mode = optional_text(table, "token_body_mode")?;
    if !table.contains_key("token_body") {
        return match mode {
            Some(_) => Err(("token_body_mode".into(), "is set but token_body is not".into())),
            None => Ok(None),
        };
    }
    let members: Map<String, Value> = members(table, "token_body")?.into_iter().collect();
    match mode.as_deref() {
        None | Some("merge") => Ok(Some(TokenBody::Merge(members))),
        Some("replace") => Ok(Some(TokenBody::Replace(members))),
        Some(other) => {
            Err(("token_body_mode".into(), format!("is {:?}; choose merge or replace", shorten(other, 32))))
        }
    }
}

/// TOML to JSON: tables keep their order, dates become their TOML text.
fn json_value(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::String(text.clone()),
        toml::Value::Integer(number) => Value::from(*number),
        toml::Value::Float(number) => {
            serde_json::Number::from_f64(*number).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(flag) => Value::Bool(*flag),
        toml::Value::Datetime(date) => Value::String(date.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(json_value).collect()),
        toml::Value::Table(members) => {
            Value::Object(members.iter().map(|(name, item)| (name.clone(), json_value(item))).collect())
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Profile {
    /// Settings of `over` replace these where `over` has them (flags over a profile).
    pub fn overridden_by(mut self, over: Profile) -> Profile {
        macro_rules! take {
            ($($field:ident),*) => { $( if over.$field.is_some() { self.$field = over.$field; } )* };
        }
        take!(
            client_id,
            client_secret_env,
            key,
            password_env,
            store_id,
            dealer_code,
            token_body,
            sign_headers,
            uri_form,
            x_authorization_prefix,
            token_store_env
        );
        if over.server.is_some() {
            self.server = over.server;
            self.server_source = over.server_source;
        }
        if !over.pop_extras.is_empty() {
            self.pop_extras = over.pop_extras;
        }
        if !over.headers.is_empty() {
            self.headers = over.headers;
        }
        if !over.routes.is_empty() {
            self.routes = over.routes;
        }
        self
    }

    /// The settings a binding takes as client options (the profile keys: `api`, `server`,
    /// `token_body`, `pop_claims`, …), checked by the same rules as a config file; `null`
    /// members count as absent. An error names the option.
    pub fn from_options(options: &Map<String, Value>) -> Result<Profile> {
        parse_options(options).map_err(|(key, problem)| Error::Config(format!("option {key:?}: {problem}")))
    }

    /// [`Profile::from_options`] from the options as JSON text (how a binding that holds no
    /// JSON library hands them over).
    pub fn from_options_json(options: &str) -> Result<Profile> {
        let options: Map<String, Value> = serde_json::from_str(options)
            .map_err(|_| Error::Config("the client options are not a JSON object".into()))?;
        Profile::from_options(&options)
    }

    /// Puts this profile's server and variant settings into `config` (credentials and key
    /// stay as they are): token body, PoP extras, default headers, signed headers, `uri` form
    /// and `X-Authorization` prefix.
    pub fn apply_to(&self, config: &mut ClientConfig) -> Result<()> {
        if let Some(server) = &self.server {
            config.server = server.clone();
        }
        if self.store_id.is_some() {
            config.store_id = self.store_id.clone();
        }
        if self.dealer_code.is_some() {
            config.dealer_code = self.dealer_code.clone();
        }
        config.token_body = self.token_body.clone().or(config.token_body.take());
        if !self.pop_extras.is_empty() {
            config.pop_extras = self.pop_extras.clone();
        }
        if !self.headers.is_empty() {
            config.headers = self.headers.clone();
        }
        if let Some(prefix) = &self.x_authorization_prefix {
            config.x_authorization_prefix = prefix.clone();
        }
        if let Some(names) = &self.sign_headers {
            config.sign_policy = SignPolicy::headers(names)?.with_uri_form(config.sign_policy.uri_form());
        }
        if let Some(form) = self.uri_form {
            config.sign_policy = config.sign_policy.clone().with_uri_form(form);
        }
        Ok(())
    }

    /// The client configuration: the secret and password read from their environment
    /// variables, the key loaded. A missing required setting names its profile key.
    pub fn client_config(&self) -> Result<ClientConfig> {
        let missing = |key: &str| {
            Error::Config(format!("profile {:?} has no {key} (set it, or pass it as a flag)", self.name))
        };
        let client_id = self.client_id.clone().ok_or_else(|| missing("client_id"))?;
        let secret_env = self.client_secret_env.as_deref().ok_or_else(|| missing("client_secret_env"))?;
        let key_path = self.key.as_deref().ok_or_else(|| missing("key"))?;
        let server = self.server.clone().ok_or_else(|| missing("api, server or token_url"))?;
        let secret = ClientSecret::new(env_value(secret_env)?.as_str());
        let password = self.password_env.as_deref().map(env_value).transpose()?;
        let key = open_signer(key_path, password.as_ref().map(|password| password.as_bytes()))?;
        let mut config = ClientConfig::new(client_id, secret, key, server);
        self.apply_to(&mut config)?;
        if let Some(name) = &self.token_store_env {
            config.token_store = Some(super::store::token_store_from_url(&env_value(name)?)?);
        }
        Ok(config)
    }
}

fn env_value(name: &str) -> Result<zeroize::Zeroizing<String>> {
    std::env::var(name)
        .map(zeroize::Zeroizing::new)
        .map_err(|_| Error::Config(format!("environment variable {name} is not set (or not UTF-8)")))
}

/// `key = value` lines, secrets never among them (only the variables' names).
impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted = |text: &str| serde_json::to_string(text).expect("a string always serialises");
        let mut line = |key: &str, value: String| writeln!(f, "{key} = {value}");
        let texts = [
            ("client_id", &self.client_id),
            ("client_secret_env", &self.client_secret_env),
            ("password_env", &self.password_env),
            ("token_store_env", &self.token_store_env),
        ];
        for (key, value) in texts {
            if let Some(value) = value {
                line(key, quoted(value))?;
            }
        }
        if let Some(key) = &self.key {
            line("key", quoted(&shown_key_spec(key.as_os_str())))?;
        }
        if let Some((key, value)) = &self.server_source {
            line(key, quoted(value))?;
        }
        for (key, value) in [("store_id", &self.store_id), ("dealer_code", &self.dealer_code)] {
            if let Some(value) = value {
                line(key, quoted(value))?;
            }
        }
        if let Some(body) = &self.token_body {
            line("token_body", Value::Object(body.members().clone()).to_string())?;
            if matches!(body, TokenBody::Replace(_)) {
                line("token_body_mode", quoted("replace"))?;
            }
        }
        let object =
            |members: &[(String, Value)]| Value::Object(members.iter().cloned().collect()).to_string();
        if !self.pop_extras.claims.is_empty() {
            line("pop_claims", object(&self.pop_extras.claims))?;
        }
        if !self.pop_extras.header.is_empty() {
            line("pop_header", object(&self.pop_extras.header))?;
        }
        if !self.headers.is_empty() {
            let headers: Vec<(String, Value)> = self
                .headers
                .iter()
                .map(|(name, value)| (name.clone(), Value::String(mask_secret(name, value))))
                .collect();
            line("headers", object(&headers))?;
        }
        if let Some(names) = &self.sign_headers {
            line("sign_headers", Value::from(names.clone()).to_string())?;
        }
        if let Some(form) = self.uri_form {
            line("uri_form", quoted(form.name()))?;
        }
        if let Some(prefix) = &self.x_authorization_prefix {
            line("x_authorization_prefix", quoted(prefix))?;
        }
        Ok(())
    }
}
