//! The core's `PopGate`, for the JVM's PoP middleware (`com.tmobile.taap.servlet.PopFilter`):
//! options cross as one JSON object under the settings schema's camel names, a request as its
//! method, target, header bytes and body (checked against one key or a `KeySource`), and the
//! answer to send comes back whole (status, headers, body). Every rule and every message stays
//! in the core.

use taap::settings::{options_from_json, NameStyle};
use taap::validate::{Answer, PopGate};

use crate::error::FfiResult;
use crate::key_source::FfiKeySource;
use crate::keys::FfiPublicKey;
use crate::token::FfiEntry;
use crate::validator::FfiUriForm;

/// One received header: its name and its value's bytes as they arrived.
#[derive(uniffi::Record)]
pub struct FfiHeader {
    /// The header name.
    pub name: String,
    /// The value's bytes.
    pub value: Vec<u8>,
}

/// The answer a middleware sends instead of calling the application.
#[derive(uniffi::Record)]
pub struct FfiAnswer {
    /// The HTTP status (401, 413 or 503).
    pub status: u16,
    /// The response headers (lower-case names), in order.
    pub headers: Vec<FfiEntry>,
    /// The JSON body.
    pub body: String,
}

impl From<Answer> for FfiAnswer {
    fn from(answer: Answer) -> Self {
        let headers = answer
            .headers
            .into_iter()
            .map(|(name, value)| FfiEntry { name: name.to_owned(), value })
            .collect();
        FfiAnswer { status: answer.status, headers, body: answer.body }
    }
}

/// The client id a request names, or the answer refusing it.
#[derive(uniffi::Enum)]
pub enum FfiClientId {
    /// Exactly one non-empty UTF-8 value of the client id header.
    Found { id: String },
    /// The 401 to send.
    Refused { answer: FfiAnswer },
}

fn header_pairs(headers: &[FfiHeader]) -> impl Iterator<Item = (&str, &[u8])> {
    headers.iter().map(|header| (header.name.as_str(), header.value.as_slice()))
}

/// A configured `taap::validate::PopGate`: one validator (one replay cache) or one shared
/// replay store for every request the middleware guards.
#[derive(uniffi::Object)]
pub struct FfiPopGate {
    inner: PopGate,
}

#[uniffi::export]
impl FfiPopGate {
    /// Checks `options` (a JSON object: `required`, `leeway`, `maxAge`, `maxBody`,
    /// `clientIdHeader`, `replayStore`) against the schema.
    #[uniffi::constructor]
    pub fn new(options: String) -> FfiResult<Self> {
        Ok(FfiPopGate { inner: PopGate::new(&options_from_json(&options)?, NameStyle::Camel)? })
    }

    /// The largest body read and hashed.
    pub fn max_body(&self) -> u64 {
        self.inner.max_body()
    }

    /// The header naming the client (lower case).
    pub fn client_id_header(&self) -> String {
        self.inner.client_id_header().to_owned()
    }

    /// The 413 for a body beyond [`Self::max_body`], for a door that refuses a declared length
    /// before reading it.
    pub fn too_large(&self) -> FfiAnswer {
        Answer::too_large(self.inner.max_body()).into()
    }

    /// The client id `headers` name, or the 401 to send.
    pub fn client_id(&self, headers: Vec<FfiHeader>) -> FfiClientId {
        match self.inner.client_id(header_pairs(&headers)) {
            Ok(id) => FfiClientId::Found { id },
            Err(answer) => FfiClientId::Refused { answer: answer.into() },
        }
    }

    /// The 401 for a client id no key is registered for.
    pub fn unknown_client(&self) -> FfiAnswer {
        self.inner.unknown_client().into()
    }

    /// `None` when the request carries a valid, unreplayed PoP token signed by `key`; else the
    /// answer to send. `target` is the request target as received.
    pub fn check(
        &self,
        key: &FfiPublicKey,
        method: String,
        target: String,
        headers: Vec<FfiHeader>,
        body: Vec<u8>,
        uri_form: FfiUriForm,
    ) -> Option<FfiAnswer> {
        self.inner
            .check(&key.inner, &method, &target, header_pairs(&headers), &body, uri_form.into())
            .map(FfiAnswer::from)
    }

    /// [`Self::check`] with the keys `source` has for the token's `kid`: a 503
    /// `KeySourceUnavailable` answer when the source cannot be fetched and holds no usable copy.
    /// May block while a JWK set URL is fetched.
    pub fn check_source(
        &self,
        source: &FfiKeySource,
        method: String,
        target: String,
        headers: Vec<FfiHeader>,
        body: Vec<u8>,
        uri_form: FfiUriForm,
    ) -> Option<FfiAnswer> {
        self.inner
            .check(&source.inner, &method, &target, header_pairs(&headers), &body, uri_form.into())
            .map(FfiAnswer::from)
    }
}

/// `decoded` or `encoded` (null: the default, decoded) as the core reads a `uriForm` option.
#[uniffi::export]
pub fn uri_form_parse(text: Option<String>) -> FfiResult<FfiUriForm> {
    Ok(match taap::request::UriForm::parse_or_default(text.as_deref())? {
        taap::request::UriForm::Decoded => FfiUriForm::Decoded,
        taap::request::UriForm::Encoded => FfiUriForm::Encoded,
    })
}
