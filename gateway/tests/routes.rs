//! Per-route policy (`[[route]]` in the config file) through a running gateway: a route's
//! required names, maximum age and body limit, which route wins, one replay store across
//! routes, and the one-line error each bad entry gets at load.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};
use taap::client::{ClientConfig, OAuthServer};
use taap::token::BuildOptions;
use taap::{PopToken, PrivateKey, TaapClient};
use taap_gateway::{Gateway, GatewayConfig};

const CLIENT_ID: &str = "routes-client";
const SECRET: &str = "routes-secret-9d2a";
const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const ORDERS: &str = "/commerce/v1/orders";

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile")
}

fn private_key() -> &'static Arc<PrivateKey> {
    static KEY: OnceLock<Arc<PrivateKey>> = OnceLock::new();
    KEY.get_or_init(|| {
        Arc::new(PrivateKey::from_file(keys_dir().join("readme-private-pkcs8.pem"), None).unwrap())
    })
}

/// A config file in a directory of its own: one client, a fixed token key (no key generation
/// per test), then `routes` (TOML text).
fn config_file(routes: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let number = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("taap-routes-{}-{number}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let keys = keys_dir();
    let text = format!(
        "token_signing_key = {:?}\n\n[[client]]\nid = \"{CLIENT_ID}\"\nsecret = \"{SECRET}\"\npublic_key = {:?}\n\n{routes}",
        keys.join("dotnet-private-pkcs8.pem"),
        keys.join("readme-public.pem"),
    );
    let path = dir.join("gateway.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A config file with `routes`, loaded (and removed: nothing in it is read later), and its path.
fn load(routes: &str) -> (taap::Result<GatewayConfig>, PathBuf) {
    let path = config_file(routes);
    let loaded = GatewayConfig::from_toml_file(&path);
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
    (loaded, path)
}

/// A gateway started from a config file with `routes`, and `Bearer <access token>` for it.
fn start(routes: &str) -> (Gateway, String) {
    let config = load(routes).0.unwrap();
    let gateway = Gateway::start(config, 0, false).unwrap();
    let token_url = format!("{}/oauth2/v2/tokens", gateway.url());
    let client = TaapClient::new(ClientConfig::new(
        CLIENT_ID,
        SECRET,
        Arc::clone(private_key()),
        OAuthServer::Url(token_url),
    ))
    .unwrap();
    let bearer = format!("Bearer {}", client.access_token().unwrap().secret());
    (gateway, bearer)
}

/// How a test token is made: whether it signs the body, its age, its `jti`.
#[derive(Default)]
struct Pop {
    signs_body: bool,
    age_secs: i64,
    jti: Option<&'static str>,
}

impl Pop {
    /// The token for `method path` with `body`, signing the gateway's names (and `body`).
    fn token(&self, bearer: &str, method: &str, path: &str, body: &[u8]) -> String {
        let mut pairs: Vec<(&str, &[u8])> = vec![
            ("Authorization", bearer.as_bytes()),
            ("uri", path.as_bytes()),
            ("http-method", method.as_bytes()),
        ];
        if self.signs_body {
            pairs.push(("body", body));
        }
        let mut options = BuildOptions::default().issued_at(taap::now_unix() - self.age_secs);
        if let Some(jti) = self.jti {
            options = options.jti(jti);
        }
        PopToken::build_with(private_key().as_ref(), pairs, &options).unwrap()
    }
}

/// Sends `method path` with `body`, the Bearer token and a PoP token made as `pop` says:
/// `(status, JSON body)`.
fn send(gateway: &Gateway, bearer: &str, pop: &Pop, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
    let token = pop.token(bearer, method, path, body);
    let mut stream = TcpStream::connect(gateway.url().trim_start_matches("http://")).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {bearer}\r\nX-Authorization: {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// `(status, error, kind, error_description)` of a refusal.
fn refusal(answer: (u16, Value)) -> (u16, Value, Value, Value) {
    let (status, body) = answer;
    (status, body["error"].clone(), body["kind"].clone(), body["error_description"].clone())
}

fn signs_body() -> Pop {
    Pop { signs_body: true, ..Pop::default() }
}

#[test]
fn a_route_requiring_the_body_refuses_a_token_that_does_not_sign_it() {
    let (gateway, bearer) = start("[[route]]\nprefix = \"/iot-connectivity\"\nrequired = [\"body\"]\n");
    assert_eq!(
        refusal(send(&gateway, &bearer, &Pop::default(), "GET", DEVICE, b"")),
        (
            401,
            json!("invalid_pop_token"),
            json!("InvalidToken"),
            json!("InvalidToken: invalid PoP token: it does not sign \"body\", which this gateway requires")
        )
    );
    let (status, body) = send(&gateway, &bearer, &signs_body(), "GET", DEVICE, b"");
    assert_eq!((status, &body["status"]), (200, &json!("ACTIVATED")));
}

#[test]
fn a_route_has_its_own_maximum_age() {
    let (gateway, bearer) = start("[[route]]\nprefix = \"/commerce\"\nmax_age = 5\nleeway = 0\n");
    let order = br#"{"sku":"A1"}"#;
    let stale = Pop { signs_body: true, age_secs: 30, ..Pop::default() };
    let (status, _, kind, description) = refusal(send(&gateway, &bearer, &stale, "POST", ORDERS, order));
    assert_eq!((status, kind), (401, json!("TokenTooOld")));
    let description = description.as_str().unwrap();
    assert!(description.ends_with("tokens older than 5 s (leeway 0 s) are refused"), "{description}");
    // Thirty seconds is young enough under the default 60 s.
    let stale_device = Pop { age_secs: 30, ..Pop::default() };
    assert_eq!(send(&gateway, &bearer, &stale_device, "GET", DEVICE, b"").0, 200);
    assert_eq!(send(&gateway, &bearer, &signs_body(), "POST", ORDERS, order).0, 201);
}

#[test]
fn a_route_has_its_own_body_limit() {
    let (gateway, bearer) = start("[[route]]\nprefix = \"/commerce/v1/orders\"\nmax_body = 16\n");
    let large = br#"{"sku":"A1","quantity":20}"#;
    assert_eq!(
        refusal(send(&gateway, &bearer, &signs_body(), "POST", ORDERS, large)),
        (413, json!("request_too_large"), Value::Null, json!("the body is larger than 16 bytes"))
    );
    assert_eq!(send(&gateway, &bearer, &signs_body(), "POST", ORDERS, br#"{"sku":"A1"}"#).0, 201);
}

#[test]
fn a_method_specific_route_beats_one_without_and_the_longest_prefix_wins() {
    let routes = |method: &str| {
        format!(
            "[[route]]\nprefix = \"/commerce\"\nmax_body = 8\n\n\
             [[route]]\nprefix = \"{ORDERS}\"\nmax_body = 16\n\n\
             [[route]]\nprefix = \"{ORDERS}\"\nmethod = \"{method}\"\nmax_body = 64\n"
        )
    };
    let forty = br#"{"sku":"A1","quantity":20,"note":"ok"}"#;
    let (post, bearer) = start(&routes("POST"));
    assert_eq!(send(&post, &bearer, &signs_body(), "POST", ORDERS, forty).0, 201);
    // A GET-only route does not cover a POST: the longest method-less prefix (16) applies, not 8.
    let (get_only, bearer) = start(&routes("GET"));
    assert_eq!(
        refusal(send(&get_only, &bearer, &signs_body(), "POST", ORDERS, forty)),
        (413, json!("request_too_large"), Value::Null, json!("the body is larger than 16 bytes"))
    );
    assert_eq!(send(&get_only, &bearer, &signs_body(), "POST", ORDERS, br#"{"sku":"A1"}"#).0, 201);
}

#[test]
fn a_jti_accepted_on_one_route_is_a_replay_on_another() {
    let (gateway, bearer) = start(
        "[[route]]\nprefix = \"/iot-connectivity\"\nmax_age = 30\n\n[[route]]\nprefix = \"/commerce\"\nmax_age = 120\n",
    );
    let once = Pop { signs_body: true, jti: Some("0f6b3c1e-6a55-4d8e-9a51-5d0c2f1b7e21"), ..Pop::default() };
    assert_eq!(send(&gateway, &bearer, &once, "GET", DEVICE, b"").0, 200);
    assert_eq!(
        refusal(send(&gateway, &bearer, &once, "POST", ORDERS, br#"{"sku":"A1"}"#)),
        (
            401,
            json!("invalid_pop_token"),
            json!("Replay"),
            json!(
                "Replay: replayed PoP token: this jti was already used; build a fresh token for every call"
            )
        )
    );
    // The default route (a path no route covers) shares the same store.
    let (no_route, bearer) = start("[[route]]\nprefix = \"/commerce\"\nmax_age = 120\n");
    let twice = Pop { signs_body: true, jti: Some("5b0e7d7a-3c1f-4f53-8a3b-1f8f6c0d9e44"), ..Pop::default() };
    assert_eq!(send(&no_route, &bearer, &twice, "GET", DEVICE, b"").0, 200);
    assert_eq!(refusal(send(&no_route, &bearer, &twice, "POST", ORDERS, b"{}")).2, json!("Replay"));
}

/// The error loading a config file whose routes are `routes`, and the file's path.
fn load_error(routes: &str) -> (taap::Error, PathBuf) {
    let (loaded, path) = load(routes);
    (loaded.unwrap_err(), path)
}

fn config_error(path: &Path, message: &str) -> taap::Error {
    taap::Error::Config(format!("{}: {message}", path.display()))
}

#[test]
fn each_bad_route_is_one_line_naming_the_file_the_route_and_the_key() {
    let first = "[[route]]\nprefix = \"/commerce\"\n\n[[route]]\n";
    let cases = [
        (
            "prefix = \"/orders\"\nmethod = \"POST\"\nmax_ag = 5\n",
            "route 2 (POST /orders): unknown key max_ag; a route takes prefix, method, required, max_age, leeway, max_body",
        ),
        (
            "prefix = \"/orders\"\nmethod = \"POST\"\nmax_age = 0\n",
            "route 2 (POST /orders): option max_age is 0; choose 1 to 3600 seconds",
        ),
        (
            "prefix = \"/orders\"\nleeway = \"10\"\n",
            "route 2 (/orders): option leeway must be a whole number of seconds, not a string",
        ),
        ("prefix = \"/orders\"\nleeway = 301\n", "route 2 (/orders): option leeway is 301; choose 0 to 300 seconds"),
        ("prefix = \"/orders\"\nmax_body = -1\n", "route 2 (/orders): option max_body is -1; choose at least 0 bytes"),
        (
            "prefix = \"/orders\"\nrequired = \"body\"\n",
            "route 2 (/orders): option required must be a list of strings, not a string",
        ),
        (
            "prefix = \"/orders\"\nrequired = [\"body;uri\"]\n",
            "route 2 (/orders): required names: invalid ehts: entry 0 (\"body;uri\") contains ';', which separates names in the ehts claim",
        ),
        (
            "prefix = \"orders\"\nmethod = \"POST\"\n",
            "route 2 (POST orders): prefix \"orders\" must be a path starting with \"/\" (visible ASCII, no query or fragment)",
        ),
        ("method = \"POST\"\n", "route 2: prefix is missing; give the path prefix the route covers, e.g. \"/commerce\""),
        ("prefix = 3\n", "route 2: prefix must be a string, not a TOML integer"),
        (
            "prefix = \"/orders\"\nmethod = \"post\"\n",
            "route 2 (post /orders): method \"post\" must be an HTTP method in capitals, e.g. POST",
        ),
        (
            "prefix = \"/commerce\"\n",
            "route 2 (/commerce): prefix and method are those of route 1 already",
        ),
    ];
    for (second, message) in cases {
        let (error, path) = load_error(&format!("{first}{second}"));
        assert_eq!(error, config_error(&path, message));
        assert!(!error.to_string().contains('\n'), "{error}");
    }
}

#[test]
fn a_method_makes_an_entry_distinct_but_not_twice() {
    let post = "[[route]]\nprefix = \"/orders\"\nmethod = \"POST\"\n";
    let (config, _) = load(&format!("{post}\n[[route]]\nprefix = \"/orders\"\n"));
    let routes = config.unwrap().routes;
    let methods: Vec<_> = routes.iter().map(|route| route.method.as_deref()).collect();
    assert_eq!(methods, [Some("POST"), None]);
    let (error, path) = load_error(&format!("[[route]]\nprefix = \"/a\"\n\n{post}\n{post}"));
    assert_eq!(
        error,
        config_error(&path, "route 3 (POST /orders): prefix and method are those of route 2 already")
    );
}

/// docs/operations.md's `[[route]]` example, as written there, loads and matches as it says.
#[test]
fn the_documented_routes_load_as_documented() {
    let docs =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/operations.md"))
            .unwrap();
    let section = &docs[docs.find("## Per-route policy").expect("the section")..];
    let block = section.split("```toml\n").nth(1).and_then(|rest| rest.split("```").next()).unwrap();
    let (config, _) = load(block);
    let routes = config.unwrap().routes;
    let post = routes.matching("POST", "/commerce/v1/orders/7").unwrap();
    assert_eq!((post.max_age_secs, post.max_body_bytes), (Some(30), Some(65536)));
    assert_eq!(post.required, ["body", "Content-Type"]);
    assert_eq!(routes.matching("GET", "/commerce/v1/orders"), None);
    assert_eq!(routes.matching("GET", DEVICE).unwrap().max_age_secs, Some(120));
}
