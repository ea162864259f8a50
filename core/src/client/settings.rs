//! A client's options from any door, checked by the one schema ([`crate::settings`]) and turned
//! into a [`ClientConfig`]: the doors hold no option names, defaults, ranges or messages.

use std::time::Duration;

use serde_json::{Map, Value};

use super::config::{ClientConfig, ClientSecret, OAuthServer};
use super::profile::{parse_options, Profile};
use super::store::token_store_from_url;
use super::variants::TokenBody;
use crate::error::{Error, Result};
use crate::explain::mask_secret;
use crate::keys::IntoSigner;
use crate::request::SignPolicy;
use crate::settings::{
    checked_options, options_from_json, restyled_text, NameStyle, Setting, SettingGroup, SETTINGS,
};

/// The options a profile also takes: the token server and the request and token variants.
const PROFILE_OPTIONS: [&str; 12] = [
    "api",
    "server",
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
];

/// The client's other options, typed by serde once the schema has checked them.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Limits {
    connect_timeout: Option<f64>,
    timeout: Option<f64>,
    max_retries: Option<u32>,
    retry_base_delay: Option<f64>,
    retry_max_delay: Option<f64>,
    refresh_margin: Option<f64>,
    pop_ttl: Option<i64>,
    max_response_bytes: Option<u64>,
    correct_clock_skew: Option<bool>,
    token_store: Option<String>,
}

/// A client's options as one door gave them, checked: every option of the schema's `client`
/// group, nothing else.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    profile: Profile,
    limits: Limits,
    /// How the door names options, for the messages of checks that span two of them.
    style: NameStyle,
    /// The signing policy a door's handle gives, which `sign_headers` and `uri_form` refine.
    base_policy: Option<SignPolicy>,
}

impl ClientSettings {
    /// Checks a door's options, named in the door's `style`; `null` members count as absent.
    /// An unknown option, a wrong type or a value out of range is `Config`, naming the option
    /// as the door wrote it.
    pub fn from_options(options: &Map<String, Value>, style: NameStyle) -> Result<ClientSettings> {
        let checked = checked_options(options, SettingGroup::Client, style)?;
        let (profile, limits): (Map<String, Value>, Map<String, Value>) =
            checked.into_iter().partition(|(name, _)| PROFILE_OPTIONS.contains(&name.as_str()));
        let profile = parse_options(&profile).map_err(|(name, problem)| {
            let shown =
                SETTINGS.iter().find(|setting| setting.name == name).map_or(name, |s| s.name_in(style));
            Error::Config(format!("option {shown}: {}", restyled_text(&problem, style)))
        })?;
        let limits = serde_json::from_value(Value::Object(limits))
            .map_err(|error| Error::Config(format!("client options: {error}")))?;
        Ok(ClientSettings { profile, limits, style, base_policy: None })
    }

    /// [`ClientSettings::from_options`] from JSON text (how a door without a JSON library, or
    /// with a native object it serialises, hands them over).
    pub fn from_json(options: &str, style: NameStyle) -> Result<ClientSettings> {
        ClientSettings::from_options(&options_from_json(options)?, style)
    }

    /// Starts from `policy` (a door's `SignPolicy` handle) instead of the docs' policy; the
    /// options `sign_headers` and `uri_form`, when given, still refine it.
    pub fn with_sign_policy(mut self, policy: SignPolicy) -> ClientSettings {
        self.base_policy = Some(policy);
        self
    }

    /// The configuration for these credentials and key; the server is `v2` unless an option
    /// names another.
    pub fn client_config(
        &self,
        client_id: impl Into<String>,
        client_secret: impl Into<ClientSecret>,
        key: impl IntoSigner,
    ) -> Result<ClientConfig> {
        let mut config = ClientConfig::new(client_id, client_secret, key, OAuthServer::V2);
        if let Some(policy) = &self.base_policy {
            config.sign_policy = policy.clone();
        }
        self.apply_to(&mut config)?;
        // The configuration's own checks, with option names in the door's words.
        config.check().map_err(|error| match error {
            Error::Config(message) => Error::Config(restyled_text(&message, self.style)),
            other => other,
        })?;
        Ok(config)
    }

