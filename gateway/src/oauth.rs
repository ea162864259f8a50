//! `POST /oauth2/v2/tokens` and `/oauth2/v6/tokens`: TAAP step 2, as T-Mobile's server does it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;
use taap::client::TokenFlavor;
use taap::validate::request_kid;
use taap_tower::{pop, Refusal};
use zeroize::Zeroizing;

use super::config::RegisteredClient;
use super::state::{Event, GatewayState};
use super::tokens::{AccessClaims, Confirmation, ISSUER};

/// Handles a token request of the given flavour.
pub async fn token(
    State(state): State<Arc<GatewayState>>,
    parts: Parts,
    body: Bytes,
    flavor: TokenFlavor,
) -> Response {
    state.count_token_request();
    let outcome = issue(&state, &parts, &body, flavor).await;
    if let Some(metrics) = &state.metrics {
        metrics.count_token_request(outcome.is_ok());
    }
    let (status, pop) = match &outcome {
        Ok((_, pop)) => (StatusCode::OK, Some(pop.clone())),
        Err(refusal) => (refusal.status, None),
    };
    state.record(Event { route: format!("POST {}", parts.uri.path()), status: status.as_u16(), pop });
    match outcome {
        Ok((answer, _)) => {
            (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response()
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// The token answer, after the client's credentials and its PoP token (checked with the keys
/// its source has for the token's `kid`; 503 when that source is down).
async fn issue(
    state: &GatewayState,
    parts: &Parts,
    body: &[u8],
    flavor: TokenFlavor,
) -> Result<(Value, taap::PopToken), Refusal> {
    require_json_content_type(parts)?;
    let client = authenticate(state, parts)?;
    let request = pop::received(parts, body, taap::request::UriForm::Decoded)?;
    let keys = pop::source_keys(&client.public_key, request_kid(&request).as_deref()).await?;
    let (pop, key) = pop::check_any(&state.validator, &keys, &request, state.now(), "Basic")?;
    match flavor {
        TokenFlavor::V2 if !body.is_empty() => {
            return Err(Refusal::bad_request("/oauth2/v2/tokens takes an empty body"));
        }
        TokenFlavor::V2 => {}
        TokenFlavor::V6 => check_v6_body(client, body)?,
    }
    state.count_token_issued();
    Ok((token_answer(state, client, &key), pop))
}

fn require_json_content_type(parts: &Parts) -> Result<(), Refusal> {
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
    match content_type {
        Some(value) if value.trim().to_ascii_lowercase().starts_with("application/json") => Ok(()),
        _ => Err(Refusal::bad_request("Content-Type must be application/json")),
    }
}

/// The client named by `Authorization: Basic`, if its secret matches.
fn authenticate<'a>(state: &'a GatewayState, parts: &Parts) -> Result<&'a RegisteredClient, Refusal> {
    let encoded = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| taap::request::authorization_credentials(value, "Basic"))
        .ok_or_else(|| {
            Refusal::invalid_client("Authorization: Basic <base64(client_id:client_secret)> is missing")
        })?;
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(Zeroizing::new)
        .ok_or_else(|| {
            Refusal::invalid_client("the Basic credentials are not base64 of client_id:client_secret")
        })?;
    let (id, secret) = decoded.split_once(':').ok_or_else(|| {
        Refusal::invalid_client("the Basic credentials are not base64 of client_id:client_secret")
    })?;
    let client = state.client(id).ok_or_else(|| Refusal::invalid_client("unknown client or wrong secret"))?;
    if !secrets_equal(secret, client.secret.expose()) {
        return Err(Refusal::invalid_client("unknown client or wrong secret"));
    }
    Ok(client)
}

fn secrets_equal(given: &str, expected: &str) -> bool {
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// The v6 body: JSON with the same credentials, `grant-type: client_credentials` and a scope.
fn check_v6_body(client: &RegisteredClient, body: &[u8]) -> Result<(), Refusal> {
    let value: Zeroizing<Vec<u8>> = Zeroizing::new(body.to_vec());
    let parsed: Value = serde_json::from_slice(&value)
        .map_err(|_| Refusal::bad_request("the v6 body must be a JSON object"))?;
    let field = |name: &str| parsed.get(name).and_then(Value::as_str);
    let (Some(id), Some(secret)) = (field("client_id"), field("client_secret")) else {
        return Err(Refusal::bad_request("the v6 body needs client_id and client_secret"));
    };
    if id != client.id || !secrets_equal(secret, client.secret.expose()) {
        return Err(Refusal::invalid_client("the body's credentials differ from the Basic credentials"));
    }
    match field("grant-type") {
        Some("client_credentials") => {}
        Some(_) => {
            return Err(Refusal {
                error: "unsupported_grant_type",
                ..Refusal::bad_request("only grant-type client_credentials is supported")
            })
        }
        None => return Err(Refusal::bad_request("the v6 body needs \"grant-type\": \"client_credentials\"")),
    }
    if field("scope").is_none() {
        return Err(Refusal::bad_request("the v6 body needs a scope (\"response_mode\")"));
    }
    Ok(())
}

/// The JSON answer of T-Mobile's token endpoint: `expires_in` is a string there.
fn token_answer(state: &GatewayState, client: &RegisteredClient, key: &taap::PublicKey) -> Value {
    let now = state.now();
    let ttl = state.config.token_ttl_secs;
    let claims = AccessClaims {
        iss: ISSUER.into(),
        sub: client.id.clone(),
        aud: client.id.clone(),
        iat: now,
        exp: now + ttl as i64,
        jti: uuid::Uuid::new_v4().to_string(),
        scope: client.scope.clone(),
        cnf: Confirmation { jkt: key.thumbprint() },
        generation: state.generation(),
    };
    let id_claims =
        AccessClaims { jti: uuid::Uuid::new_v4().to_string(), scope: "openid".into(), ..claims.clone() };
    json!({
        "access_token": state.signer.sign(&claims),
        "id_token": state.signer.sign(&id_claims),
        "token_type": "Bearer",
        "expires_in": ttl.to_string(),
        "scope": client.scope,
        "status": "success",
    })
}
