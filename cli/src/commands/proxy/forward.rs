//! One request through the proxy: read and bound the body (it is hashed before sending), sign
//! as `taap call` would, send, and stream the answer back as it comes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH};
use hyper::{Request, Response, StatusCode};
use taap::client::{is_idempotent, AccessToken, AsyncTaapClient, ClientConfig, OAuthServer, Routes};
use tracing::Instrument;
use url::Url;

use super::answer::{Failure, ProxyBody};
use super::inbound::InboundSecret;
use super::log;
use super::metrics::ProxyMetrics;
use super::upstream::{self, Upstream};

/// Headers that describe one connection, not the request (RFC 9110 §7.6.1), plus those the
/// proxy sets itself: never passed on in either direction.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];
/// Request headers the proxy replaces: the target's `Host`, the length of the body it sends,
/// the client's `Expect` (the body is already read), and the TAAP credentials.
const REPLACED: [&str; 5] = ["host", "content-length", "expect", "authorization", "x-authorization"];
/// The headers the core adds that carry credentials: marked sensitive so hyper never shows them.
const CREDENTIALS: [&str; 2] = ["authorization", "x-authorization"];

/// One header as the client sent it: its name spelled as the docs spell it, its value as text.
type Header = (String, String);

/// Everything a request needs, shared by all connections.
pub struct Proxy {
    /// The core's client: access tokens (cache, refresh ahead, shared store) and the signed
    /// request `taap call` would send.
    pub client: AsyncTaapClient,
    /// Token servers by request path prefix; other paths use `client`'s.
    pub routes: Routes,
    /// One client per routed token server, each with its own token cache.
    pub routed: Vec<(OAuthServer, AsyncTaapClient)>,
    /// Where requests go.
    pub upstream: Upstream,
    /// The upstream base URL.
    pub base: Url,
    /// Largest request body accepted.
    pub max_body: usize,
    /// How long the upstream gets to start its answer.
    pub timeout: Duration,
    /// The secret clients must present, when one is set.
    pub inbound: Option<InboundSecret>,
    /// Log one line per request on stderr.
    pub verbose: bool,
    /// What `--metrics` serves, when it was given.
    pub metrics: Option<Arc<ProxyMetrics>>,
}

impl Proxy {
    /// The client whose token server the route table gives `path` (the default otherwise).
    fn client_for(&self, path: &str) -> &AsyncTaapClient {
        let routed = self.routes.server_for(path).and_then(|server| {
            self.routed.iter().find(|(known, _)| known == server).map(|(_, client)| client)
        });
        routed.unwrap_or(&self.client)
    }
}

/// A client for each token server of `routes`, with `config`'s credentials and settings.
pub fn routed_clients(
    config: &ClientConfig,
    routes: &Routes,
) -> taap::Result<Vec<(OAuthServer, AsyncTaapClient)>> {
    let mut clients: Vec<(OAuthServer, AsyncTaapClient)> = Vec::new();
    for (_, server) in routes.entries() {
        if clients.iter().all(|(known, _)| known != server) {
            let mut routed = config.clone();
            routed.server = server.clone();
            clients.push((server.clone(), AsyncTaapClient::new(routed)?));
        }
    }
    Ok(clients)
}

