//! The one PoP check of [`PopLayer`](crate::PopLayer) and of `taap serve`'s token endpoint:
//! the token in `X-Authorization` must be signed by the expected key and bind this exact
//! request (headers, uri, method, body), once. The request's values come from the core's
//! adapter, so the same `uri` and header rules apply as in the signer and every other door.

use std::sync::Arc;

use axum::http::request::Parts;
use taap::validate::{KeySet, KeySource};
use taap::{request::ReceivedRequest, request::UriForm, PopToken, PopTokenValidator, PublicKey};

use crate::replay::{Admission, ReplayError, ReplayStore};
use crate::reply::Refusal;

/// Validates the request's `X-Authorization` against `key`, as of `now` (epoch seconds), the
/// `jti` admitted in the validator's own cache; a refusal names `challenge` in
/// `WWW-Authenticate`.
pub fn check(
    validator: &PopTokenValidator,
    key: &PublicKey,
    request: &ReceivedRequest<'_>,
    now: i64,
    challenge: &'static str,
) -> Result<PopToken, Refusal> {
    validator.validate_request_at(key, request, now).map_err(|error| Refusal::invalid_pop(&error, challenge))
}

/// [`check`] against a client's key set (several keys while one is rotated): the key the
/// token's `kid` names, else each current key until one verifies; returns the key too.
pub fn check_any(
    validator: &PopTokenValidator,
    keys: &KeySet,
    request: &ReceivedRequest<'_>,
    now: i64,
    challenge: &'static str,
) -> Result<(PopToken, PublicKey), Refusal> {
    validator
        .validate_request_with_keys(keys, request, now)
        .map_err(|error| Refusal::invalid_pop(&error, challenge))
}

/// [`check`] with the `jti` admitted by `store` (namespaced by the key's thumbprint) instead
/// of the validator's own cache; a store that cannot answer refuses with 503.
pub async fn check_with_store(
    validator: &PopTokenValidator,
    store: &dyn ReplayStore,
    key: &PublicKey,
    request: &ReceivedRequest<'_>,
    now: i64,
    challenge: &'static str,
) -> Result<PopToken, Refusal> {
    let token = validator
        .verify_request_at(key, request, now)
        .map_err(|error| Refusal::invalid_pop(&error, challenge))?;
    admit(validator, store, key, &token, now, challenge).await?;
    Ok(token)
}

/// [`check_any`] with the `jti` admitted by `store`, namespaced by the thumbprint of the key
/// that verified; a store that cannot answer refuses with 503.
pub async fn check_any_with_store(
    validator: &PopTokenValidator,
    store: &dyn ReplayStore,
    keys: &KeySet,
    request: &ReceivedRequest<'_>,
    now: i64,
    challenge: &'static str,
) -> Result<(PopToken, PublicKey), Refusal> {
    let (token, key) = validator
        .verify_request_with_keys(keys, request, now)
        .map_err(|error| Refusal::invalid_pop(&error, challenge))?;
    admit(validator, store, &key, &token, now, challenge).await?;
    Ok((token, key))
}

/// Admits a verified token's `jti` in `store`: 401 `Replay` when seen, 503 when the store
/// cannot answer.
async fn admit(
    validator: &PopTokenValidator,
    store: &dyn ReplayStore,
    key: &PublicKey,
    token: &PopToken,
    now: i64,
    challenge: &'static str,
) -> Result<(), Refusal> {
    let namespace = key.thumbprint();
    let admission = Admission {
        namespace: &namespace,
        jti: &token.claims().jti,
        issued_after: token.claims().iat.saturating_sub(validator.options().leeway_secs),
        forget_after: validator.replay_expiry(token),
        now,
    };
    match store.admit(admission).await {
        Ok(()) => Ok(()),
        Err(ReplayError::Replayed(error)) => Err(Refusal::invalid_pop(&error, challenge)),
        Err(ReplayError::Unavailable { store, reason }) => Err(Refusal::store_unavailable(store, &reason)),
    }
}

/// The keys `source` has for a PoP token naming `kid` (or none): from memory when it can
/// answer, else fetched on a blocking thread, so a runtime worker never waits on the network;
/// 503 ([`Refusal::key_source_unavailable`]) when the source cannot be fetched.
pub async fn source_keys(source: &KeySource, kid: Option<&str>) -> Result<Arc<KeySet>, Refusal> {
    let keys = match source.try_keys_for(kid) {
        Some(keys) => keys,
        None => fetch_keys(source.clone(), kid.map(str::to_owned)).await,
    };
    keys.map_err(|error| Refusal::key_source_unavailable(&error))
}

/// `source.keys_for(kid)` on tokio's blocking pool, or here when no runtime is running.
async fn fetch_keys(source: KeySource, kid: Option<String>) -> taap::Result<Arc<KeySet>> {
    let fetch = move || source.keys_for(kid.as_deref());
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => runtime.spawn_blocking(fetch).await.unwrap_or_else(|_| {
            Err(taap::Error::KeySourceUnavailable("the key lookup stopped before answering".into()))
        }),
        Err(_) => fetch(),
    }
}

/// The request as received, its `uri` in `form` (what the signers the service accepts use);
/// 400 when its target is not a path.
pub fn received<'a>(parts: &'a Parts, body: &'a [u8], form: UriForm) -> Result<ReceivedRequest<'a>, Refusal> {
    let target = parts.uri.path_and_query().map_or("/", |target| target.as_str());
    let headers = parts.headers.iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
    ReceivedRequest::with_uri_form(parts.method.as_str(), target, headers, body, form)
        .map_err(|_| Refusal::bad_request("the request target is not a valid path"))
}
