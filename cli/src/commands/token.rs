//! `taap token`: TAAP steps 1 and 2, printing the OAuth server's token response.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use taap::{ClientConfig, OAuthServer, RetryPolicy, TaapClient};
use taap_gateway::config::secret_from_env;

/// The credentials and OAuth server flags `taap token` and `taap call` share.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientArgs {
    /// The OAuth client id.
    #[arg(long, value_name = "ID")]
    client_id: String,
    /// Environment variable holding the client secret (never pass secrets in argv).
    #[arg(long, value_name = "VAR")]
    client_secret_env: String,
    /// Private key file registered with the OAuth server (PEM or DER, maybe encrypted).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Environment variable holding the key's password.
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    /// `v2` or `v6` (T-Mobile's token endpoints), or a full token endpoint URL such as
    /// http://127.0.0.1:8080/oauth2/v2/tokens (flavour taken from its path).
    #[arg(long, value_name = "v2|v6|URL")]
    server: String,
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
}

impl ClientArgs {
    /// The client these flags describe.
    pub fn client(&self) -> taap::Result<TaapClient> {
        let key = Arc::new(super::load_private_key(&self.key, self.password_env.as_deref())?);
        let secret = secret_from_env(&self.client_secret_env)?;
        let mut config =
            ClientConfig::new(self.client_id.clone(), secret, key, OAuthServer::parse(&self.server)?);
        config.store_id = self.store_id.clone();
        config.dealer_code = self.dealer_code.clone();
        config.timeouts.request = Duration::from_secs(self.timeout);
        config.timeouts.connect =
            config.timeouts.connect.min(config.timeouts.request.max(Duration::from_secs(1)));
        config.retry = RetryPolicy { max_retries: self.retries, ..RetryPolicy::default() };
        TaapClient::new(config)
    }
}

/// Flags of `taap token`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    client: ClientArgs,
}

/// Fetches an access token and prints the server's JSON answer (it holds the token).
pub fn run(args: Args) -> taap::Result<()> {
    let token = args.client.client()?.access_token()?;
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
