//! `Taap\TaapClient`: OAuth access token plus signed API calls, over the core's blocking client.

use std::time::Duration;

use ext_php_rs::binary::Binary;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable};
use taap::{ClientConfig, OAuthServer};

use crate::convert::{int_option, known_options, pairs, string_option};
use crate::errors::{config, guard};
use crate::keys::PrivateKey;
use crate::policy::SignPolicy;

const OPTIONS: &[&str] = &[
    "clientId",
    "clientSecret",
    "key",
    "api",
    "server",
    "storeId",
    "dealerCode",
    "policy",
    "timeout",
    "retries",
    "popTtl",
];

/// A T-Mobile API client: fetches and refreshes the access token, signs every call.
/// It has no PHP properties, so dumps never show the client secret or tokens.
#[php_class]
#[php(name = "Taap\\TaapClient")]
pub struct TaapClient {
    inner: taap::TaapClient,
}

#[php_impl]
impl TaapClient {
    /// Options: `clientId`, `clientSecret`, `key` (a `Taap\PrivateKey`), `api` (an API name
    /// such as `connectivity`, or `v2`/`v6`) or `server` (a token URL), and optionally
    /// `storeId`, `dealerCode`, `policy` (a `Taap\SignPolicy`), `timeout` (seconds),
    /// `retries` and `popTtl` (seconds).
    pub fn __construct(options: &ZendHashTable) -> PhpResult<Self> {
        let key = object_option::<PrivateKey>(options, "key")?.map(|key| key.inner.clone());
        let policy = object_option::<SignPolicy>(options, "policy")?.map(|policy| policy.inner.clone());
        guard(|| {
            let options = Some(options);
            known_options(options, OPTIONS)?;
            let required = |name: &str| {
                string_option(options, name)?.ok_or_else(|| config(format!("option {name} is required")))
            };
            let key = key.ok_or_else(|| config("option key (a Taap\\PrivateKey) is required"))?;
            let server = match (string_option(options, "api")?, string_option(options, "server")?) {
                (Some(_), Some(_)) => return Err(config("give api or server, not both")),
                (Some(api), None) => OAuthServer::parse(&api)?,
                (None, Some(server)) => OAuthServer::parse(&server)?,
                (None, None) => return Err(config("option api (e.g. 'connectivity') or server is required")),
            };
            let mut core = ClientConfig::new(required("clientId")?, required("clientSecret")?, key, server);
            core.store_id = string_option(options, "storeId")?;
            core.dealer_code = string_option(options, "dealerCode")?;
            if let Some(policy) = policy {
                core.sign_policy = policy;
            }
            if let Some(timeout) = int_option(options, "timeout")? {
                core.timeouts.request = seconds(timeout, "timeout")?;
            }
            if let Some(retries) = int_option(options, "retries")? {
                core.retry.max_retries =
                    u32::try_from(retries).map_err(|_| config("retries must be 0 to 10"))?;
            }
            core.pop_ttl_secs = int_option(options, "popTtl")?.unwrap_or(core.pop_ttl_secs);
            taap::TaapClient::new(core).map(|inner| TaapClient { inner })
        })
    }

    /// Sends one signed API call (access token fetched or refreshed as needed).
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: Option<&ZendHashTable>,
        body: Option<BinarySlice<u8>>,
    ) -> PhpResult<Response> {
        guard(|| {
            let headers = headers.map(|headers| pairs(headers, "headers")).transpose()?.unwrap_or_default();
            let headers = headers
                .iter()
                .map(|(name, value)| {
                    let value = std::str::from_utf8(value).map_err(|_| {
                        taap::Error::InvalidEhts(format!("the value of header {name} is not UTF-8 text"))
                    })?;
                    Ok((name.as_ref(), value))
                })
                .collect::<taap::Result<Vec<(&str, &str)>>>()?;
            let response =
                self.inner.send(method, url, headers, body.as_deref().copied().unwrap_or_default())?;
            Ok(Response {
                status: i64::from(response.status),
                headers: response.headers,
                body: response.body,
            })
        })
    }

    /// The token URL this client uses.
    pub fn token_url(&self) -> String {
        self.inner.token_url().to_owned()
    }

    /// The token server flavour: `v2` or `v6`.
    pub fn flavor(&self) -> String {
        self.inner.flavor().name().to_owned()
    }
}

/// An API response: `status`, `headers` (name => value, as received) and `body` (bytes).
#[php_class]
#[php(name = "Taap\\Response")]
pub struct Response {
    /// The HTTP status code.
    #[php(prop)]
    status: i64,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[php_impl]
impl Response {
    /// The response headers, in the order received (a repeated name keeps its last value).
    #[php(getter)]
    pub fn headers(&self) -> PhpResult<ZBox<ZendHashTable>> {
        let mut array = ZendHashTable::new();
        for (name, value) in &self.headers {
            array.insert(name.as_str(), value.as_str())?;
        }
        Ok(array)
    }

    /// The exact response body.
    #[php(getter)]
    pub fn body(&self) -> Binary<u8> {
        Binary::from(self.body.clone())
    }

    /// The first value of header `name` (any case), or null.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    }
}

fn seconds(value: i64, name: &str) -> taap::Result<Duration> {
    u64::try_from(value).map(Duration::from_secs).map_err(|_| config(format!("{name} must not be negative")))
}

/// An object option of a Rust-backed class, or a `ConfigException` naming the class wanted.
fn object_option<'a, T: ext_php_rs::class::RegisteredClass>(
    options: &'a ZendHashTable,
    name: &str,
) -> PhpResult<Option<&'a T>> {
    let Some(value) = options.get(name).filter(|value| !value.is_null()) else { return Ok(None) };
    value.object().and_then(ZendClassObject::<T>::from_zend_obj).map(|object| Some(&**object)).ok_or_else(
        || crate::errors::exception(&config(format!("option {name} must be a {}", T::CLASS_NAME))),
    )
}
