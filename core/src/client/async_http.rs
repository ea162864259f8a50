//! One HTTP exchange over hyper on tokio (rustls on AWS-LC), with the same error mapping and
//! limits as the blocking transport.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{HeaderValue, USER_AGENT};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::config::Timeouts;
use super::http::{self, Failure, FailurePhase, Outgoing, Response};
use crate::error::{Error, Result};

/// The pooled hyper client the async client sends through.
pub(crate) type HyperClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The hyper client with taap's settings: http and https (webpki roots), the connect timeout,
/// no redirects (hyper never follows them; a redirect would break the PoP binding to the URL).
pub(crate) fn client(timeouts: &Timeouts) -> Result<HyperClient> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| Error::Config(format!("TLS cannot be set up ({error})")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut connector = HttpConnector::new();
    connector.enforce_http(false);
    connector.set_connect_timeout(Some(timeouts.connect));
    let https = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

/// Sends one request and reads the whole answer (at most `max_body` bytes of body) within
/// `deadline`.
pub(crate) async fn exchange(
    client: &HyperClient,
    outgoing: &Outgoing<'_>,
    max_body: u64,
    deadline: Duration,
) -> std::result::Result<Response, Failure> {
    let request =
        http::build_request(outgoing).map_err(|error| Failure { error, phase: FailurePhase::Permanent })?;
    let mut request = request.map(|body| Full::new(Bytes::from(body)));
    let agent = format!("taap/{}", crate::VERSION);
    if let Ok(agent) = HeaderValue::from_str(&agent) {
        request.headers_mut().entry(USER_AGENT).or_insert(agent);
    }
    match tokio::time::timeout(deadline, run(client, request, outgoing, max_body)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(http::failure(outgoing, FailurePhase::AfterSending, "timed out (global)")),
    }
}

async fn run(
    client: &HyperClient,
    request: hyper::Request<Full<Bytes>>,
    outgoing: &Outgoing<'_>,
    max_body: u64,
) -> std::result::Result<Response, Failure> {
    let response = client.request(request).await.map_err(|error| {
        let phase = if error.is_connect() { FailurePhase::BeforeSending } else { FailurePhase::AfterSending };
        http::failure(outgoing, phase, &reason(&error))
    })?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect();
    let limit = usize::try_from(max_body).unwrap_or(usize::MAX);
    let body = Limited::new(response.into_body(), limit).collect().await.map_err(|error| {
        if error.is::<http_body_util::LengthLimitError>() {
            http::failure(outgoing, FailurePhase::Permanent, &http::body_too_large(max_body))
        } else {
            http::failure(outgoing, FailurePhase::AfterSending, &format!("the answer broke off ({error})"))
        }
    })?;
    Ok(Response { status, headers, body: body.to_bytes().to_vec() })
}

/// The innermost I/O error's kind when there is one (as the blocking transport reports it),
/// else the error's own words.
fn reason(error: &hyper_util::client::legacy::Error) -> String {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return format!("{}", io.kind());
        }
        source = cause.source();
    }
    if error.is_connect() {
        "the connection failed".into()
    } else {
        error.to_string()
    }
}
