//! A deadline on reading the request body: hyper's header deadline ends slow-loris clients,
//! but a client that sends its headers at once and then trickles the body would otherwise hold
//! its connection until the whole-request timeout.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use taap_tower::Refusal;

/// Longest a client may take to send its whole body (at most 1 MiB, or the largest route's
/// `max_body`) once its headers are in.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the body within [`BODY_READ_TIMEOUT`] before the route runs; answers 408 and closes
/// the connection when the client is too slow, 413/400 when the body is too large or broken.
pub async fn read_body_in_time(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // The body limit travels in the extensions; the body alone must still see it.
    let mut body_only = Request::new(body);
    *body_only.extensions_mut() = parts.extensions.clone();
    match tokio::time::timeout(BODY_READ_TIMEOUT, Bytes::from_request(body_only, &())).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(rejection)) => rejection.into_response(),
        Err(_) => {
            let mut response = Refusal::request_timeout(format!(
                "the request body did not arrive within {} s",
                BODY_READ_TIMEOUT.as_secs()
            ))
            .into_response();
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}