    /// Puts every given option into `config`; the others keep their value.
    pub fn apply_to(&self, config: &mut ClientConfig) -> Result<()> {
        self.profile.apply_to(config)?;
        let limits = &self.limits;
        let seconds = |value: Option<f64>| value.map(Duration::from_secs_f64);
        if let Some(connect) = seconds(limits.connect_timeout) {
            config.timeouts.connect = connect;
        }
        if let Some(request) = seconds(limits.timeout) {
            config.timeouts.request = request;
        }
        if let Some(retries) = limits.max_retries {
            config.retry.max_retries = retries;
        }
        if let Some(base) = seconds(limits.retry_base_delay) {
            config.retry.base_delay = base;
        }
        if let Some(max) = seconds(limits.retry_max_delay) {
            config.retry.max_delay = max;
        }
        if let Some(margin) = seconds(limits.refresh_margin) {
            config.refresh_margin = margin;
        }
        config.pop_ttl_secs = limits.pop_ttl.unwrap_or(config.pop_ttl_secs);
        config.max_response_bytes = limits.max_response_bytes.unwrap_or(config.max_response_bytes);
        config.correct_clock_skew = limits.correct_clock_skew.unwrap_or(config.correct_clock_skew);
        if config.retry.base_delay > config.retry.max_delay {
            let name =
                |snake| Setting::named(snake, NameStyle::Snake).map(|setting| setting.name_in(self.style));
            return Err(Error::Config(format!(
                "option {} ({} s) exceeds option {} ({} s)",
                name("retry_base_delay").unwrap_or_default(),
                config.retry.base_delay.as_secs_f64(),
                name("retry_max_delay").unwrap_or_default(),
                config.retry.max_delay.as_secs_f64()
            )));
        }
        if let Some(url) = &limits.token_store {
            config.token_store = Some(token_store_from_url(url)?);
        }
        Ok(())
    }
}

/// What a client was configured with, under the schema's names and units (seconds as numbers):
/// how the behaviour suite sees that each option had its effect. Header values that look like
/// secrets are masked; the token store shows only whether one is set.
pub fn effective_settings(config: &ClientConfig) -> Map<String, Value> {
    let mut settings = Map::new();
    let mut put = |name: &str, value: Value| {
        settings.insert(name.to_owned(), value);
    };
    let server = config.server.endpoint().map_or(Value::Null, |(url, _)| url.as_str().into());
    put("server", server);
    put("store_id", config.store_id.clone().into());
    put("dealer_code", config.dealer_code.clone().into());
    put("connect_timeout", config.timeouts.connect.as_secs_f64().into());
    put("timeout", config.timeouts.request.as_secs_f64().into());
    put("max_retries", config.retry.max_retries.into());
    put("retry_base_delay", config.retry.base_delay.as_secs_f64().into());
    put("retry_max_delay", config.retry.max_delay.as_secs_f64().into());
    put("refresh_margin", config.refresh_margin.as_secs_f64().into());
    put("pop_ttl", config.pop_ttl_secs.into());
    put("max_response_bytes", config.max_response_bytes.into());
    put("correct_clock_skew", config.correct_clock_skew.into());
    let body = config.token_body.as_ref();
    put("token_body", body.map_or(Value::Null, |body| Value::Object(body.members().clone())));
    let mode = match body {
        None => Value::Null,
        Some(TokenBody::Merge(_)) => "merge".into(),
        Some(TokenBody::Replace(_)) => "replace".into(),
    };
    put("token_body_mode", mode);
    put("pop_claims", members(&config.pop_extras.claims));
    put("pop_header", members(&config.pop_extras.header));
    let headers = config.headers.iter().map(|(name, value)| (name.clone(), mask_secret(name, value).into()));
    put("headers", Value::Object(headers.collect()));
    let signed = config.sign_policy.named_headers().map_or(Value::Null, |names| names.to_vec().into());
    put("sign_headers", signed);
    put("uri_form", config.sign_policy.uri_form().name().into());
    put("x_authorization_prefix", config.x_authorization_prefix.clone().into());
    put("token_store", config.token_store.is_some().into());
    settings
}

fn members(members: &[(String, Value)]) -> Value {
    Value::Object(members.iter().cloned().collect())
}
