//! Who may use the proxy: anyone who can reach it calls T-Mobile with your credentials, so it
//! listens on loopback unless told otherwise, and elsewhere only with a bearer secret.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use hyper::header::{HeaderMap, PROXY_AUTHORIZATION};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::output::config;

/// Shortest inbound secret accepted: guessing one must be hopeless.
const MIN_SECRET_CHARS: usize = 16;
/// Largest secret file read.
const MAX_SECRET_FILE_BYTES: u64 = 4096;

/// Where the proxy listens and who may use it.
#[derive(Debug, Clone, clap::Args)]
pub struct InboundFlags {
    /// Address to listen on. Anything but loopback also needs --allow-remote and an inbound
    /// secret.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    listen: IpAddr,
    /// Port; 0 picks a free one (the readiness line shows it).
    #[arg(long, default_value_t = 8077)]
    port: u16,
    /// Allow a --listen address other machines can reach.
    #[arg(long)]
    allow_remote: bool,
    /// Environment variable holding the secret clients must send as
    /// `Proxy-Authorization: Bearer SECRET` (at least 16 characters).
    #[arg(long, value_name = "VAR", conflicts_with = "inbound_secret_file")]
    inbound_secret_env: Option<String>,
    /// File holding that secret (its first line).
    #[arg(long, value_name = "FILE")]
    inbound_secret_file: Option<PathBuf>,
}

/// The secret clients must present; never shown.
pub struct InboundSecret(Zeroizing<String>);

impl InboundSecret {
    /// Whether `headers` carry `Proxy-Authorization: Bearer <secret>` (compared in constant time).
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(PROXY_AUTHORIZATION).and_then(|value| value.to_str().ok()) else {
            return false;
        };
        let Some(given) = taap::request::authorization_credentials(value, "Bearer") else { return false };
        given.as_bytes().ct_eq(self.0.as_bytes()).into()
    }
}

impl InboundFlags {
    /// The address to bind.
    pub fn address(&self) -> (IpAddr, u16) {
        (self.listen, self.port)
    }

    /// The inbound secret, if one was given; refuses a non-loopback address without both
    /// --allow-remote and a secret.
    pub fn secret(&self) -> taap::Result<Option<InboundSecret>> {
        let secret = match (&self.inbound_secret_env, &self.inbound_secret_file) {
            (Some(variable), _) => Some(from_env(variable)?),
            (None, Some(path)) => Some(from_file(path)?),
            (None, None) => None,
        };
        if let Some(secret) = &secret {
            if secret.0.chars().count() < MIN_SECRET_CHARS || secret.0.chars().any(char::is_control) {
                return Err(config(format!(
                    "the inbound secret must be at least {MIN_SECRET_CHARS} characters, without control characters"
                )));
            }
        }
        let remote_allowed = self.allow_remote && secret.is_some();
        if !(self.listen.is_loopback() || remote_allowed) {
            return Err(config(format!(
                "--listen {} is reachable from other machines, and anyone who reaches the proxy calls the API as you: \
                 give --allow-remote and an inbound secret (--inbound-secret-env VAR or --inbound-secret-file FILE), \
                 or listen on 127.0.0.1",
                self.listen
            )));
        }
        Ok(secret)
    }
}

fn from_env(variable: &str) -> taap::Result<InboundSecret> {
    std::env::var(variable)
        .map(|value| InboundSecret(Zeroizing::new(value)))
        .map_err(|_| config(format!("environment variable {variable} is not set (or not UTF-8)")))
}

fn from_file(path: &Path) -> taap::Result<InboundSecret> {
    let unreadable = |reason: String| config(format!("--inbound-secret-file {}: {reason}", path.display()));
    let size = std::fs::metadata(path).map_err(|error| unreadable(error.to_string()))?.len();
    if size > MAX_SECRET_FILE_BYTES {
        return Err(unreadable(format!("{size} bytes; a secret file is at most {MAX_SECRET_FILE_BYTES}")));
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|error| unreadable(error.to_string()))?);
    let line = text.lines().next().unwrap_or_default().trim();
    Ok(InboundSecret(Zeroizing::new(line.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn only_the_exact_bearer_secret_is_admitted() {
        let secret = InboundSecret(Zeroizing::new("0123456789abcdef".into()));
        let mut headers = HeaderMap::new();
        assert!(!secret.admits(&headers));
        headers.insert(PROXY_AUTHORIZATION, HeaderValue::from_static("Bearer 0123456789abcdeX"));
        assert!(!secret.admits(&headers));
        headers.insert(PROXY_AUTHORIZATION, HeaderValue::from_static("bearer 0123456789abcdef"));
        assert!(secret.admits(&headers));
    }
}
