//! `taap token`: TAAP steps 1 and 2, printing the OAuth server's token response.

use std::path::PathBuf;
use std::time::Duration;

use taap::client::{ClientConfig, OAuthServer, Profile, Profiles, RetryPolicy, Routes};
use taap::TaapClient;

use crate::output::config;

/// The credentials and OAuth server flags `taap token`, `taap call` and `taap proxy` share; each
/// overrides the same setting of the profile, when one is picked.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// A profile of the config file ($TAAP_CONFIG, else $XDG_CONFIG_HOME/taap/config.toml).
    #[arg(long, value_name = "NAME", env = "TAAP_PROFILE")]
    profile: Option<String>,
    /// The OAuth client id.
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// Environment variable holding the client secret (never pass secrets in argv).
    #[arg(long, value_name = "VAR")]
    client_secret_env: Option<String>,
    /// Private key registered with the OAuth server: a file (PEM or DER, maybe encrypted), a key
    /// in a PKCS#11 token (pkcs11:token=…;object=…?module-path=…&pin-source=…) or in AWS KMS
    /// (aws-kms:ARN, aws-kms:alias/NAME or aws-kms:KEY-ID).
    #[arg(long, value_name = "FILE|URI")]
    key: Option<PathBuf>,
    /// Environment variable holding the key's password (or the PKCS#11 PIN).
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    /// `v2` or `v6` (T-Mobile's token endpoints), an API name, or a full token endpoint URL
    /// such as http://127.0.0.1:8080/oauth2/v2/tokens (flavour taken from its path).
    #[arg(long, value_name = "v2|v6|URL", conflicts_with = "api")]
    server: Option<String>,
    /// The T-Mobile API to get a token for (connectivity, location, sms-notification,
    /// call-verification, fraud-prevention); picks its token server as the docs' table does.
    #[arg(long, value_name = "API")]
    api: Option<String>,
    /// storeId for the v6 body.
    #[arg(long, value_name = "ID")]
    store_id: Option<String>,
    /// dealerCode for the v6 body.
    #[arg(long, value_name = "CODE")]
    dealer_code: Option<String>,
    /// Seconds one HTTP exchange may take.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
    /// Retries after connection failures, 429 and 5xx answers.
    #[arg(long, value_name = "N", default_value_t = 2)]
    retries: u32,
    /// Share access tokens with other processes using the same client id, token URL and key
    /// through this Redis (redis://[:password@]host:port[/db]): one token request per refresh
    /// window between them. The store holds the token; give a password through the variable,
    /// not argv.
    #[arg(long, value_name = "URL", env = "TAAP_TOKEN_STORE", hide_env_values = true)]
    token_store: Option<String>,
}

impl ClientArgs {
    /// The settings these flags give, as a profile that overrides the picked one.
    fn flags(&self) -> taap::Result<Profile> {
        let mut flags = Profile::default();
        flags.client_id = self.client_id.clone();
        flags.client_secret_env = self.client_secret_env.clone();
        flags.key = self.key.clone();
        flags.password_env = self.password_env.clone();
        flags.store_id = self.store_id.clone();
        flags.dealer_code = self.dealer_code.clone();
        if let Some(server) = &self.server {
            flags.server = Some(OAuthServer::parse(server)?);
        }
        if let Some(api) = &self.api {
            flags.server = Some(OAuthServer::for_api(api)?);
        }
        Ok(flags)
    }

    /// The picked profile (`--profile` or `TAAP_PROFILE`) with the flags over it.
    fn settings(&self) -> taap::Result<Profile> {
        let flags = self.flags()?;
        let Some(name) = &self.profile else {
            let mut settings = flags;
            settings.name = "(flags)".into();
            return Ok(settings);
        };
        let profiles = load_profiles()?;
        Ok(profiles.get(name)?.clone().overridden_by(flags))
    }

    /// The client these flags (and the profile) describe.
    pub fn client(&self) -> taap::Result<TaapClient> {
        TaapClient::new(self.config()?)
    }

    /// The picked profile's token servers by path prefix (none without a profile).
    pub fn profile_routes(&self) -> taap::Result<Routes> {
        Ok(self.settings()?.routes)
    }

    /// How long one HTTP exchange may take.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }

    /// The client configuration these flags (and the profile) describe, checked by the core.
    pub fn config(&self) -> taap::Result<ClientConfig> {
        if !(1..=600).contains(&self.timeout) {
            return Err(config("--timeout is 1 to 600 seconds"));
        }
        let mut settings = self.settings()?;
        if self.token_store.is_some() {
            // The flag replaces the profile's store, so the profile's variable need not be set.
            settings.token_store_env = None;
        }
        let mut config = settings.client_config().map_err(|error| match &error {
            taap::Error::Config(message) if self.profile.is_none() => missing_flag(message).unwrap_or(error),
            _ => error,
        })?;
        config.timeouts.request = Duration::from_secs(self.timeout);
        config.timeouts.connect =
            config.timeouts.connect.min(config.timeouts.request.max(Duration::from_secs(1)));
        config.retry = RetryPolicy { max_retries: self.retries, ..RetryPolicy::default() };
        if let Some(url) = &self.token_store {
            config.token_store = Some(taap::client::token_store_from_url(url)?);
        }
        Ok(config)
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

/// The profiles of the config file taap reads.
pub fn load_profiles() -> taap::Result<Profiles> {
    let path = taap::client::config_path()
        .ok_or_else(|| config("no config file: set TAAP_CONFIG, XDG_CONFIG_HOME or HOME"))?;
    Profiles::load(&path)
}

/// Flags of `taap token`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    client: ClientArgs,
    /// Print the token request that would be sent (secrets masked) and send nothing.
    #[arg(long)]
    dry_run: bool,
}

impl Args {
    /// A dry run opens no socket, so it may end like a filter when its reader goes away.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }
}

/// Fetches an access token and prints the server's JSON answer (it holds the token).
pub fn run(args: Args) -> taap::Result<()> {
    let client = args.client.client()?;
    if args.dry_run {
        print!("{}{}", super::signer_line(client.signer()), client.prepare_token_request()?);
        return Ok(());
    }
    let token = client.access_token()?;
    let pretty = serde_json::from_str::<serde_json::Value>(token.response_json())
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .map(zeroize::Zeroizing::new);
    match pretty {
        Some(pretty) => println!("{}", pretty.as_str()),
        None => println!("{}", token.response_json()),
    }
    Ok(())
}
