//! The core's request rules: the signing policy, `uri` and `http-method`.

use std::sync::Arc;

use crate::error::FfiResult;
use crate::signer::FfiSigner;
use crate::token::{FfiBuildOptions, FfiEntry};

/// A `taap::SignPolicy`: which headers of an outgoing request a PoP token signs.
#[derive(uniffi::Object)]
pub struct FfiSignPolicy {
    inner: taap::SignPolicy,
}

fn wrap(inner: taap::SignPolicy) -> Arc<FfiSignPolicy> {
    Arc::new(FfiSignPolicy { inner })
}

#[uniffi::export]
impl FfiSignPolicy {
    /// The docs' policy: `Content-Type` and `Authorization` when present.
    #[uniffi::constructor]
    pub fn docs() -> Self {
        FfiSignPolicy { inner: taap::SignPolicy::new() }
    }

    /// Exactly these headers, in this order, each when the request has it.
    #[uniffi::constructor]
    pub fn headers(names: Vec<String>) -> FfiResult<Self> {
        Ok(FfiSignPolicy { inner: taap::SignPolicy::headers(names)? })
    }

    /// Every header the request carries, in the request's order.
    #[uniffi::constructor]
    pub fn all_headers() -> Self {
        FfiSignPolicy { inner: taap::SignPolicy::all_headers() }
    }

    /// A new policy that also signs `name`.
    pub fn with_header(&self, name: String) -> FfiResult<Arc<FfiSignPolicy>> {
        Ok(wrap(self.inner.clone().with_header(&name)?))
    }

    /// A new policy that never signs `name`.
    pub fn without_header(&self, name: String) -> FfiResult<Arc<FfiSignPolicy>> {
        Ok(wrap(self.inner.clone().without_header(&name)?))
    }

    /// The PoP token for one request as this policy signs it.
    pub fn sign(
        &self,
        key: &FfiSigner,
        method: String,
        url: String,
        headers: Vec<FfiEntry>,
        body: Vec<u8>,
        options: FfiBuildOptions,
    ) -> FfiResult<String> {
        let headers: Vec<(&str, &str)> = crate::token::pairs(&headers).collect();
        Ok(self.inner.sign(&*key.inner, &method, &url, &headers, &body, &options.into())?)
    }

    /// The header names this policy names.
    pub fn describe(&self) -> String {
        self.inner.describe()
    }

    /// Whether `other` selects the same headers.
    pub fn same_policy(&self, other: &FfiSignPolicy) -> bool {
        self.inner == other.inner
    }
}

/// The `uri` value of a URL or path: path plus percent-decoded query.
#[uniffi::export]
pub fn request_uri(url: String) -> FfiResult<String> {
    let uri = taap::request::request_uri(&url)?;
    // JVM strings cannot hold bytes that are not UTF-8; the validator compares exact bytes.
    Ok(String::from_utf8_lossy(&uri).into_owned())
}

/// The `http-method` value: the method upper-cased, which must be an HTTP token.
#[uniffi::export]
pub fn request_method(method: String) -> FfiResult<String> {
    Ok(taap::request::request_method(&method)?)
}

/// The header a PoP token travels in (`X-Authorization`).
#[uniffi::export]
pub fn pop_header() -> String {
    taap::request::POP_HEADER.to_owned()
}
