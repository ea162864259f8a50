//! `taap::client::AsyncTaapClient` against the in-process gateway: signed calls accepted, concurrent
//! tasks sharing one token request, a revoked token refreshed once, `Retry-After` honoured,
//! a skewed gateway clock corrected.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use taap::{
    client::AsyncTaapClient, client::ClientConfig, client::ClientSecret, client::OAuthServer,
    client::RetryPolicy, PrivateKey, PublicKey,
};
use taap_gateway::config::{Faults, DEFAULT_SCOPE};
use taap_gateway::{Gateway, GatewayConfig, RegisteredClient, StatsSnapshot};

const CLIENT_ID: &str = "async-client";
const SECRET: &str = "async-secret-91d2";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn gateway(faults: Faults) -> Gateway {
    let registered = RegisteredClient {
        id: CLIENT_ID.into(),
        secret: ClientSecret::new(SECRET),
        public_key: PublicKey::from_file(keys_dir().join("readme-public.pem")).unwrap().into(),
        scope: DEFAULT_SCOPE.into(),
    };
    Gateway::start(GatewayConfig::new(vec![registered], 3600, faults).unwrap(), 0, false).unwrap()
}

fn client(gateway: &Gateway) -> AsyncTaapClient {
    let key = Arc::new(PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap());
    let token_url = format!("{}/oauth2/v2/tokens", gateway.url());
    let mut config = ClientConfig::new(CLIENT_ID, SECRET, key, OAuthServer::Url(token_url));
    config.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
    };
    AsyncTaapClient::new(config).unwrap()
}

fn stats(token_requests: u64, api_requests: u64, api_accepted: u64, injected_faults: u64) -> StatsSnapshot {
    StatsSnapshot {
        token_requests,
        tokens_issued: token_requests,
        api_requests,
        api_accepted,
        injected_faults,
    }
}

