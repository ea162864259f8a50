//! `PopGateHandle`: the core's middleware check (`taap::validate::PopGate`) for `popMiddleware`
//! and `withPop`. Its options, the client id rule, the body limit and every answer (status,
//! headers, JSON body) come from the core; this only converts values. A check that may wait on
//! the network (a shared replay store, or a key source that must fetch) runs on the libuv pool,
//! off the event loop.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, ClassInstance, Either, Env};
use napi::Task;
use napi_derive::napi;
use taap::request::UriForm;
use taap::settings::NameStyle;
use taap::validate::{Answer, KeySource, Keys, PopGate};

use crate::bytes::{as_bytes, check_parallel, into_owned, owned_pairs, pairs, BytesArg};
use crate::error::{to_js, Failure};
use crate::key_source::KeySourceHandle;
use crate::keys::PublicKeyHandle;

/// The keys a request is checked against: one public key or a client's key source.
pub type KeysArg<'a> = Either<ClassInstance<'a, PublicKeyHandle>, ClassInstance<'a, KeySourceHandle>>;

/// The core's view of a keys argument.
fn keys_of<'k>(keys: &'k KeysArg<'_>) -> Keys<'k> {
    match keys {
        Either::A(key) => Keys::One(&key.inner),
        Either::B(source) => Keys::Source(&source.source),
    }
}

/// The keys a check on the libuv pool owns (a key source's clone shares its cache).
enum OwnedKeys {
    One(taap::PublicKey),
    Source(KeySource),
}

impl OwnedKeys {
    /// A copy that outlives the call, for the libuv pool (the JS objects stay on their thread).
    fn of(keys: &KeysArg<'_>) -> Self {
        match keys {
            Either::A(key) => OwnedKeys::One(key.inner.clone()),
            Either::B(source) => OwnedKeys::Source(source.source.clone()),
        }
    }

    /// The core's view, borrowed for one check.
    fn as_keys(&self) -> Keys<'_> {
        match self {
            OwnedKeys::One(key) => Keys::One(key),
            OwnedKeys::Source(source) => Keys::Source(source),
        }
    }
}

/// The response a middleware sends instead of the application's.
#[napi(object)]
pub struct GateAnswer {
    /// 401 (refused), 413 (body over the limit) or 503 (replay store or key source down).
    pub status: u32,
    /// `[name, value]` pairs, lower-case names.
    pub headers: Vec<Vec<String>>,
    /// The JSON body as text.
    pub body: String,
}

impl From<Answer> for GateAnswer {
    fn from(answer: Answer) -> Self {
        let headers = answer.headers.into_iter().map(|(name, value)| vec![name.to_owned(), value]).collect();
        GateAnswer { status: u32::from(answer.status), headers, body: answer.body }
    }
}

/// A middleware's check: options read once, one replay cache (or a shared redis store) for
/// every request it guards.
#[napi]
pub struct PopGateHandle {
    inner: Arc<PopGate>,
}

#[napi]
impl PopGateHandle {
    /// The middleware options as JSON under the settings schema's camelCase names (`required`,
    /// `leeway`, `maxAge`, `maxBody`, `clientIdHeader`, `replayStore`), checked by the core.
    #[napi(constructor)]
    pub fn new(options: String) -> Result<Self, Failure> {
        let given = taap::settings::options_from_json(&options).map_err(to_js)?;
        let gate = PopGate::new(&given, NameStyle::Camel).map_err(to_js)?;
        Ok(PopGateHandle { inner: Arc::new(gate) })
    }

    /// The largest body read and hashed, in bytes.
    #[napi(getter)]
    pub fn max_body(&self) -> f64 {
        self.inner.max_body() as f64
    }

    /// Whether every check waits on the network (a shared replay store).
    #[napi(getter)]
    pub fn blocking(&self) -> bool {
        self.inner.blocking()
    }

    /// Whether checking with `keys` (a public key or key source handle) and these headers
    /// (parallel arrays, as received) may wait on the network: a shared store, or a source that
    /// must fetch for the token's `kid`. `check` then returns a promise.
    #[napi]
    pub fn waits(
        &self,
        keys: KeysArg,
        header_names: Vec<String>,
        header_values: Vec<BytesArg>,
    ) -> Result<bool, Failure> {
        check_parallel(&header_names, &header_values)?;
        Ok(self.inner.waits(keys_of(&keys), pairs(&header_names, &header_values)))
    }

