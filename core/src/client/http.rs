//! One HTTP exchange over ureq (rustls on AWS-LC), with errors mapped to taap's kinds.

use std::sync::Arc;
use std::time::SystemTime;

use ureq::http::{self, HeaderName, HeaderValue};
use ureq::tls::{TlsConfig, TlsProvider};
use ureq::Agent;
use url::Url;

use super::config::Timeouts;
use crate::error::{Error, Result};

/// An HTTP response: status, headers (names lower-case, in arrival order) and body.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The headers, names lower-case, values as sent (non-UTF-8 bytes replaced).
    pub headers: Vec<(String, String)>,
    /// The body, read in full (bounded by `max_response_bytes`).
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, non-UTF-8 bytes replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The server's clock, from the `Date` header.
    pub(crate) fn date(&self) -> Option<SystemTime> {
        self.header("date").and_then(|date| httpdate::parse_http_date(date.trim()).ok())
    }
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Bodies and headers can hold tokens; show their size only.
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers.len())
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// A request about to be sent; header values may be secrets and are never logged.
pub(crate) struct Outgoing<'a> {
    pub(crate) method: &'a str,
    pub(crate) url: &'a Url,
    pub(crate) headers: &'a [(String, zeroize::Zeroizing<String>)],
    pub(crate) body: &'a [u8],
}

/// Whether a failed exchange may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailurePhase {
    /// Nothing was sent: always safe to retry.
    BeforeSending,
    /// The request may have been processed: retry only idempotent requests.
    AfterSending,
    /// Trying again would fail the same way (e.g. the answer is over the size limit).
    Permanent,
}

/// A transport failure, with what a retry decision needs.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) phase: FailurePhase,
}

/// The ureq agent with taap's settings: no redirects (a redirect would break the PoP
/// binding to the URL), statuses returned rather than raised, AWS-LC as the TLS provider.
pub(crate) fn agent(timeouts: &Timeouts) -> Agent {
    let crypto = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls =
        TlsConfig::builder().provider(TlsProvider::Rustls).unversioned_rustls_crypto_provider(crypto).build();
    Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_connect(Some(timeouts.connect))
        .timeout_global(Some(timeouts.request))
        .user_agent(format!("taap/{}", crate::VERSION))
        .build()
        .new_agent()
}

/// Sends one request and reads the whole answer, at most `max_body` bytes of body.
pub(crate) fn exchange(agent: &Agent, outgoing: &Outgoing<'_>, max_body: u64) -> Result<Response, Failure> {
    let request =
        build_request(outgoing).map_err(|error| Failure { error, phase: FailurePhase::Permanent })?;
    let mut response = agent.run(request).map_err(|error| transport_failure(outgoing, error))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(max_body)
        .read_to_vec()
        .map_err(|error| transport_failure(outgoing, error))?;
    Ok(Response { status, headers, body })
}

/// The request as an `http` crate value (what ureq and hyper both send); header values are
/// never echoed in errors.
pub(crate) fn build_request(outgoing: &Outgoing<'_>) -> Result<http::Request<Vec<u8>>> {
    let method = http::Method::from_bytes(outgoing.method.as_bytes())
        .map_err(|_| Error::Config("the request method is not an HTTP method".into()))?;
    let mut builder = http::Request::builder().method(method).uri(outgoing.url.as_str());
    for (name, value) in outgoing.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("{:?} is not a valid HTTP header name", shorten(name))))?;
        // The value is not echoed: it may be a credential.
        let value = HeaderValue::from_str(value)
            .map_err(|_| Error::Config(format!("the value of header {name} is not a valid header value")))?;
        builder = builder.header(name, value);
    }
    builder
        .body(outgoing.body.to_vec())
        .map_err(|_| Error::Config("the request could not be built from its URL and headers".into()))
}

fn transport_failure(outgoing: &Outgoing<'_>, error: ureq::Error) -> Failure {
    let phase = match &error {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => FailurePhase::BeforeSending,
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => FailurePhase::BeforeSending,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            FailurePhase::BeforeSending
        }
        ureq::Error::Io(io) if is_resolve_failure(io) => FailurePhase::BeforeSending,
        ureq::Error::BodyExceedsLimit(_) | ureq::Error::BadUri(_) => FailurePhase::Permanent,
        _ => FailurePhase::AfterSending,
    };
    let reason = match &error {
        ureq::Error::Timeout(which) => format!("timed out ({which})"),
        ureq::Error::BodyExceedsLimit(limit) => body_too_large(*limit),
        ureq::Error::HostNotFound => "the host name did not resolve".into(),
        ureq::Error::BadUri(_) => "the URL cannot be requested".into(),
        ureq::Error::Io(io) if is_resolve_failure(io) => format!("the host name did not resolve ({io})"),
        ureq::Error::Io(io) => format!("{}", io.kind()),
        other => other.to_string(),
    };
    failure(outgoing, phase, &reason)
}

/// Whether `io` is the resolver's failure, which std reports with kind `Uncategorized`.
fn is_resolve_failure(io: &std::io::Error) -> bool {
    io.to_string().starts_with("failed to lookup address information")
}

/// A `Transport` failure naming the request (method and URL without its query) and `reason`.
pub(crate) fn failure(outgoing: &Outgoing<'_>, phase: FailurePhase, reason: &str) -> Failure {
    Failure {
        error: Error::Transport(format!("{} {}: {reason}", outgoing.method, shown_url(outgoing.url))),
        phase,
    }
}

/// Why an answer over the size limit was refused.
pub(crate) fn body_too_large(limit: u64) -> String {
    format!("the response body exceeds {limit} bytes (raise max_response_bytes)")
}

/// scheme://host[:port]/path: never the query, which may carry credentials.
pub(crate) fn shown_url(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    shown
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}
