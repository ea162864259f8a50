//! The proxy's TAAP client: `taap call`'s client flags (the profile with the flags over it,
//! turned into a `ClientConfig` by the core) plus the proxy's route table.

use std::time::Duration;

use taap::client::{ClientConfig, Routes};

use crate::commands::token::ClientArgs;

/// The client flags of `taap call` and the token servers by path prefix.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientFlags {
    #[command(flatten)]
    client: ClientArgs,
    /// Requests whose path starts with PREFIX get their access token from SERVER (v2, v6, an
    /// API name or a token URL); repeat for each API; replaces the profile's `routes`.
    #[arg(long = "route", value_name = "PREFIX=SERVER")]
    routes: Vec<String>,
}

impl ClientFlags {
    /// The client configuration the profile and flags give, checked by the core, and the
    /// token servers by path prefix (the configuration's server for every other path).
    pub fn config(&self) -> taap::Result<(ClientConfig, Routes)> {
        let config = self.client.config()?;
        let routes = if self.routes.is_empty() {
            self.client.profile_routes()?
        } else {
            Routes::parse(self.routes.iter().map(|route| route.split_once('=').unwrap_or((route, ""))))?
        };
        Ok((config, routes))
    }

    /// How long one upstream exchange may take before its answer starts.
    pub fn timeout(&self) -> Duration {
        self.client.timeout()
    }
}