async fn get_device(client: &AsyncTaapClient, gateway: &Gateway) -> u16 {
    let url = format!("{}{DEVICE}", gateway.url());
    client.send("GET", &url, [("Accept", "application/json")], b"").await.unwrap().status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_call_is_accepted_and_the_token_cached() {
    let gateway = gateway(Faults::default());
    let client = client(&gateway);
    assert_eq!((get_device(&client, &gateway).await, get_device(&client, &gateway).await), (200, 200));
    let accepted = gateway
        .events()
        .into_iter()
        .filter(|event| event.route == format!("GET {DEVICE}") && event.pop.is_some())
        .count();
    assert_eq!((gateway.stats(), accepted), (stats(1, 2, 2, 0), 2));
    let token = client.access_token().await.unwrap();
    assert_eq!((token.expires_in(), gateway.stats().token_requests), (3600, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_concurrent_tasks_share_one_token_request() {
    // A slow token endpoint keeps every task waiting on the same refresh.
    let gateway =
        gateway(Faults { delay_ms: 300, path_prefix: Some("/oauth2/".into()), ..Faults::default() });
    let client = Arc::new(client(&gateway));
    let url = format!("{}{DEVICE}", gateway.url());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, url) = (Arc::clone(&client), url.clone());
            tokio::spawn(async move { client.send("GET", &url, [("Accept", "application/json")], b"").await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().unwrap().status);
    }
    assert_eq!(statuses, [200; 8]);
    assert_eq!(gateway.stats(), stats(1, 8, 8, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_gets_one_refresh_and_one_retry() {
    let gateway = gateway(Faults::default());
    let client = client(&gateway);
    assert_eq!(get_device(&client, &gateway).await, 200);
    gateway.state().revoke_all();
    assert_eq!(get_device(&client, &gateway).await, 200);
    let statuses: Vec<u16> = gateway.events().iter().map(|event| event.status).collect();
    assert_eq!(statuses, [200, 200, 401, 200, 200], "token, call, refused call, token, call");
    assert_eq!(gateway.stats(), stats(2, 3, 2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_with_retry_after_is_retried_after_the_asked_delay() {
    let faults = Faults {
        fail_first: 1,
        retry_after_secs: Some(1),
        path_prefix: Some("/iot-connectivity/".into()),
        ..Faults::default()
    };
    let gateway = gateway(faults);
    let client = client(&gateway);
    client.access_token().await.unwrap();
    let started = Instant::now();
    assert_eq!(get_device(&client, &gateway).await, 200);
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(gateway.stats(), stats(1, 1, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_beyond_the_policy_returns_the_503() {
    let faults = Faults {
        fail_first: 1,
        retry_after_secs: Some(30),
        path_prefix: Some("/iot-connectivity/".into()),
        ..Faults::default()
    };
    let gateway = gateway(faults);
    let client = client(&gateway);
    assert_eq!(get_device(&client, &gateway).await, 503);
    assert_eq!(gateway.stats(), stats(1, 0, 0, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skewed_gateway_clock_is_learned_and_the_token_request_resent() {
    let gateway = gateway(Faults { skew_secs: 600, ..Faults::default() });
    let client = client(&gateway);
    assert_eq!(get_device(&client, &gateway).await, 200);
    assert!((599..=601).contains(&client.clock_offset_secs()), "{}", client.clock_offset_secs());
    let statuses: Vec<u16> = gateway.events().iter().map(|event| event.status).collect();
    assert_eq!(statuses, [401, 200, 200], "stale PoP, resent token request, call");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_a_transport_error_after_the_retries() {
    let closed = {
        let gateway = gateway(Faults::default());
        gateway.url()
    };
    let key = Arc::new(PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap());
    let mut config =
        ClientConfig::new(CLIENT_ID, SECRET, key, OAuthServer::Url(format!("{closed}/oauth2/v2/tokens")));
    config.retry = RetryPolicy {
        max_retries: 1,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    };
    let error = AsyncTaapClient::new(config).unwrap().access_token().await.unwrap_err();
    assert_eq!(error.kind(), taap::ErrorKind::Transport);
    let expected = format!("POST {closed}/oauth2/v2/tokens: connection refused");
    assert!(error.to_string().ends_with(&expected), "{error}");
}

/// A key in a device that answers only after something else has happened: it signs once
/// `ready` has a message.
struct WaitingDevice {
    key: PrivateKey,
    ready: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
}

impl taap::keys::Signer for WaitingDevice {
    fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    fn sign_rs256(&self, message: &[u8]) -> taap::Result<Vec<u8>> {
        let ready = self.ready.lock().unwrap().recv_timeout(Duration::from_secs(10));
        ready.map_err(|_| taap::Error::Transport("the device was never told to sign".into()))?;
        taap::keys::Signer::sign_rs256(&self.key, message)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_signer_that_waits_does_not_hold_the_only_worker() {
    // The one worker signs; the task that lets the device sign can only run if signing moved
    // off that worker. Were it held, the device would time out and the call fail.
    let gateway = gateway(Faults::default());
    let (tell, ready) = std::sync::mpsc::channel();
    let key = PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap();
    let device = Arc::new(WaitingDevice { key, ready: std::sync::Mutex::new(ready) });
    let token_url = format!("{}/oauth2/v2/tokens", gateway.url());
    let config = ClientConfig::new(CLIENT_ID, SECRET, device, OAuthServer::Url(token_url));
    let client = AsyncTaapClient::new(config).unwrap();
    let teller = tokio::spawn(async move {
        // One signature for the token request, one for the call.
        for _ in 0..2 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            tell.send(()).unwrap();
        }
    });
    // Spawned, so the call runs on the worker (the test's own thread drives only this body).
    let url = format!("{}{DEVICE}", gateway.url());
    let call =
        tokio::spawn(async move { client.send("GET", &url, [("Accept", "application/json")], b"").await });
    assert_eq!(call.await.unwrap().unwrap().status, 200);
    teller.await.unwrap();
}