/// Answers one request; every failure is an answer, never an error of the connection.
pub async fn handle(
    proxy: Arc<Proxy>,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, std::convert::Infallible> {
    let started = Instant::now();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let (response, token) = forward(&proxy, request).await;
    if let Some(metrics) = &proxy.metrics {
        metrics.answered(response.extensions().get::<Failure>().copied(), response.status());
    }
    if proxy.verbose {
        log::request(&method, &path, response.status(), started.elapsed(), token.as_ref());
    }
    Ok(response)
}

async fn forward(proxy: &Proxy, request: Request<Incoming>) -> (Response<ProxyBody>, Option<AccessToken>) {
    if let Some(secret) = &proxy.inbound {
        if !secret.admits(request.headers()) {
            let message = "send Proxy-Authorization: Bearer <the proxy's inbound secret>";
            return (Failure::ProxyAuthRequired.answer(message), None);
        }
    }
    let (parts, body) = request.into_parts();
    let body = match read_body(&parts.headers, body, proxy.max_body).await {
        Ok(body) => body,
        Err(answer) => return (answer, None),
    };
    let target = parts.uri.path_and_query().map_or("/", |target| target.as_str());
    let Ok(url) = upstream::target(&proxy.base, target) else {
        return (Failure::BadRequest.answer("the request target is not a valid URL path"), None);
    };
    let Ok(method) = taap::request::request_method(parts.method.as_str()) else {
        return (Failure::BadRequest.answer("the request method is not an HTTP method"), None);
    };
    let Some(given) = forwarded_headers(&parts.headers) else {
        return (Failure::BadRequest.answer("a header value is not UTF-8 text"), None);
    };
    let client = proxy.client_for(parts.uri.path());
    let mut token = match client.access_token().await {
        Ok(token) => token,
        Err(error) => return (token_failure(&error), None),
    };
    let resend = is_idempotent(&method);
    let mut first = true;
    loop {
        let response = match send(proxy, client, &method, &url, &given, &body, &token).await {
            Ok(response) => response,
            Err(answer) => return (answer, Some(token)),
        };
        if response.status() == StatusCode::UNAUTHORIZED && resend && first {
            // The token may have been revoked or expired early: one more try with a new one and
            // a fresh PoP, for methods a repeat cannot harm (requests refused together with
            // the same token share one refresh).
            first = false;
            drop(response);
            token = match client.refresh_refused_token(&token).await {
                Ok(token) => token,
                Err(error) => return (token_failure(&error), None),
            };
            continue;
        }
        return (streamed(response), Some(token));
    }
}

/// The body, whole (the PoP token hashes it before it is sent), or the 413/400 answer.
async fn read_body(headers: &HeaderMap, body: Incoming, max: usize) -> Result<Bytes, Response<ProxyBody>> {
    let too_large = || {
        Failure::BodyTooLarge.answer(&format!("the request body is over the proxy's limit of {max} bytes"))
    };
    let declared = headers.get(CONTENT_LENGTH).and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max as u64) {
        return Err(too_large());
    }
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(Failure::BadRequest.answer("the request body could not be read")),
    }
}

/// The client's headers minus hop-by-hop and replaced ones, named as the docs spell them;
/// `None` when a value is not UTF-8 (the core signs header values as text).
fn forwarded_headers(headers: &HeaderMap) -> Option<Vec<Header>> {
    let named_by_connection: Vec<String> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            !HOP_BY_HOP.contains(&name)
                && !REPLACED.contains(&name)
                && !named_by_connection.iter().any(|n| n == name)
        })
        .map(|(name, value)| {
            let value = std::str::from_utf8(value.as_bytes()).ok()?;
            Some((title_case(name.as_str()), value.to_owned()))
        })
        .collect()
}

/// A header name as the docs spell it (`content-type` → `Content-Type`): HTTP/1 servers hand
/// names over lower-cased, and the PoP token's `ehts` names what is sent.
fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

