//! Protected sample resources (TAAP step 4): a valid Bearer token **and** a valid, unreplayed
//! PoP token bound to this exact request, signed by the key the token was issued for.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use taap::validate::{KeySet, KeySource};
use taap::PopToken;
use taap_tower::{PopLayer, Refusal, ReplayStore};

use super::routes::{Guard, Policy};
use super::state::{Event, GatewayState};
use super::tokens::AccessClaims;

/// The protected routes, each request behind the [`PopLayer`] of its `[[route]]` policy (or
/// the defaults: `max_body_bytes`): an access token this gateway issued, then a PoP token
/// signed by the key it was issued for; every answer is counted and logged.
pub fn routes(state: &Arc<GatewayState>, max_body_bytes: usize) -> Router<Arc<GatewayState>> {
    let default = Policy { validator: state.validator.clone(), max_body_bytes };
    let guard = Guard::new(&state.config.routes, default, state.replay_store.clone(), |policy, store| {
        pop_layer(state, policy, store)
    });
    Router::new()
        .route("/iot-connectivity/v1/devices/{iccid}", get(device))
        .route("/commerce/v1/orders", post(orders))
        .route_layer(axum::middleware::from_fn_with_state(Arc::new(guard), super::routes::guard))
        .route_layer(axum::middleware::from_fn_with_state(Arc::clone(state), record))
}

fn pop_layer(state: &Arc<GatewayState>, policy: Policy, store: Option<Arc<dyn ReplayStore>>) -> PopLayer {
    let for_keys = Arc::clone(state);
    let for_bearer = Arc::clone(state);
    let for_clock = Arc::clone(state);
    let layer = PopLayer::with_key_source_lookup(move |parts| client_key(&for_keys, parts))
        .validator(policy.validator)
        .bearer(move |token| access_claims(&for_bearer, token))
        .clock(move || for_clock.now())
        .max_body_bytes(policy.max_body_bytes);
    let layer = match &state.metrics {
        Some(metrics) => layer.metrics(metrics.pop.clone()),
        None => layer,
    };
    match store {
        Some(store) => layer.replay_store(store),
        None => layer,
    }
}

/// The claims of an access token this gateway issued, still valid and not revoked.
fn access_claims(state: &GatewayState, token: &str) -> Result<AccessClaims, Refusal> {
    let claims = state
        .signer
        .verify(token)
        .ok_or_else(|| Refusal::invalid_token("the access token was not issued by this gateway"))?;
    if claims.exp <= state.now() {
        return Err(Refusal::invalid_token("the access token has expired; get a new one"));
    }
    if claims.generation != state.generation() {
        return Err(Refusal::invalid_token("the access token was revoked; get a new one"));
    }
    Ok(claims)
}

/// The key the request's access token was issued for (RFC 7800 `cnf`), with its validity
/// window, while its client still has it; 503 when the client's key source is down.
fn client_key(state: &GatewayState, parts: &Parts) -> Result<KeySource, Refusal> {
    let claims = parts
        .extensions
        .get::<AccessClaims>()
        .ok_or_else(|| Refusal::invalid_token("Authorization: Bearer <access token> is missing"))?;
    let gone = || Refusal::invalid_token("the access token's client is no longer registered");
    let client = state.client(&claims.sub).ok_or_else(gone)?;
    let keys = keys_now(&client.public_key).map_err(|error| Refusal::key_source_unavailable(&error))?;
    keys.with_thumbprint(&claims.cnf.jkt).map(KeySource::from).ok_or_else(gone)
}

/// The client's keys, from memory when its source can answer; a source that must fetch first
/// (a JWK set URL with nothing usable cached) is asked with this worker's other tasks handed
/// to the runtime's other workers meanwhile.
fn keys_now(source: &KeySource) -> taap::Result<Arc<KeySet>> {
    if let Some(keys) = source.try_keys_for(None) {
        return keys;
    }
    let flavor = tokio::runtime::Handle::try_current().map(|runtime| runtime.runtime_flavor());
    match flavor {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(|| source.current()),
        _ => source.current(),
    }
}

/// Counts and logs each answer of a protected route, with the PoP token it accepted.
async fn record(State(state): State<Arc<GatewayState>>, request: Request, next: Next) -> Response {
    let route = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    let accepted = response.status().is_success();
    state.count_api_request(accepted);
    let pop = accepted.then(|| response.extensions().get::<PopToken>().cloned()).flatten();
    state.record(Event { route, status: response.status().as_u16(), pop });
    response
}

/// `GET /iot-connectivity/v1/devices/{iccid}`: the Connectivity example of T-Mobile's docs.
async fn device(
    Path(iccid): Path<String>,
    Extension(claims): Extension<AccessClaims>,
    Extension(pop): Extension<PopToken>,
) -> Response {
    answer(&claims, pop, "iot-connectivity", |_| device_record(&iccid))
}

/// `POST /commerce/v1/orders`: the orders example of T-Mobile's docs; echoes the order.
async fn orders(
    Extension(claims): Extension<AccessClaims>,
    Extension(pop): Extension<PopToken>,
    body: Bytes,
) -> Response {
    answer(&claims, pop, "commerce", |claims| {
        let order: Value = serde_json::from_slice(&body)
            .map_err(|_| Refusal::bad_request("the order must be a JSON object"))?;
        if !order.is_object() {
            return Err(Refusal::bad_request("the order must be a JSON object"));
        }
        let id = uuid::Uuid::new_v4().to_string();
        Ok((
            StatusCode::CREATED,
            json!({ "orderId": id, "status": "RECEIVED", "client": claims.sub, "order": order }),
        ))
    })
}

/// Checks the access token's scope, then answers with `handler`'s JSON; the accepted PoP
/// token travels in the response's extensions to [`record`].
fn answer(
    claims: &AccessClaims,
    pop: PopToken,
    scope: &str,
    handler: impl FnOnce(&AccessClaims) -> Result<(StatusCode, Value), Refusal>,
) -> Response {
    if !claims.scope.split(' ').any(|granted| granted == scope) {
        return Refusal::insufficient_scope(format!("the access token's scope does not include {scope}"))
            .into_response();
    }
    match handler(claims) {
        Ok((status, value)) => {
            let mut response = (status, [(header::CACHE_CONTROL, "no-store")], Json(value)).into_response();
            response.extensions_mut().insert(pop);
            response
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// A plausible device record; ICCIDs are 19-20 digits starting with 89 (telecom).
fn device_record(iccid: &str) -> Result<(StatusCode, Value), Refusal> {
    if !(18..=22).contains(&iccid.len()) || !iccid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::bad_request("an ICCID is 18 to 22 digits"));
    }
    if !iccid.starts_with("89") {
        return Err(Refusal::not_found("no device with this ICCID"));
    }
    Ok((
        StatusCode::OK,
        json!({
            "iccid": iccid,
            "status": "ACTIVATED",
            "ratePlan": "IoT Connect 1GB",
            "msisdn": format!("1555{}", &iccid[iccid.len() - 7..]),
            "dataUsage": { "periodBytes": 52_428_800, "unit": "bytes" },
        }),
    ))
}
