//! Protected sample resources (TAAP step 4): a valid Bearer token **and** a valid, unreplayed
//! PoP token bound to this exact request, signed by the key the token was issued for.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::pop::{self, RequestValues};
use super::reply::Refusal;
use super::state::{Event, GatewayState};
use super::tokens::AccessClaims;

/// `GET /iot-connectivity/v1/devices/{iccid}`: the Connectivity example of T-Mobile's docs.
pub async fn device(
    State(state): State<Arc<GatewayState>>,
    Path(iccid): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Response {
    answer(&state, &parts, &body, "iot-connectivity", |_| device_record(&iccid))
}

/// `POST /commerce/v1/orders`: the orders example of T-Mobile's docs; echoes the order.
pub async fn orders(State(state): State<Arc<GatewayState>>, parts: Parts, body: Bytes) -> Response {
    answer(&state, &parts, &body, "commerce", |claims| {
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

/// Authorises the request, then answers with `handler`'s JSON; records the outcome.
fn answer(
    state: &GatewayState,
    parts: &Parts,
    body: &[u8],
    scope: &str,
    handler: impl FnOnce(&AccessClaims) -> Result<(StatusCode, Value), Refusal>,
) -> Response {
    let outcome = authorize(state, parts, body, scope).and_then(|(claims, pop)| Ok((handler(&claims)?, pop)));
    state.count_api_request(outcome.is_ok());
    let route = format!("{} {}", parts.method, parts.uri.path());
    match outcome {
        Ok(((status, value), pop)) => {
            state.record(Event { route, status: status.as_u16(), pop: Some(pop) });
            (status, [(header::CACHE_CONTROL, "no-store")], Json(value)).into_response()
        }
        Err(refusal) => {
            state.record(Event { route, status: refusal.status.as_u16(), pop: None });
            refusal.into_response()
        }
    }
}

fn authorize(
    state: &GatewayState,
    parts: &Parts,
    body: &[u8],
    scope: &str,
) -> Result<(AccessClaims, taap::PopToken), Refusal> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| Refusal::invalid_token("Authorization: Bearer <access token> is missing"))?;
    let claims = state
        .signer
        .verify(bearer.trim())
        .ok_or_else(|| Refusal::invalid_token("the access token was not issued by this gateway"))?;
    if claims.exp <= state.now() {
        return Err(Refusal::invalid_token("the access token has expired; get a new one"));
    }
    if claims.generation != state.generation() {
        return Err(Refusal::invalid_token("the access token was revoked; get a new one"));
    }
    let client = state
        .client(&claims.sub)
        .filter(|client| client.public_key.thumbprint() == claims.cnf.jkt)
        .ok_or_else(|| Refusal::invalid_token("the access token's client is no longer registered"))?;
    let values = RequestValues::new(parts, body)?;
    let pop = pop::check(&state.validator, &client.public_key, &values, state.now(), "Bearer")?;
    if !claims.scope.split(' ').any(|granted| granted == scope) {
        return Err(Refusal::insufficient_scope(format!(
            "the access token's scope does not include {scope}"
        )));
    }
    Ok((claims, pop))
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
