//! `--otlp-endpoint URL` (or `OTEL_EXPORTER_OTLP_ENDPOINT`; feature `otlp`): the core's `tracing` spans
//! (`taap.client.token_fetch`, `taap.client.sign`, `taap.client.send`, `taap.validate`) sent to
//! an OpenTelemetry collector over OTLP/HTTP (protobuf), in batches, flushed when the command
//! ends. Only spans of taap's own targets are exported; their fields never hold a secret (the
//! core chooses them). The HTTP client is ureq on rustls (AWS-LC), the stack the OAuth client
//! already has.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

use crate::output::config;

/// How long one export may take.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest collector answer read (it is discarded).
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// The exporter of a run: flushed and stopped by [`Telemetry::shutdown`].
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Telemetry {
    /// Sends the spans still in the batch, then stops the exporter. An unreachable collector
    /// costs the spans, never the command's outcome.
    pub fn shutdown(self) {
        let _ = self.provider.force_flush();
        let _ = self.provider.shutdown();
    }
}

/// Starts exporting to `endpoint` (a collector's base URL, `/v1/traces` added unless given).
pub fn start(endpoint: &str) -> taap::Result<Telemetry> {
    let url = traces_url(endpoint)?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(UreqClient { agent: agent() })
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url)
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|error| config(format!("--otlp-endpoint: {error}")))?;
    let resource = Resource::builder().with_service_name("taap").build();
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
    let tracer = provider.tracer("taap");
    let taap_only = tracing_subscriber::filter::filter_fn(|metadata| metadata.target().starts_with("taap"));
    let layer = tracing_opentelemetry::layer().with_tracer(tracer).with_filter(taap_only);
    tracing_subscriber::registry()
        .with(layer)
        .try_init()
        .map_err(|error| config(format!("--otlp-endpoint: cannot install the span exporter ({error})")))?;
    Ok(Telemetry { provider })
}

/// `http(s)://HOST[:PORT][/BASE]/v1/traces`; a URL with credentials or a query is refused (it
/// would be kept in memory and sent with every export).
fn traces_url(endpoint: &str) -> taap::Result<String> {
    let parsed = url::Url::parse(endpoint)
        .map_err(|error| config(format!("--otlp-endpoint {endpoint:?} is not a URL ({error})")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(config("--otlp-endpoint is an http:// or https:// URL"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.query().is_some() {
        return Err(config("--otlp-endpoint must not carry credentials or a query"));
    }
    let base = parsed.as_str().trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        return Ok(base.to_owned());
    }
    Ok(format!("{base}/v1/traces"))
}

/// ureq with the client's TLS settings (rustls on AWS-LC, webpki roots), no redirects.
fn agent() -> ureq::Agent {
    let crypto = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(crypto)
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(EXPORT_TIMEOUT))
        .user_agent(format!("taap/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

/// The exporter's HTTP client: it runs on the batch processor's own thread, so a blocking
/// exchange holds no async worker.
#[derive(Debug)]
struct UreqClient {
    agent: ureq::Agent,
}

#[async_trait::async_trait]
impl HttpClient for UreqClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let mut response = self.agent.run(request.map(|body| body.to_vec()))?;
        let status = response.status();
        let body = response.body_mut().with_config().limit(MAX_ANSWER_BYTES).read_to_vec()?;
        Ok(Response::builder().status(status).body(Bytes::from(body))?)
    }
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn the_traces_path_is_added_once() {
        assert_eq!(traces_url("http://127.0.0.1:4318").unwrap(), "http://127.0.0.1:4318/v1/traces");
        assert_eq!(traces_url("http://h:4318/").unwrap(), "http://h:4318/v1/traces");
        assert_eq!(traces_url("https://h/otel/v1/traces").unwrap(), "https://h/otel/v1/traces");
        for bad in ["h:4318", "ftp://h/", "http://u:p@h/", "http://h/?key=1", "nonsense"] {
            assert!(traces_url(bad).is_err(), "{bad}");
        }
    }
}
