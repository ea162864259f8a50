//! The shared access-token store against a real `redis-server` and the in-process gateway:
//! separate clients (blocking and async) sharing credentials make one token request between
//! them, and one refresh when it is due; with Redis stopped each still gets its token, with
//! one warning each; a store URL's password never appears in a warning.

mod support;

use std::path::PathBuf;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use taap::{
    client::AsyncTaapClient, client::ClientConfig, client::ClientSecret, client::OAuthServer,
    client::OnWarning, client::RedisTokenStore, client::DEFAULT_TOKEN_STORE_DEADLINE, PrivateKey, PublicKey,
    TaapClient,
};
use taap_gateway::config::{Faults, DEFAULT_SCOPE};
use taap_gateway::{Gateway, GatewayConfig, RegisteredClient};

use support::redis::RedisServer;

const CLIENT_ID: &str = "fleet-client";
const SECRET: &str = "fleet-secret-5a1c";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

/// A gateway issuing tokens for `ttl` seconds; a slow token endpoint so clients overlap.
fn gateway(ttl: u64) -> Gateway {
    let registered = RegisteredClient {
        id: CLIENT_ID.into(),
        secret: ClientSecret::new(SECRET),
        public_key: PublicKey::from_file(keys_dir().join("readme-public.pem")).unwrap().into(),
        scope: DEFAULT_SCOPE.into(),
    };
    let faults = Faults { delay_ms: 200, path_prefix: Some("/oauth2/".into()), ..Faults::default() };
    Gateway::start(GatewayConfig::new(vec![registered], ttl, faults).unwrap(), 0, false).unwrap()
}

type Warnings = Arc<Mutex<Vec<String>>>;

fn config(gateway: &Gateway, store_url: &str, warnings: &Warnings) -> ClientConfig {
    let key = Arc::new(PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap());
    let token_url = format!("{}/oauth2/v2/tokens", gateway.url());
    let mut config = ClientConfig::new(CLIENT_ID, SECRET, key, OAuthServer::Url(token_url));
    config.token_store =
        Some(Arc::new(RedisTokenStore::open(store_url, DEFAULT_TOKEN_STORE_DEADLINE).unwrap()));
    let warnings = Arc::clone(warnings);
    config.on_warning = OnWarning::new(move |message| warnings.lock().unwrap().push(message.to_owned()));
    config
}

/// `count` separate clients (each its own cache and Redis connection) asking at once; the
/// token values they got.
fn tokens_at_once(clients: &[Arc<TaapClient>]) -> Vec<String> {
    let barrier = Arc::new(Barrier::new(clients.len()));
    let threads: Vec<_> = clients
        .iter()
        .map(|client| {
            let (client, barrier) = (Arc::clone(client), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                client.access_token().unwrap().secret().to_owned()
            })
        })
        .collect();
    threads.into_iter().map(|thread| thread.join().unwrap()).collect()
}

fn clients(gateway: &Gateway, store_url: &str, warnings: &Warnings, count: usize) -> Vec<Arc<TaapClient>> {
    (0..count).map(|_| Arc::new(TaapClient::new(config(gateway, store_url, warnings)).unwrap())).collect()
}

#[test]
fn eight_clients_make_one_token_request_and_one_refresh() {
    let redis = RedisServer::start();
    // 4 s tokens are refreshed at half their life: 2 s.
    let gateway = gateway(4);
    let warnings = Warnings::default();
    let clients = clients(&gateway, &redis.url(), &warnings, 8);
    let first = tokens_at_once(&clients);
    assert!(first.iter().all(|token| token == &first[0]), "{first:?}");
    assert_eq!(gateway.stats().token_requests, 1);
    // Cached in each client now: no store traffic, no token request.
    assert_eq!(tokens_at_once(&clients), first);
    assert_eq!(gateway.stats().token_requests, 1);
    std::thread::sleep(Duration::from_millis(2100));
    let second = tokens_at_once(&clients);
    assert!(second.iter().all(|token| token == &second[0]), "{second:?}");
    assert_ne!(second[0], first[0]);
    assert_eq!(gateway.stats().token_requests, 2, "one refresh for all eight");
    assert_eq!(*warnings.lock().unwrap(), Vec::<String>::new());
}

#[test]
fn a_refused_token_is_replaced_not_taken_back_from_the_store() {
    let redis = RedisServer::start();
    let gateway = gateway(3600);
    let warnings = Warnings::default();
    let clients = clients(&gateway, &redis.url(), &warnings, 2);
    let url = format!("{}{DEVICE}", gateway.url());
    assert_eq!(clients[0].send("GET", &url, [("Accept", "application/json")], b"").unwrap().status, 200);
    let old = clients[1].access_token().unwrap();
    assert_eq!(gateway.stats().token_requests, 1);
    gateway.state().revoke_all();
    assert_eq!(clients[1].send("GET", &url, [("Accept", "application/json")], b"").unwrap().status, 200);
    assert_eq!(gateway.stats().token_requests, 2);
    assert_ne!(clients[1].access_token().unwrap().secret(), old.secret());
    // The other client's cached token is refused too; it picks up the new shared one.
    assert_eq!(clients[0].send("GET", &url, [("Accept", "application/json")], b"").unwrap().status, 200);
    assert_eq!(gateway.stats().token_requests, 2);
}

#[test]
fn blocking_and_async_clients_share_the_token() {
    let redis = RedisServer::start();
    let gateway = gateway(3600);
    let warnings = Warnings::default();
    let blocking = TaapClient::new(config(&gateway, &redis.url(), &warnings)).unwrap();
    let first = blocking.access_token().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let asynchronous = AsyncTaapClient::new(config(&gateway, &redis.url(), &warnings)).unwrap();
    let second = runtime.block_on(asynchronous.access_token()).unwrap();
    assert_eq!((second.secret(), gateway.stats().token_requests), (first.secret(), 1));
    assert_eq!(format!("{asynchronous:?}").matches("token_store: Some(\"redis\")").count(), 1);
}

#[test]
fn with_redis_stopped_each_client_fetches_its_own_token_with_one_warning() {
    let mut redis = RedisServer::start();
    let gateway = gateway(3600);
    let warnings = Warnings::default();
    let clients = clients(&gateway, &redis.url(), &warnings, 4);
    redis.stop();
    let tokens = tokens_at_once(&clients);
    assert_eq!(gateway.stats().token_requests, 4);
    for client in &clients {
        client.refresh_access_token().unwrap();
    }
    assert_eq!(gateway.stats().token_requests, 8);
    let warnings = warnings.lock().unwrap();
    assert_eq!(warnings.len(), 4, "one per client, not one per refresh: {warnings:?}");
    assert!(warnings.iter().all(|warning| warning.starts_with("the shared token store (redis) failed: ")));
    assert_eq!(tokens.len(), 4);
}

#[test]
fn a_password_in_the_store_url_never_shows() {
    let redis = RedisServer::start();
    let gateway = gateway(3600);
    let warnings = Warnings::default();
    // This Redis has no password, so AUTH fails: the client must carry on without the store.
    let url = redis.url().replace("redis://", "redis://:hunter2-pw@");
    let config = config(&gateway, &url, &warnings);
    assert!(!format!("{config:?}").contains("hunter2"));
    let client = TaapClient::new(config).unwrap();
    client.access_token().unwrap();
    assert!(!format!("{client:?}").contains("hunter2"));
    let warnings = warnings.lock().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(!warnings[0].contains("hunter2"), "{}", warnings[0]);
}
