//! Fault injection and the gateway's `Date` header, as one middleware in front of every route.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use taap_tower::Refusal;

use super::state::GatewayState;

/// Path prefix of the gateway's own endpoints, which faults never touch.
pub const ADMIN_PREFIX: &str = "/_taap/";

/// Applies the configured faults, then stamps `Date` from the gateway's (maybe skewed) clock.
pub async fn inject(State(state): State<Arc<GatewayState>>, request: Request, next: Next) -> Response {
    // The body is not Sync, so only the path is held across the fault delay.
    let path = request.uri().path().to_owned();
    let mut response = match injected(&state, &path).await {
        Some(response) => response,
        None => next.run(request).await,
    };
    if let Ok(date) = HeaderValue::from_str(&httpdate::fmt_http_date(state.system_time())) {
        response.headers_mut().insert(header::DATE, date);
    }
    response
}

async fn injected(state: &GatewayState, path: &str) -> Option<Response> {
    let faults = &state.config.faults;
    let applies = !path.starts_with(ADMIN_PREFIX)
        && faults.path_prefix.iter().all(|prefix| path.starts_with(prefix.as_str()));
    if !applies {
        return None;
    }
    if !faults.delay().is_zero() {
        tokio::time::sleep(faults.delay()).await;
    }
    if state.next_fault_number() < faults.fail_first {
        state.count_injected_fault();
        let status = StatusCode::from_u16(faults.fail_status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let mut response = injected_refusal(status).into_response();
        if let Some(seconds) = faults.retry_after_secs {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        return Some(response);
    }
    if faults.garble_tokens && path.ends_with("/tokens") {
        state.count_injected_fault();
        let garbled = [(header::CONTENT_TYPE, "application/json")];
        return Some((StatusCode::OK, garbled, "{\"access_token\": \"unterminated").into_response());
    }
    None
}

/// The answer of an injected failure: a 429 as a rate limit, anything else as a server error.
fn injected_refusal(status: StatusCode) -> Refusal {
    let error = if status == StatusCode::TOO_MANY_REQUESTS { "rate_limited" } else { "server_error" };
    Refusal {
        status,
        error,
        description: format!("injected fault: HTTP {}", status.as_u16()),
        challenge: None,
        kind: None,
    }
}
