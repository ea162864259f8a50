//! The core's request rules: the signing policy, `uri` and `http-method`, and the adapter for
//! a request as a gateway received it.

use napi::bindgen_prelude::Env;
use napi_derive::napi;

use crate::bytes::{as_bytes, check_parallel, check_parallel_text, pairs, BytesArg};
use crate::error::{to_js, Failure};
use crate::signer::{signer_of, KeyArg, OnJsThread};
use crate::token::build_options;

/// A `taap::SignPolicy`: which headers of an outgoing request a PoP token signs.
#[napi]
pub struct SignPolicyHandle {
    inner: taap::SignPolicy,
}

#[napi]
impl SignPolicyHandle {
    /// The docs' policy: `Content-Type` and `Authorization` when present.
    #[napi(factory)]
    pub fn docs() -> Self {
        SignPolicyHandle { inner: taap::SignPolicy::new() }
    }

    /// Exactly these headers, in this order, each when the request has it.
    #[napi(factory)]
    pub fn headers(names: Vec<String>) -> Result<Self, Failure> {
        taap::SignPolicy::headers(names).map(|inner| SignPolicyHandle { inner }).map_err(to_js)
    }

    /// Every header the request carries, in the request's order.
    #[napi(factory)]
    pub fn all_headers() -> Self {
        SignPolicyHandle { inner: taap::SignPolicy::all_headers() }
    }

    /// A new policy that also signs `name`.
    #[napi]
    pub fn with_header(&self, name: String) -> Result<SignPolicyHandle, Failure> {
        self.inner.clone().with_header(&name).map(|inner| SignPolicyHandle { inner }).map_err(to_js)
    }

    /// A new policy that never signs `name`.
    #[napi]
    pub fn without_header(&self, name: String) -> Result<SignPolicyHandle, Failure> {
        self.inner.clone().without_header(&name).map(|inner| SignPolicyHandle { inner }).map_err(to_js)
    }

    /// The index and trimmed value of each header this policy signs, in signing order.
    #[napi]
    pub fn select(&self, names: Vec<String>, values: Vec<String>) -> Result<Vec<SelectedHeader>, Failure> {
        check_parallel_text(&names, &values)?;
        let headers: Vec<(&str, &str)> =
            names.iter().map(String::as_str).zip(values.iter().map(String::as_str)).collect();
        let chosen = self.inner.select(&headers);
        Ok(chosen
            .into_iter()
            .map(|(name, value)| {
                // The core hands back sub-slices of the input, so the pointer finds the entry.
                let index = names.iter().position(|known| std::ptr::eq(known.as_str(), name)).unwrap_or(0);
                // Trimming ASCII whitespace off UTF-8 leaves UTF-8.
                let value = String::from_utf8_lossy(value).into_owned();
                SelectedHeader { index: u32::try_from(index).unwrap_or(u32::MAX), value }
            })
            .collect())
    }

    /// The PoP token for one request as this policy signs it.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        &self,
        env: Env,
        key: KeyArg,
        method: String,
        url: String,
        header_names: Vec<String>,
        header_values: Vec<BytesArg>,
        body: BytesArg,
        ttl_secs: Option<i64>,
        iat: Option<i64>,
        jti: Option<String>,
    ) -> Result<String, Failure> {
        check_parallel(&header_names, &header_values)?;
        let headers: Vec<(&str, &[u8])> = pairs(&header_names, &header_values).collect();
        let options = build_options(ttl_secs, iat, jti);
        let signer = signer_of(&key);
        let here = OnJsThread::enter(&env);
        self.inner
            .sign(&signer, &method, &url, &headers, as_bytes(&body), &options)
            .map_err(|error| here.failure(error))
    }

    /// The header names this policy names, for `inspect`.
    #[napi]
    pub fn describe(&self) -> String {
        self.inner.describe()
    }

    /// Whether `other` selects the same headers.
    #[napi]
    pub fn equals(&self, other: &SignPolicyHandle) -> bool {
        self.inner == other.inner
    }
}

/// One header a policy picked: its position in the input and its value as signed.
#[napi(object)]
pub struct SelectedHeader {
    /// Index into the headers given to `select`.
    pub index: u32,
    /// The value, surrounding HTTP whitespace removed.
    pub value: String,
}

/// The `uri` value of a URL or path: path plus percent-decoded query.
#[napi]
pub fn request_uri(url: String) -> Result<String, Failure> {
    let uri = taap::request::request_uri(&url).map_err(to_js)?;
    // Percent-decoding can yield bytes that are not UTF-8; JavaScript strings cannot hold
    // them, so they show as U+FFFD (the gateway adapter compares the exact bytes).
    Ok(String::from_utf8_lossy(&uri).into_owned())
}

/// The `http-method` value: the method upper-cased, which must be an HTTP token.
#[napi]
pub fn request_method(method: String) -> Result<String, Failure> {
    taap::request::request_method(&method).map_err(to_js)
}
