//! `taap demo`: the four TAAP steps against a local gateway, no account and no network needed.

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value};
use taap::{client::ClientConfig, client::OAuthServer, PopToken, PrivateKey, PublicKey, TaapClient};
use taap_gateway::config::{Faults, DEFAULT_SCOPE, DEFAULT_TOKEN_TTL_SECS};
use taap_gateway::{Gateway, GatewayConfig, RegisteredClient};

use crate::output::config;

/// The client id the demo registers.
const DEMO_CLIENT_ID: &str = "demo-client";
/// A sample ICCID (89 = telecom, 01 = US, 260 = T-Mobile).
const DEMO_ICCID: &str = "8901260000000000019";

/// Flags of `taap demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the walkthrough, one short line per step, decoded tokens below each.
pub fn run(_args: Args) -> taap::Result<()> {
    let dir = tempfile::tempdir()
        .map_err(|error| config(format!("cannot create a temporary directory: {error}")))?;
    let key = Arc::new(PrivateKey::generate(2048)?);
    let public_key_path = write_keys(dir.path(), &key)?;
    println!("setup: generated a 2048-bit RSA key pair in {} (removed on exit)", dir.path().display());

    let secret = uuid::Uuid::new_v4().to_string();
    let gateway = start_gateway(&public_key_path, &secret)?;
    println!(
        "setup: local TAAP gateway on {} with client {DEMO_CLIENT_ID:?} and its public key",
        gateway.url()
    );

    // The docs' table: Connectivity gets its tokens from the v2 server (empty body).
    let token_url = format!("{}/oauth2/v2/tokens", gateway.url());
    let client = TaapClient::new(ClientConfig::new(
        DEMO_CLIENT_ID,
        secret.as_str(),
        key,
        OAuthServer::Url(token_url),
    ))?;
    let token = client.access_token()?;
    let oauth_pop = last_accepted_pop(&gateway, "POST /oauth2/v2/tokens")?;
    println!("step 1: OAuth PoP token signs {} of POST /oauth2/v2/tokens", oauth_pop.claims().ehts.join(";"));
    print_json(&pop_json(&oauth_pop));
    println!(
        "step 2: access token from /oauth2/v2/tokens: expires_in {} s, scope {:?}",
        token.expires_in(),
        token.scope().unwrap_or("")
    );
    let claims = gateway
        .state()
        .signer
        .verify(token.secret())
        .ok_or_else(|| config("the gateway did not recognise its own access token"))?;
    print_json(&json!({ "header": { "alg": "RS256", "typ": "JWT" }, "claims": claims }));

    let device_path = format!("/iot-connectivity/v1/devices/{DEMO_ICCID}");
    let response = client.send(
        "GET",
        &format!("{}{device_path}", gateway.url()),
        [("Content-Type", "application/json")],
        b"",
    )?;
    let api_pop = last_accepted_pop(&gateway, &format!("GET {device_path}"))?;
    println!("step 3: API PoP token signs {} of GET {device_path}", api_pop.claims().ehts.join(";"));
    print_json(&pop_json(&api_pop));
    println!("step 4: Connectivity call GET {device_path}: HTTP {}", response.status);
    print_json(&serde_json::from_slice(&response.body).unwrap_or_else(|_| Value::String(response.text())));
    if response.status != 200 {
        return Err(config(format!("the Connectivity call answered HTTP {}", response.status)));
    }

    client.send(
        "GET",
        &format!("{}{device_path}", gateway.url()),
        [("Content-Type", "application/json")],
        b"",
    )?;
    let second = last_accepted_pop(&gateway, &format!("GET {device_path}"))?;
    println!(
        "again: a second call signed a fresh PoP token (jti {}), reused the cached access token ({} token request in all)",
        second.claims().jti,
        gateway.stats().token_requests
    );
    Ok(())
}

fn write_keys(dir: &Path, key: &PrivateKey) -> taap::Result<std::path::PathBuf> {
    let unwritable = |error: std::io::Error| config(format!("cannot write the demo keys: {error}"));
    let private_path = dir.join("private-key.pem");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&private_path).map_err(unwritable)?, key.to_pem().as_bytes())
        .map_err(unwritable)?;
    let public_path = dir.join("public-key.pem");
    std::fs::write(&public_path, key.public_key().to_pem()).map_err(unwritable)?;
    Ok(public_path)
}

fn start_gateway(public_key_path: &Path, secret: &str) -> taap::Result<Gateway> {
    let client = RegisteredClient {
        id: DEMO_CLIENT_ID.into(),
        secret: secret.into(),
        public_key: PublicKey::from_file(public_key_path)?.into(),
        scope: DEFAULT_SCOPE.into(),
    };
    let gateway_config = GatewayConfig::new(vec![client], DEFAULT_TOKEN_TTL_SECS, Faults::default())?;
    Gateway::start(gateway_config, 0, false)
}

/// The PoP token the gateway last accepted on `route`.
fn last_accepted_pop(gateway: &Gateway, route: &str) -> taap::Result<PopToken> {
    gateway
        .events()
        .into_iter()
        .rev()
        .find(|event| event.route == route && (200..300).contains(&event.status))
        .and_then(|event| event.pop)
        .ok_or_else(|| config(format!("the gateway accepted no request on {route}")))
}

fn pop_json(token: &PopToken) -> Value {
    let claims = token.claims();
    json!({
        "header": { "alg": token.header().alg, "typ": token.header().typ },
        "claims": {
            "edts": claims.edts,
            "v": claims.v,
            "exp": claims.exp,
            "ehts": claims.ehts.join(";"),
            "iat": claims.iat,
            "jti": claims.jti,
        },
    })
}

fn print_json(value: &Value) {
    let text = serde_json::to_string_pretty(value).expect("JSON values serialise");
    for line in text.lines() {
        println!("    {line}");
    }
}
