//! [`PopGate`]: what a PoP middleware does around the validator, once for every door that has
//! one (PSR-15, a Servlet filter, and any framework a door adds): its options from the
//! settings schema, the client id header, the body limit and the exact answers it sends
//! instead of the application's. The door only moves bytes between its framework and here.

use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::key_set::request_kid;
use crate::key_source::KeySource;
use crate::keys::PublicKey;
use crate::request::{ReceivedRequest, UriForm};
use crate::settings::NameStyle;
use crate::trace;
use crate::validate::{PopTokenValidator, ValidatorOptions};

/// The answer a middleware sends instead of passing the request on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status: 401 (refused), 413 (body over the limit), 503 (replay store down).
    pub status: u16,
    /// Response headers, lower-case names.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body: `{"error": <kind>, "message": …}` (the message never holds a secret).
    pub body: String,
}

impl Answer {
    /// 401 for a refused token: its kind's name and the core's message.
    pub fn unauthorized(error: &Error) -> Answer {
        let body = json!({ "error": error.kind().name(), "message": error.to_string() });
        let challenge = ("www-authenticate", "PoP realm=\"taap\"".to_owned());
        Answer { status: 401, headers: vec![json_type(), challenge], body: body.to_string() }
    }

    /// 503 naming the replay store that could not answer: fail closed, as `taap serve` does.
    pub fn store_unavailable(store: &str, reason: &str) -> Answer {
        let message = crate::validate::replay_store_unavailable(store, reason);
        let body = json!({ "error": "replay_store_unavailable", "store": store, "message": message });
        let retry = ("retry-after", "1".to_owned());
        Answer { status: 503, headers: vec![json_type(), retry], body: body.to_string() }
    }

    /// 503 when the client's keys cannot be had (a JWK set URL down, nothing usable cached):
    /// the token could not be checked, so it is refused, failing closed like a store down.
    pub fn key_source_unavailable(error: &Error) -> Answer {
        let body = json!({ "error": error.kind().name(), "message": error.to_string() });
        let retry = ("retry-after", "1".to_owned());
        Answer { status: 503, headers: vec![json_type(), retry], body: body.to_string() }
    }

    /// 413 for a body beyond `limit` bytes.
    pub fn too_large(limit: u64) -> Answer {
        let message = format!("the body is larger than {limit} bytes");
        let body = json!({ "error": "RequestTooLarge", "message": message });
        Answer { status: 413, headers: vec![json_type()], body: body.to_string() }
    }

    /// The answer as JSON (`status`, `headers` as `[name, value]` pairs, `body` text): how a
    /// door without Rust structs receives it.
    pub fn to_json(&self) -> Value {
        json!({ "status": self.status, "headers": self.headers, "body": self.body })
    }
}

fn json_type() -> (&'static str, String) {
    ("content-type", "application/json".to_owned())
}

/// The keys a request is checked against: one key, or a client's [`KeySource`] (several keys
/// with `kid`s and windows, a file re-read on change, a JWK set URL).
#[derive(Debug, Clone, Copy)]
pub enum Keys<'k> {
    /// Exactly this key.
    One(&'k PublicKey),
    /// The keys the source has for the token's `kid`, each tried in turn.
    Source(&'k KeySource),
}

impl<'k> From<&'k PublicKey> for Keys<'k> {
    fn from(key: &'k PublicKey) -> Self {
        Keys::One(key)
    }
}

impl<'k> From<&'k KeySource> for Keys<'k> {
    fn from(source: &'k KeySource) -> Self {
        Keys::Source(source)
    }
}

/// One middleware's check: options read once, one validator (one replay cache) or a shared
/// replay store, for every request it guards.
#[derive(Debug)]
pub struct PopGate {
    validator: PopTokenValidator,
    #[cfg(feature = "redis")]
    shared: Option<crate::validate::RedisReplayStore>,
    max_body: u64,
    client_id_header: String,
}

