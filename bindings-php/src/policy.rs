//! `Taap\SignPolicy`: which request headers a PoP token signs, decided by the core.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::convert::{build_options, pairs, text};
use crate::errors::{config, guard};
use crate::signer::signing_key;

/// The signing policy: the docs' `Content-Type` and `Authorization` by default.
#[php_class]
#[php(name = "Taap\\SignPolicy")]
#[derive(Clone)]
pub struct SignPolicy {
    /// The core policy.
    pub inner: taap::SignPolicy,
}

#[php_impl]
impl SignPolicy {
    /// The docs' policy (`new Taap\SignPolicy()` is the same).
    pub fn __construct() -> Self {
        SignPolicy { inner: taap::SignPolicy::new() }
    }

    /// The docs' policy: `Content-Type`, then `Authorization`, each when present.
    #[php(name = "default")]
    pub fn default_policy() -> Self {
        Self::__construct()
    }

    /// Exactly these header names, in this order, each when the request has it.
    pub fn headers(names: &ZendHashTable) -> PhpResult<Self> {
        guard(|| {
            let names = names
                .values()
                .map(|name| text(name, "a header name").map(|name| name.into_owned()))
                .collect::<taap::Result<Vec<String>>>()
                .map_err(|_| config("header names must be UTF-8 strings"))?;
            taap::SignPolicy::headers(names).map(|inner| SignPolicy { inner })
        })
    }

    /// Every header the request carries, in the request's order.
    pub fn all_headers() -> Self {
        SignPolicy { inner: taap::SignPolicy::all_headers() }
    }

    /// A copy that also signs `name`.
    pub fn with_header(&self, name: &str) -> PhpResult<Self> {
        guard(|| self.inner.clone().with_header(name).map(|inner| SignPolicy { inner }))
    }

    /// A copy that never signs `name`.
    pub fn without_header(&self, name: &str) -> PhpResult<Self> {
        guard(|| self.inner.clone().without_header(name).map(|inner| SignPolicy { inner }))
    }

    /// The PoP token for a request as this policy signs it; `key` is a `Taap\PrivateKey` or a
    /// `Taap\Signer`.
    pub fn sign(
        &self,
        key: &Zval,
        method: &str,
        url: &str,
        headers: Option<&ZendHashTable>,
        body: Option<BinarySlice<u8>>,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<String> {
        let key = signing_key(key, "Taap\\SignPolicy::sign", 1)?;
        guard(|| {
            let options = build_options(options)?;
            let headers = headers.map(|headers| pairs(headers, "headers")).transpose()?.unwrap_or_default();
            self.inner.sign(
                &key,
                method,
                url,
                &headers,
                body.as_deref().copied().unwrap_or_default(),
                &options,
            )
        })
    }

    /// The headers to add to a request: `['X-Authorization' => token]`, for any HTTP client.
    pub fn headers_for(
        &self,
        key: &Zval,
        method: &str,
        url: &str,
        headers: Option<&ZendHashTable>,
        body: Option<BinarySlice<u8>>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let key = signing_key(key, "Taap\\SignPolicy::headersFor", 1)?;
        let token = guard(|| {
            let headers = headers.map(|headers| pairs(headers, "headers")).transpose()?.unwrap_or_default();
            let body = body.as_deref().copied().unwrap_or_default();
            self.inner.sign(&key, method, url, &headers, body, &taap::token::BuildOptions::default())
        })?;
        let mut added = ZendHashTable::new();
        added.insert(taap::request::POP_HEADER, token)?;
        Ok(added)
    }

    /// The ehts names this policy would sign for these headers, in order.
    pub fn names(&self, headers: &ZendHashTable) -> PhpResult<Vec<String>> {
        guard(|| {
            let headers = pairs(headers, "headers")?;
            Ok(self.inner.select(&headers).into_iter().map(|(name, _)| name.to_owned()).collect())
        })
    }

    /// What the policy signs, for logs (`Content-Type, Authorization`, `every header`, …).
    pub fn describe(&self) -> String {
        self.inner.describe()
    }
}
