//! `Taap\PopGate`: the core's middleware check (`taap::validate::PopGate`) for PHP middleware
//! (`Taap\Psr15\PopMiddleware`). Its options, the client id rule, the body limit and every
//! answer (status, headers, JSON body) come from the core; this only converts values.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use taap::request::UriForm;
use taap::settings::NameStyle;
use taap::validate::{Answer, Keys};

use crate::convert::{pairs, php_array, settings_map};
use crate::errors::guard;
use crate::key_source::KeySource;
use crate::keys::PublicKey;

/// A middleware's check: options read once, one replay cache (or a shared redis store) for
/// every request it guards. An answer is an array `['status' => int, 'headers' => [[name,
/// value], …], 'body' => string]`: the response to send instead of the application's.
#[php_class]
#[php(name = "Taap\\PopGate")]
pub struct PopGate {
    inner: taap::validate::PopGate,
}

/// An answer as the PHP array the stub documents.
fn answer_array(answer: &Answer) -> ext_php_rs::error::Result<ZBox<ZendHashTable>> {
    php_array(&answer.to_json())
}

#[php_impl]
impl PopGate {
    /// The middleware options of the core's settings schema (camel names): `required`,
    /// `leeway`, `maxAge`, `maxBody`, `clientIdHeader`, `replayStore`.
    pub fn __construct(options: Option<&ZendHashTable>) -> PhpResult<Self> {
        guard(|| {
            let given = options.map(|options| settings_map(options, &[])).transpose()?.unwrap_or_default();
            taap::validate::PopGate::new(&given, NameStyle::Camel).map(|inner| PopGate { inner })
        })
    }

    /// The largest body read and hashed, in bytes.
    pub fn max_body(&self) -> u64 {
        self.inner.max_body()
    }

    /// The header naming the client, lower case.
    pub fn client_id_header(&self) -> String {
        self.inner.client_id_header().to_owned()
    }

    /// The client id `headers` carry (one non-empty UTF-8 value of the client id header), or
    /// the answer refusing the request.
    pub fn client_id(&self, headers: &ZendHashTable) -> PhpResult<Zval> {
        let id = guard(|| {
            let headers = pairs(headers, "headers")?;
            Ok(self.inner.client_id(headers.iter().map(|(name, value)| (name.as_ref(), value.as_ref()))))
        })?;
        let mut zval = Zval::new();
        match id {
            Ok(id) => zval.set_string(&id, false)?,
            Err(answer) => zval.set_hashtable(answer_array(&answer)?),
        }
        Ok(zval)
    }

    /// The answer for a client id no key is registered for.
    pub fn unknown_client(&self) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(answer_array(&self.inner.unknown_client())?)
    }

    /// The answer for a body longer than `maxBody()`, for a middleware that knows the length
    /// before reading it.
    pub fn too_large(&self) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(answer_array(&Answer::too_large(self.inner.max_body()))?)
    }

    /// Null when the request carries a valid, unreplayed PoP token signed by `key`; else the
    /// answer to send. `target` is the request target as received, `headers` every value as
    /// received (an associative array or `[name, value]` pairs), `uri_form` how the signer put
    /// the query into `uri`: `decoded` (the docs, the default) or `encoded`.
    pub fn check(
        &self,
        key: &PublicKey,
        method: &str,
        target: &str,
        headers: &ZendHashTable,
        body: Option<BinarySlice<u8>>,
        uri_form: Option<&str>,
    ) -> PhpResult<Option<ZBox<ZendHashTable>>> {
        self.answer(Keys::One(&key.inner), method, target, headers, body, uri_form)
    }

    /// `check` with a client's key source: each of its keys in force is tried (the one the
    /// token's `kid` names, if any); the answer is 503 `KeySourceUnavailable` when the source
    /// cannot be fetched and nothing usable is cached.
    pub fn check_source(
        &self,
        keys: &KeySource,
        method: &str,
        target: &str,
        headers: &ZendHashTable,
        body: Option<BinarySlice<u8>>,
        uri_form: Option<&str>,
    ) -> PhpResult<Option<ZBox<ZendHashTable>>> {
        self.answer(Keys::Source(&keys.inner), method, target, headers, body, uri_form)
    }
}

impl PopGate {
    /// The core's check of the request as PHP gave it, with `keys`: null or the answer array.
    fn answer(
        &self,
        keys: Keys<'_>,
        method: &str,
        target: &str,
        headers: &ZendHashTable,
        body: Option<BinarySlice<u8>>,
        uri_form: Option<&str>,
    ) -> PhpResult<Option<ZBox<ZendHashTable>>> {
        let answer = guard(|| {
            let form = UriForm::parse_or_default(uri_form)?;
            let headers = pairs(headers, "headers")?;
            let received = headers.iter().map(|(name, value)| (name.as_ref(), value.as_ref()));
            let body = body.as_deref().copied().unwrap_or_default();
            Ok(self.inner.check(keys, method, target, received, body, form))
        })?;
        Ok(answer.as_ref().map(answer_array).transpose()?)
    }
}