    /// The client id the headers (parallel arrays, as received) carry, or the answer refusing
    /// the request.
    #[napi]
    pub fn client_id(
        &self,
        header_names: Vec<String>,
        header_values: Vec<BytesArg>,
    ) -> Result<Either<String, GateAnswer>, Failure> {
        check_parallel(&header_names, &header_values)?;
        Ok(match self.inner.client_id(pairs(&header_names, &header_values)) {
            Ok(id) => Either::A(id),
            Err(answer) => Either::B(answer.into()),
        })
    }

    /// The answer for a client id no key is registered for.
    #[napi]
    pub fn unknown_client(&self) -> GateAnswer {
        self.inner.unknown_client().into()
    }

    /// The answer for a body longer than `maxBody`, for a door that stops reading there.
    #[napi]
    pub fn too_large(&self) -> GateAnswer {
        Answer::too_large(self.inner.max_body()).into()
    }

    /// The key a client id lookup gave as PEM or JWK text (`null`: something else), or the
    /// answer refusing the request when it is not one (a key source needs no parsing).
    #[napi]
    pub fn key_of(&self, text: Option<String>) -> Either<PublicKeyHandle, GateAnswer> {
        let parsed = match text.as_deref().map(str::trim) {
            Some(jwk) if jwk.starts_with('{') => taap::PublicKey::from_jwk(jwk),
            Some(pem) => taap::PublicKey::from_pem(pem.as_bytes()),
            None => Err(taap::Error::Config(
                "publicKey must be a PublicKey, KeySource, PEM or JWK text, or a lookup function".into(),
            )),
        };
        match parsed {
            Ok(key) => Either::A(key.into()),
            Err(error) => Either::B(Answer::unauthorized(&error).into()),
        }
    }

    /// `null` when the request as received (method, target, headers as parallel arrays, exact
    /// body) carries a valid, unreplayed PoP token signed by `keys` (a public key, or one of a
    /// key source's); else the answer to send. Synchronous when the answer needs no network; a
    /// promise of the same, checked on the libuv pool, when it may wait (`waits`).
    #[napi(ts_return_type = "GateAnswer | null | Promise<GateAnswer | null>")]
    #[allow(clippy::too_many_arguments)]
    pub fn check(
        &self,
        keys: KeysArg,
        method: String,
        target: String,
        header_names: Vec<String>,
        header_values: Vec<BytesArg>,
        body: BytesArg,
        uri_form: Option<String>,
    ) -> Result<Either<Option<GateAnswer>, AsyncTask<GateCheck>>, Failure> {
        let form = UriForm::parse_or_default(uri_form.as_deref()).map_err(to_js)?;
        check_parallel(&header_names, &header_values)?;
        if self.inner.waits(keys_of(&keys), pairs(&header_names, &header_values)) {
            let headers = owned_pairs(header_names, header_values)?;
            let (gate, keys, body) = (Arc::clone(&self.inner), OwnedKeys::of(&keys), into_owned(body));
            return Ok(Either::B(AsyncTask::new(GateCheck {
                gate,
                keys,
                method,
                target,
                headers,
                body,
                form,
            })));
        }
        let headers = pairs(&header_names, &header_values);
        let answer = self.inner.check(keys_of(&keys), &method, &target, headers, as_bytes(&body), form);
        Ok(Either::A(answer.map(GateAnswer::from)))
    }
}

/// One check that may wait on the network (a shared replay store, a key source's fetch), on
/// the libuv pool.
pub struct GateCheck {
    gate: Arc<PopGate>,
    keys: OwnedKeys,
    method: String,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    form: UriForm,
}

impl Task for GateCheck {
    type Output = Option<Answer>;
    type JsValue = Option<GateAnswer>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let headers = self.headers.iter().map(|(name, value)| (name.as_str(), value.as_slice()));
        Ok(self.gate.check(self.keys.as_keys(), &self.method, &self.target, headers, &self.body, self.form))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output.map(GateAnswer::from))
    }
}
