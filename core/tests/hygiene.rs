//! Secret hygiene: every error kind, triggered with a private key, a password, a client secret
//! and an access token of known values in play, says what went wrong without any of them (nor
//! a base64 line of the key) in its `Display` or `Debug` output; `Debug` of keys, clients,
//! configurations and access tokens hides them too. OAuth and Transport use a scripted server
//! on 127.0.0.1 and a closed port (only with the `client` feature, which they need).

use taap::{
    token::BuildOptions, validate::ValidatorOptions, ErrorKind, PopToken, PopTokenValidator, PrivateKey,
    PublicKey,
};

const PASSWORD: &str = "hygiene-password-7f3a9c1e";
const CLIENT_SECRET: &str = "hygiene-client-secret-4b8d2e6f";
const ACCESS_TOKEN: &str = "hygiene-access-token-9c7e5a3b1d";
const IAT: i64 = 1_767_225_600;

fn keys_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys")
}

fn key_pem() -> String {
    std::fs::read_to_string(keys_dir().join("openssl/pkcs8-private.pem")).unwrap()
}

/// The secrets, plus a base64 line from the middle of the key (private exponent or primes).
fn secrets() -> Vec<String> {
    let pem = key_pem();
    let lines: Vec<&str> = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    vec![lines[lines.len() / 2].to_owned(), PASSWORD.into(), CLIENT_SECRET.into(), ACCESS_TOKEN.into()]
}

/// Asserts the error is of `kind` and neither its Display nor its Debug shows a secret.
fn assert_clean<T: std::fmt::Debug>(result: taap::Result<T>, kind: ErrorKind, what: &str) -> ErrorKind {
    let error = result.expect_err(what);
    assert_eq!(error.kind(), kind, "{what}: {error}");
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.is_empty());
        for secret in secrets() {
            assert!(!shown.contains(&secret), "{what}: {shown:?} shows a secret");
        }
    }
    kind
}

fn assert_debug_clean(value: &impl std::fmt::Debug, what: &str) {
    let shown = format!("{value:?} {value:#?}");
    for secret in secrets() {
        assert!(!shown.contains(&secret), "{what}: Debug shows a secret: {shown}");
    }
}

fn signed_values(bearer: &str) -> Vec<(&'static str, String)> {
    vec![("Authorization", bearer.to_owned()), ("uri", "/orders".into()), ("http-method", "GET".into())]
}

fn token(key: &PrivateKey, ttl: i64) -> String {
    let values = signed_values(&format!("Bearer {ACCESS_TOKEN}"));
    PopToken::build_with(key, values, &BuildOptions::default().issued_at(IAT).ttl_secs(ttl)).unwrap()
}

#[test]
fn every_error_kind_keeps_the_secrets_out_of_its_message() {
    let pem = key_pem();
    let key = PrivateKey::from_pem(&pem, None).unwrap();
    let other = PrivateKey::from_file(keys_dir().join("tmobile/readme-private-pkcs8.pem"), None).unwrap();
    let mut seen = Vec::new();

    let middle = &secrets()[0];
    let cut = format!(
        "{}-----END PRIVATE KEY-----\n",
        &pem[..pem.find(middle.as_str()).unwrap() + middle.len() + 1]
    );
    seen.push(assert_clean(PrivateKey::from_pem(&cut, None), ErrorKind::InvalidKey, "a cut key"));
    assert_clean(PublicKey::from_pem(&pem), ErrorKind::InvalidKey, "a private key as a public key");
    let encrypted = std::fs::read(keys_dir().join("openssl/pbes2-aes256-private.pem")).unwrap();
    seen.push(assert_clean(
        PrivateKey::from_pem(&encrypted, Some(PASSWORD.as_bytes())),
        ErrorKind::KeyDecrypt,
        "a wrong password",
    ));

    let bearer = format!("Bearer {ACCESS_TOKEN}");
    seen.push(assert_clean(
        PopToken::build(&key, [("Authorization", bearer.as_str()), ("", ACCESS_TOKEN)]),
        ErrorKind::InvalidEhts,
        "a blank name",
    ));
    let url = format!("https://exa mple.com/x?access_token={ACCESS_TOKEN}");
    assert_clean(
        PopToken::for_request(&key, "GET", &url, [("Authorization", bearer.as_str())], b""),
        ErrorKind::InvalidEhts,
        "an unparsable URL with a token in its query",
    );
    seen.push(assert_clean(
        PopToken::build_with(
            &key,
            [("Authorization", bearer.as_str())],
            &BuildOptions::default().ttl_secs(-5),
        ),
        ErrorKind::Config,
        "a negative ttl",
    ));

    let good = token(&key, 120);
    let values = signed_values(&bearer);
    let validator = PopTokenValidator::default();
    let strict =
        PopTokenValidator::new(ValidatorOptions { required: vec!["X-Never".into()], ..Default::default() });
    seen.push(assert_clean(
        strict.unwrap().validate_at(&good, key.public_key(), values.as_slice(), IAT + 5),
        ErrorKind::InvalidToken,
        "a required name not signed",
    ));
    seen.push(assert_clean(
        validator.validate_at(&good, key.public_key(), values.as_slice(), IAT + 1000),
        ErrorKind::TokenExpired,
        "expired",
    ));
    seen.push(assert_clean(
        validator.validate_at(&token(&key, 3600), key.public_key(), values.as_slice(), IAT + 600),
        ErrorKind::TokenTooOld,
        "too old",
    ));
    seen.push(assert_clean(
        validator.validate_at(&good, other.public_key(), values.as_slice(), IAT + 5),
        ErrorKind::SignatureInvalid,
        "another key",
    ));
    let changed = signed_values(&format!("{bearer}X"));
    seen.push(assert_clean(
        validator.validate_at(&good, key.public_key(), changed.as_slice(), IAT + 5),
        ErrorKind::EdtsMismatch,
        "a changed value",
    ));
    seen.push(assert_clean(
        validator.validate_at(&good, key.public_key(), &values[1..], IAT + 5),
        ErrorKind::MissingEhtsValue,
        "a missing value",
    ));
    let replaying =
        PopTokenValidator::new(ValidatorOptions { replay_cache: Some(8), ..Default::default() }).unwrap();
    replaying.validate_at(&good, key.public_key(), values.as_slice(), IAT + 5).unwrap();
    seen.push(assert_clean(
        replaying.validate_at(&good, key.public_key(), values.as_slice(), IAT + 5),
        ErrorKind::Replay,
        "a replay",
    ));

    #[cfg(feature = "client")]
    seen.extend(client_side::error_kinds());

    seen.sort();
    let client_only = [ErrorKind::OAuth, ErrorKind::Transport, ErrorKind::KeySourceUnavailable];
    let expected: Vec<ErrorKind> = ErrorKind::ALL
        .iter()
        .copied()
        .filter(|kind| cfg!(feature = "client") || !client_only.contains(kind))
        .collect();
    assert_eq!(seen, expected, "every kind was triggered");
}

