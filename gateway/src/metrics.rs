//! The gateway's `/metrics` (`taap serve --metrics ADDRESS`): its [`PopLayer`](crate::PopLayer)'s
//! metrics and the token endpoints' answers, in one registry served on a listener of its own,
//! so a scraper never reaches the API port and the API port never serves the metrics.

use std::sync::Arc;

use axum::Router;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use taap_tower::{MetricsService, PopMetrics};

/// What the gateway counts when it was started with a metrics listener.
#[derive(Clone)]
pub struct GatewayMetrics {
    /// The protected resources' [`PopLayer`](crate::PopLayer) counts into these.
    pub pop: PopMetrics,
    token_requests: Family<[(&'static str, &'static str); 1], Counter>,
    registry: Arc<Registry>,
}

impl GatewayMetrics {
    /// A registry with the layer's metrics and `taap_token_requests_total{outcome}`.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let pop = PopMetrics::new(&mut registry);
        let token_requests = Family::default();
        registry.register(
            "taap_token_requests",
            "Requests the token endpoints answered, by outcome (issued, refused)",
            token_requests.clone(),
        );
        for outcome in ["issued", "refused"] {
            let _ = token_requests.get_or_create(&[("outcome", outcome)]);
        }
        GatewayMetrics { pop, token_requests, registry: Arc::new(registry) }
    }

    /// Counts one answer of a token endpoint.
    pub fn count_token_request(&self, issued: bool) {
        let outcome = if issued { "issued" } else { "refused" };
        self.token_requests.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// `GET /metrics` and nothing else.
    pub fn router(&self) -> Router {
        Router::new().route_service("/metrics", MetricsService::shared(Arc::clone(&self.registry)))
    }
}

impl Default for GatewayMetrics {
    fn default() -> Self {
        GatewayMetrics::new()
    }
}

impl std::fmt::Debug for GatewayMetrics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("GatewayMetrics").finish_non_exhaustive()
    }
}
