//! The spans of the `tracing` feature: one per client call step (`taap.client.token_fetch`,
//! `taap.client.sign`, `taap.client.send`) and one per PopGate decision (`taap.validate`).
//!
//! Every field is chosen here, in one place, and none can hold a credential: hosts and paths
//! (never a URL's query or user info), methods, statuses, counts and names of kinds. No client
//! id, client secret, access token, PoP token, `jti`, key, signer label or PIN.
//!
//! Without the feature [`Span`] is an empty type and every helper does nothing, so the
//! callers need no `cfg` of their own and the default build compiles no `tracing` at all.

#[cfg(feature = "client")]
use url::Url;

#[cfg(feature = "tracing")]
pub(crate) use tracing::Span;

/// Stands in for `tracing::Span` without the feature: nothing is kept or recorded.
#[cfg(not(feature = "tracing"))]
#[derive(Clone, Debug)]
pub(crate) struct Span;

/// What [`Span::enter`] returns without the feature.
#[cfg(not(feature = "tracing"))]
pub(crate) struct Entered;

#[cfg(not(feature = "tracing"))]
#[allow(dead_code)]
impl Span {
    pub(crate) fn enter(&self) -> Entered {
        Entered
    }

    pub(crate) fn record<V>(&self, _field: &str, _value: V) -> &Self {
        self
    }
}

/// `taap.client.token_fetch`: TAAP steps 1 and 2, retries included.
#[cfg(feature = "client")]
pub(crate) fn token_fetch(token_url: &Url, flavor: &'static str) -> Span {
    #[cfg(feature = "tracing")]
    return tracing::info_span!(
        target: "taap::client",
        "taap.client.token_fetch",
        token_host = token_url.host_str().unwrap_or(""),
        flavor,
        outcome = tracing::field::Empty,
        http_status = tracing::field::Empty,
    );
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (token_url, flavor);
        Span
    }
}

/// `taap.client.sign`: one PoP token; the signer's kind only (its label names a key or a slot).
#[cfg(feature = "client")]
pub(crate) fn sign(signer: &'static str) -> Span {
    #[cfg(feature = "tracing")]
    return tracing::info_span!(
        target: "taap::client",
        "taap.client.sign",
        signer,
        outcome = tracing::field::Empty,
    );
    #[cfg(not(feature = "tracing"))]
    {
        let _ = signer;
        Span
    }
}

/// `taap.client.send`: one try of one request (`attempt` counts from 1).
#[cfg(feature = "client")]
pub(crate) fn send(method: &str, url: &Url, attempt: u32) -> Span {
    #[cfg(feature = "tracing")]
    return tracing::info_span!(
        target: "taap::client",
        "taap.client.send",
        method,
        host = url.host_str().unwrap_or(""),
        path = url.path(),
        attempt,
        status = tracing::field::Empty,
        error = tracing::field::Empty,
    );
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (method, url, attempt);
        Span
    }
}

/// `taap.validate`: one request decision of a [`crate::gate::PopGate`].
pub(crate) fn validate() -> Span {
    #[cfg(feature = "tracing")]
    return tracing::info_span!(
        target: "taap::validate",
        "taap.validate",
        outcome = tracing::field::Empty,
        error_kind = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    #[cfg(not(feature = "tracing"))]
    Span
}

/// `ok`, or the error's kind (`OAuth`, `Transport`, …): never its message, which may quote a
/// server's answer.
#[cfg(feature = "client")]
pub(crate) fn outcome<T>(span: &Span, result: &crate::Result<T>) {
    match result {
        Ok(_) => span.record("outcome", "ok"),
        Err(error) => span.record("outcome", error.kind().name()),
    };
}
