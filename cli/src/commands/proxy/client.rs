//! The proxy's TAAP client: the profile with the flags over it, turned into a `ClientConfig` by
//! the core (`Profile::client_config`), so every setting means what it means for `taap call`.

use std::path::PathBuf;
use std::time::Duration;

use taap::client::{ClientConfig, OAuthServer, Profile, Routes};

use crate::commands::token::load_profiles;
use crate::output::config;

/// The credentials and OAuth server flags; each overrides the same setting of the profile.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientFlags {
    /// A profile of the config file ($TAAP_CONFIG, else $XDG_CONFIG_HOME/taap/config.toml).
    #[arg(long, value_name = "NAME", env = "TAAP_PROFILE")]
    profile: Option<String>,
    /// The OAuth client id.
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// Environment variable holding the client secret (never pass secrets in argv).
    #[arg(long, value_name = "VAR")]
    client_secret_env: Option<String>,
    /// Private key file registered with the OAuth server (PEM or DER, maybe encrypted).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// Environment variable holding the key's password.
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    /// `v2`, `v6`, an API name, or a full token endpoint URL (flavour taken from its path).
    #[arg(long, value_name = "v2|v6|URL", conflicts_with = "api")]
    server: Option<String>,
    /// The T-Mobile API behind the upstream (connectivity, location, sms-notification,
    /// call-verification, fraud-prevention); picks its token server as the docs' table does.
    #[arg(long, value_name = "API")]
    api: Option<String>,
    /// storeId for the v6 body.
    #[arg(long, value_name = "ID")]
    store_id: Option<String>,
    /// dealerCode for the v6 body.
    #[arg(long, value_name = "CODE")]
    dealer_code: Option<String>,
    /// Seconds the upstream and the token server get to answer.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
    /// Share access tokens with other processes using the same client id, token URL and key
    /// through this Redis (redis://[:password@]host:port[/db]); give it through the variable.
    #[arg(long, value_name = "URL", env = "TAAP_TOKEN_STORE", hide_env_values = true)]
    token_store: Option<String>,
    /// Requests whose path starts with PREFIX get their access token from SERVER (v2, v6, an
    /// API name or a token URL); repeat for each API; replaces the profile's `routes`.
    #[arg(long = "route", value_name = "PREFIX=SERVER")]
    routes: Vec<String>,
}

impl ClientFlags {
    /// The client configuration the profile and flags give, checked by the core, and the
    /// token servers by path prefix (the configuration's server for every other path).
    pub fn config(&self) -> taap::Result<(ClientConfig, Routes)> {
        if !(1..=600).contains(&self.timeout) {
            return Err(config("--timeout is 1 to 600 seconds"));
        }
        let mut settings = self.settings()?;
        if self.token_store.is_some() {
            // The flag replaces the profile's store, so the profile's variable need not be set.
            settings.token_store_env = None;
        }
        let routes = settings.routes.clone();
        let mut client = settings.client_config().map_err(|error| match &error {
            taap::Error::Config(message) if self.profile.is_none() => missing_flag(message).unwrap_or(error),
            _ => error,
        })?;
        client.timeouts.request = self.timeout();
        client.timeouts.connect = client.timeouts.connect.min(client.timeouts.request);
        if let Some(url) = &self.token_store {
            client.token_store = Some(taap::client::token_store_from_url(url)?);
        }
        Ok((client, routes))
    }

    /// How long one upstream exchange may take before its answer starts.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }

    fn settings(&self) -> taap::Result<Profile> {
        let mut flags = Profile::default();
        flags.client_id = self.client_id.clone();
        flags.client_secret_env = self.client_secret_env.clone();
        flags.key = self.key.clone();
        flags.password_env = self.password_env.clone();
        flags.store_id = self.store_id.clone();
        flags.dealer_code = self.dealer_code.clone();
        let pairs = self.routes.iter().map(|route| route.split_once('=').unwrap_or((route, "")));
        flags.routes = Routes::parse(pairs)?;
        if let Some(server) = &self.server {
            flags.server = Some(OAuthServer::parse(server)?);
        }
        if let Some(api) = &self.api {
            flags.server = Some(OAuthServer::for_api(api)?);
        }
        let Some(name) = &self.profile else {
            flags.name = "(flags)".into();
            return Ok(flags);
        };
        Ok(load_profiles()?.get(name)?.clone().overridden_by(flags))
    }
}

/// Without a profile, a missing setting is a missing flag: name the flag.
fn missing_flag(message: &str) -> Option<taap::Error> {
    let setting = message.strip_prefix("profile \"(flags)\" has no ")?.split(" (").next()?;
    let flag = match setting {
        "api, server or token_url" => "--api or --server".to_owned(),
        key => format!("--{}", key.replace('_', "-")),
    };
    Some(config(format!("give {flag}, or pick a profile with --profile NAME")))
}