impl PopGate {
    /// A gate from a middleware's options as a door of `style` names them (every one optional:
    /// [`crate::settings::middleware_settings`] gives the defaults and the messages).
    pub fn new(options: &Map<String, Value>, style: NameStyle) -> Result<PopGate> {
        let styled = crate::settings::middleware_settings(options, style)?;
        let settings = snake_case(&styled, style);
        let whole = |name: &str| settings.get(name).and_then(Value::as_u64);
        #[cfg(not(feature = "redis"))]
        if settings.get("shared_replay_store").is_some_and(Value::is_string) {
            // Without Redis support a shared store would silently become no replay check.
            return Err(crate::Error::Config(
                "replay_store is a redis:// URL, but this build of taap has no Redis support (the core's `redis` feature)".into(),
            ));
        }
        let required = settings["required"].as_array().into_iter().flatten();
        let validator = PopTokenValidator::new(ValidatorOptions {
            leeway_secs: whole("leeway").unwrap_or_default() as i64,
            max_age_secs: whole("max_age").unwrap_or_default() as i64,
            required: required.filter_map(Value::as_str).map(str::to_owned).collect(),
            replay_cache: whole("replay_cache").map(|capacity| capacity as usize),
        })?;
        Ok(PopGate {
            validator,
            #[cfg(feature = "redis")]
            shared: shared_store(&settings)?,
            max_body: whole("max_body").unwrap_or_default(),
            client_id_header: settings["client_id_header"].as_str().unwrap_or_default().to_ascii_lowercase(),
        })
    }

    /// The largest body read and hashed; a door refuses a longer one with [`Answer::too_large`]
    /// before reading it all.
    pub fn max_body(&self) -> u64 {
        self.max_body
    }

    /// The header naming the client (lower case), for a door that looks keys up by client id.
    pub fn client_id_header(&self) -> &str {
        &self.client_id_header
    }

    /// Whether a check waits on the network (a shared replay store): async servers run it off
    /// their event loop.
    pub fn blocking(&self) -> bool {
        #[cfg(feature = "redis")]
        return self.shared.is_some();
        #[cfg(not(feature = "redis"))]
        false
    }

