#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod layer;
pub mod metrics;
pub mod pop;
pub mod replay;
mod reply;

pub use layer::{BoxError, PopLayer, PopService, DEFAULT_MAX_BODY_BYTES};
pub use metrics::{MetricsService, PopMetrics};
/// The Prometheus client [`PopMetrics`] registers into: its `Registry` is the one to create.
pub use prometheus_client;
#[cfg(feature = "redis")]
pub use replay::RedisStore;
pub use replay::{store_from_url, Admission, MemoryStore, ReplayError, ReplayStore, DEFAULT_STORE_DEADLINE};
pub use reply::{Refusal, MAX_DESCRIPTION_CHARS};