#[test]
fn debug_output_of_keys_and_access_tokens_hides_them() {
    let key = PrivateKey::from_pem(key_pem(), None).unwrap();
    assert_debug_clean(&key, "PrivateKey");
    assert_debug_clean(key.public_key(), "PublicKey");
    #[cfg(feature = "client")]
    client_side::debug_output_hides_secrets();
}

/// The OAuth and Transport kinds and the client's `Debug`, which need the HTTP client.
#[cfg(feature = "client")]
mod client_side {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::Arc;
    use std::time::Duration;

    use taap::{
        client::ClientConfig, client::OAuthServer, client::RetryPolicy, client::Timeouts, ErrorKind,
        PrivateKey, TaapClient,
    };

    use super::{assert_clean, assert_debug_clean, key_pem, ACCESS_TOKEN, CLIENT_SECRET};

    /// Answers one connection with `response` after reading the request head and body.
    fn scripted_server(response: String) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            reader.into_inner().write_all(response.as_bytes()).unwrap();
        });
        format!("http://{address}")
    }

    fn json_answer(status: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    fn client(server: OAuthServer) -> taap::Result<TaapClient> {
        let key = Arc::new(PrivateKey::from_pem(key_pem(), None).unwrap());
        let mut config = ClientConfig::new("hygiene-id", CLIENT_SECRET, key, server);
        config.retry = RetryPolicy {
            max_retries: 0,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        };
        config.timeouts = Timeouts { connect: Duration::from_secs(2), request: Duration::from_secs(5) };
        assert_debug_clean(&config, "ClientConfig");
        TaapClient::new(config)
    }

    /// Triggers OAuth, Transport, KeySourceUnavailable and the client's Config error; returns the
    /// kinds seen.
    pub(super) fn error_kinds() -> Vec<ErrorKind> {
        let mut kinds = Vec::new();
        let refusing = scripted_server(json_answer(
            "401 Unauthorized",
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
        ));
        let refused = client(OAuthServer::Url(format!("{refusing}/oauth2/v6/tokens"))).unwrap();
        assert_debug_clean(&refused, "TaapClient");
        kinds.push(assert_clean(refused.access_token(), ErrorKind::OAuth, "the server refuses the secret"));
        let closed = client(OAuthServer::Url("http://127.0.0.1:9/oauth2/v2/tokens".into())).unwrap();
        kinds.push(assert_clean(closed.access_token(), ErrorKind::Transport, "a closed port"));
        let jwks_url = format!("http://127.0.0.1:9/jwks?access_token={ACCESS_TOKEN}");
        let jwks = taap::validate::JwksUrl::new(&jwks_url, Default::default()).unwrap();
        assert_debug_clean(&jwks, "JwksUrl");
        kinds.push(assert_clean(jwks.keys_for(None), ErrorKind::KeySourceUnavailable, "a JWK set URL down"));
        assert_clean(
            client(OAuthServer::Url("https://h/oauth2/v9/tokens".into())),
            ErrorKind::Config,
            "no flavour",
        );
        kinds
    }

    /// `Debug` of a client secret, an access token and a client holding one.
    pub(super) fn debug_output_hides_secrets() {
        assert_debug_clean(&taap::client::ClientSecret::new(CLIENT_SECRET), "ClientSecret");
        let body = format!(
            "{{\"access_token\":\"{ACCESS_TOKEN}\",\"id_token\":\"{ACCESS_TOKEN}\",\"expires_in\":\"3599\",\"status\":\"success\"}}"
        );
        let server = scripted_server(json_answer("200 OK", &body));
        let client = client(OAuthServer::Url(format!("{server}/oauth2/v2/tokens"))).unwrap();
        let access = client.access_token().unwrap();
        assert_eq!(access.secret(), ACCESS_TOKEN, "the token itself is reachable on purpose");
        assert_debug_clean(&access, "AccessToken");
        assert_debug_clean(&client, "TaapClient with a cached token");
    }
}