/// One signed exchange, up to the answer's headers.
async fn send(
    proxy: &Proxy,
    client: &AsyncTaapClient,
    method: &str,
    url: &Url,
    given: &[Header],
    body: &Bytes,
    token: &AccessToken,
) -> Result<Response<Incoming>, Response<ProxyBody>> {
    // Exactly what `taap call` sends: the core adds the defaults, Content-Type, Bearer and PoP.
    let given = given.iter().map(|(name, value)| (name.as_str(), value.as_str()));
    let prepared = client
        .sign_call(method, url.as_str(), given, body, token)
        .map_err(|error| Failure::BadRequest.answer(&format!("{}: {error}", error.kind())))?;
    let mut request = Request::builder().method(method).uri(url.as_str());
    for (name, value) in &prepared.headers {
        let (Ok(name), Ok(mut value)) =
            (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(value.as_bytes()))
        else {
            return Err(Failure::BadRequest.answer("a header is not valid"));
        };
        value.set_sensitive(CREDENTIALS.contains(&name.as_str()));
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(body.clone()))
        .map_err(|_| Failure::BadRequest.answer("the request cannot be built for the upstream"))?;
    let started = Instant::now();
    let span = upstream_span(method, url);
    let answered =
        tokio::time::timeout(proxy.timeout, proxy.upstream.request(request)).instrument(span.clone()).await;
    record_upstream(&span, &answered);
    match answered {
        Ok(Ok(response)) => {
            if let Some(metrics) = &proxy.metrics {
                metrics.upstream_answered(started.elapsed());
            }
            Ok(response)
        }
        Ok(Err(error)) => {
            let what = if error.is_connect() { "cannot connect to" } else { "broke off the exchange with" };
            let host = proxy.base.host_str().unwrap_or_default();
            Err(Failure::UpstreamUnreachable.answer(&format!("the proxy {what} the upstream {host}")))
        }
        Err(_) => Err(Failure::UpstreamTimeout
            .answer(&format!("the upstream did not answer within {} s", proxy.timeout.as_secs()))),
    }
}

/// `taap.proxy.upstream`: one exchange with the upstream API, up to its answer's head. Host,
/// path and method only: never the query, a header, the body or a token.
fn upstream_span(method: &str, url: &Url) -> tracing::Span {
    tracing::info_span!(
        target: "taap::proxy",
        "taap.proxy.upstream",
        method,
        upstream_host = url.host_str().unwrap_or(""),
        path = url.path(),
        outcome = tracing::field::Empty,
        http_status = tracing::field::Empty,
    )
}

fn record_upstream<E, T>(span: &tracing::Span, answered: &Result<Result<Response<Incoming>, E>, T>) {
    match answered {
        Ok(Ok(response)) => {
            span.record("outcome", "answered").record("http_status", response.status().as_u16());
        }
        Ok(Err(_)) => {
            span.record("outcome", "unreachable");
        }
        Err(_) => {
            span.record("outcome", "timeout");
        }
    }
}

/// The upstream's answer as it comes: status, end-to-end headers, body streamed.
fn streamed(response: Response<Incoming>) -> Response<ProxyBody> {
    let (mut parts, body) = response.into_parts();
    let named_by_connection: Vec<HeaderName> = parts
        .headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in HOP_BY_HOP.iter().copied() {
        parts.headers.remove(name);
    }
    for name in named_by_connection {
        parts.headers.remove(name);
    }
    Response::from_parts(parts, body.boxed_unsync())
}

/// A token server refusal passes on as the server sent it (status, content type, body);
/// anything else is a 502.
fn token_failure(error: &taap::Error) -> Response<ProxyBody> {
    if let taap::Error::OAuth { status, message, answer } = error {
        if let Ok(status) = StatusCode::from_u16(*status) {
            if status.is_client_error() || status.is_server_error() {
                return Failure::TokenRefused.passed_on(status, message, answer);
            }
        }
    }
    let message = format!("no access token: {}: {error}", error.kind());
    Failure::TokenUnavailable.answer(&message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn hop_by_hop_and_credentials_are_not_forwarded() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("host", "127.0.0.1:8077"),
            ("connection", "keep-alive, x-private"),
            ("x-private", "1"),
            ("authorization", "Bearer client's"),
            ("x-authorization", "client's pop"),
            ("proxy-authorization", "Bearer s"),
            ("accept", "application/json"),
            ("x-partner-id", "P-1"),
        ] {
            headers.append(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        let names: Vec<String> =
            forwarded_headers(&headers).unwrap().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["Accept", "X-Partner-Id"]);
    }

    #[test]
    fn names_are_title_cased_at_each_dash() {
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(title_case("x-partner-id"), "X-Partner-Id");
        assert_eq!(title_case("accept"), "Accept");
    }
}