    /// Whether checking a request with these `keys` and `headers` may wait on the network: a
    /// shared replay store, or a key source that must fetch for the token's `kid`. Async
    /// servers run such a check off their event loop (the cached answer needs no thread).
    pub fn waits<'h, 'k, I>(&self, keys: impl Into<Keys<'k>>, headers: I) -> bool
    where
        I: IntoIterator<Item = (&'h str, &'h [u8])>,
    {
        if self.blocking() {
            return true;
        }
        let Keys::Source(source) = keys.into() else { return false };
        let pop = headers.into_iter().find(|(name, _)| name.eq_ignore_ascii_case(crate::request::POP_HEADER));
        let kid =
            pop.and_then(|(_, value)| std::str::from_utf8(value).ok()).and_then(crate::key_set::token_kid);
        source.try_keys_for(kid.as_deref()).is_none()
    }

    /// The client id `headers` carry: exactly one non-empty UTF-8 value of the client id
    /// header, else the 401 to send.
    pub fn client_id<'h, I>(&self, headers: I) -> std::result::Result<String, Answer>
    where
        I: IntoIterator<Item = (&'h str, &'h [u8])>,
    {
        let name = &self.client_id_header;
        let values: Vec<&[u8]> = headers
            .into_iter()
            .filter(|(given, _)| given.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .collect();
        // The app may read another copy than the one whose key checked the token, and so act
        // for a client that never signed the request.
        let refuse = |message: String| Answer::unauthorized(&Error::InvalidToken(message));
        if values.len() > 1 {
            return Err(refuse(format!("the {name} header appears {} times; send it once", values.len())));
        }
        let value = values.first().copied().unwrap_or_default();
        let text = std::str::from_utf8(value)
            .map_err(|_| refuse(format!("the {name} header is not valid UTF-8")))?;
        if text.is_empty() {
            return Err(refuse(format!("the {name} header (the client id) is missing")));
        }
        Ok(text.to_owned())
    }

    /// The 401 for a client id no key is registered for.
    pub fn unknown_client(&self) -> Answer {
        Answer::unauthorized(&Error::InvalidToken("no public key is registered for this client id".into()))
    }

    /// `None` when the request carries a valid, unreplayed PoP token signed by `keys` (one key,
    /// or one of a [`KeySource`]'s, which may fetch and so block); else the answer to send.
    /// `target` is the request target as received. With the `tracing` feature the decision is
    /// a `taap.validate` span (outcome, error kind, status).
    pub fn check<'h, 'k, I>(
        &self,
        keys: impl Into<Keys<'k>>,
        method: &str,
        target: &str,
        headers: I,
        body: &'h [u8],
        form: UriForm,
    ) -> Option<Answer>
    where
        I: IntoIterator<Item = (&'h str, &'h [u8])>,
    {
        let span = trace::validate();
        let decision = {
            let _entered = span.enter();
            self.decide(keys.into(), method, target, headers, body, form)
        };
        match &decision {
            Ok(()) => {
                span.record("outcome", "accepted");
            }
            Err((answer, kind)) => {
                span.record("outcome", "refused").record("error_kind", *kind).record("status", answer.status);
            }
        }
        decision.err().map(|(answer, _)| answer)
    }

    /// The decision, a refusal with the name of its kind.
    fn decide<'h, I>(
        &self,
        keys: Keys<'_>,
        method: &str,
        target: &str,
        headers: I,
        body: &'h [u8],
        form: UriForm,
    ) -> std::result::Result<(), (Answer, &'static str)>
    where
        I: IntoIterator<Item = (&'h str, &'h [u8])>,
    {
        if body.len() as u64 > self.max_body {
            return Err((Answer::too_large(self.max_body), "BodyTooLarge"));
        }
        let refused = |error: Error| (Answer::unauthorized(&error), error.kind().name());
        let request = ReceivedRequest::with_uri_form(method, target, headers, body, form).map_err(refused)?;
        match keys {
            Keys::One(key) => self.admitted(key, &request),
            Keys::Source(source) => self.admitted_by_source(source, &request),
        }
    }

    /// The source's keys for the token's `kid`, the one that verifies the token, then
    /// [`PopGate::admitted`] with it (so a shared store admits the `jti` under that key).
    fn admitted_by_source(
        &self,
        source: &KeySource,
        request: &ReceivedRequest<'_>,
    ) -> std::result::Result<(), (Answer, &'static str)> {
        let refused = |error: Error| match error.kind() {
            ErrorKind::KeySourceUnavailable => (Answer::key_source_unavailable(&error), error.kind().name()),
            kind => (Answer::unauthorized(&error), kind.name()),
        };
        let keys = source.keys_for(request_kid(request).as_deref()).map_err(refused)?;
        let now = crate::now_unix();
        if !self.blocking() {
            return self.validator.validate_request_with_keys(&keys, request, now).map(drop).map_err(refused);
        }
        let (_, key) = self.validator.verify_request_with_keys(&keys, request, now).map_err(refused)?;
        self.admitted(&key, request)
    }

    fn admitted(
        &self,
        key: &PublicKey,
        request: &ReceivedRequest<'_>,
    ) -> std::result::Result<(), (Answer, &'static str)> {
        let refused = |error: Error| (Answer::unauthorized(&error), error.kind().name());
        #[cfg(feature = "redis")]
        if let Some(store) = &self.shared {
            use crate::validate::SharedRefusal;
            return match store.validate_request_at(&self.validator, key, request, crate::now_unix()) {
                Ok(_) => Ok(()),
                Err(SharedRefusal::Invalid(error)) => Err(refused(error)),
                Err(SharedRefusal::Unavailable(reason)) => {
                    Err((Answer::store_unavailable(store.name(), &reason), "ReplayStoreUnavailable"))
                }
            };
        }
        self.validator.validate_request(key, request).map(drop).map_err(refused)
    }
}

/// A settings view a door of `style` names with the schema's `snake_case` keys back.
fn snake_case(settings: &Map<String, Value>, style: NameStyle) -> Map<String, Value> {
    use crate::settings::Setting;
    let name = |key: &String| match Setting::named(key, style) {
        Some(setting) => setting.name.to_owned(),
        None => crate::settings::shared_store_key(NameStyle::Snake).to_owned(),
    };
    settings.iter().map(|(key, value)| (name(key), value.clone())).collect()
}

#[cfg(feature = "redis")]
fn shared_store(settings: &Map<String, Value>) -> Result<Option<crate::validate::RedisReplayStore>> {
    match settings.get("shared_replay_store").and_then(Value::as_str) {
        Some(url) => {
            let deadline = crate::validate::DEFAULT_REPLAY_STORE_DEADLINE;
            crate::validate::RedisReplayStore::open(url, deadline).map(Some)
        }
        None => Ok(None),
    }
}

#[cfg(all(test, not(feature = "redis")))]
mod tests {
    use super::*;

    #[test]
    fn a_shared_store_without_redis_support_is_refused_not_dropped() {
        let options = serde_json::json!({ "replay_store": "redis://127.0.0.1:6379" });
        let error = PopGate::new(options.as_object().unwrap(), NameStyle::Snake).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Config);
        assert!(error.to_string().contains("no Redis support"), "{error}");
    }
}
