//! `Taap\TaapClient`: OAuth access token plus signed API calls, over the core's blocking client.
//! Every option but the handles is checked by the core's settings schema (camel names).

use ext_php_rs::binary::Binary;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable};
use taap::client::ClientSettings;
use taap::settings::NameStyle;

use crate::convert::{camel_array, pairs, settings_map, string_option};
use crate::errors::{config, guard};
use crate::policy::SignPolicy;

/// The options that are handles (credentials and objects), not settings of the schema.
const HANDLES: [&str; 4] = ["clientId", "clientSecret", "key", "policy"];

/// A T-Mobile API client: fetches and refreshes the access token, signs every call.
/// It has no PHP properties, so dumps never show the client secret or tokens.
#[php_class]
#[php(name = "Taap\\TaapClient")]
pub struct TaapClient {
    inner: taap::TaapClient,
}

#[php_impl]
impl TaapClient {
    /// Options: `clientId`, `clientSecret`, `key` (a `Taap\PrivateKey` or a `Taap\Signer`),
    /// optionally `policy` (a `Taap\SignPolicy`, which `signHeaders` and `uriForm` refine), and
    /// every client option of the core's settings schema under its camel name (`server`,
    /// `maxRetries`, `timeout` in seconds, `tokenStore`, …; see `Taap\settingsSchema()`).
    pub fn __construct(options: &ZendHashTable) -> PhpResult<Self> {
        let key = key_option(options)?;
        let policy = object_option::<SignPolicy>(options, "policy")?.map(|policy| policy.inner.clone());
        guard(|| {
            let key =
                key.ok_or_else(|| config("option key (a Taap\\PrivateKey or Taap\\Signer) is required"))?;
            let mut settings =
                ClientSettings::from_options(&settings_map(options, &HANDLES)?, NameStyle::Camel)?;
            if let Some(policy) = policy {
                // The handle is the policy to start from; `signHeaders` and `uriForm` refine it.
                settings = settings.with_sign_policy(policy);
            }
            // The core builds and checks the configuration (its messages name options as PHP does).
            let core = settings.client_config(
                credential(options, "clientId")?,
                credential(options, "clientSecret")?,
                key,
            )?;
            taap::TaapClient::new(core).map(|inner| TaapClient { inner })
        })
    }

    /// The options in effect under the schema's camel names and units (seconds as numbers);
    /// secret-looking header values are masked and `tokenStore` only says whether one is set.
    pub fn settings(&self) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(camel_array(self.inner.settings())?)
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

    /// The cached access token, fetched (or refreshed ahead of expiry) when needed.
    pub fn access_token(&self) -> PhpResult<AccessToken> {
        guard(|| self.inner.access_token()).map(AccessToken::from)
    }

    /// A new access token now, replacing the cached one (after a revocation, say).
    pub fn refresh_access_token(&self) -> PhpResult<AccessToken> {
        guard(|| self.inner.refresh_access_token()).map(AccessToken::from)
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

/// An OAuth 2.0 access token. It has no PHP properties, so `var_dump` and `print_r` never show it.
#[php_class]
#[php(name = "Taap\\AccessToken")]
pub struct AccessToken {
    inner: taap::client::AccessToken,
}

impl From<taap::client::AccessToken> for AccessToken {
    fn from(inner: taap::client::AccessToken) -> Self {
        AccessToken { inner }
    }
}

#[php_impl]
impl AccessToken {
    /// The token, for the `Authorization: Bearer` header (a secret: do not log it).
    pub fn secret(&self) -> String {
        self.inner.secret().to_owned()
    }

    /// The OpenID Connect id token, when the server sent one.
    pub fn id_token(&self) -> Option<String> {
        self.inner.id_token().map(str::to_owned)
    }

    /// Lifetime in seconds as the server gave it (`expires_in`).
    pub fn expires_in(&self) -> u64 {
        self.inner.expires_in()
    }

    /// Seconds of validity left now.
    pub fn remaining(&self) -> f64 {
        self.inner.remaining().as_secs_f64()
    }

    /// The granted scope, when the server sent one.
    pub fn scope(&self) -> Option<String> {
        self.inner.scope().map(str::to_owned)
    }

    /// The answer's `status` member (T-Mobile sends `success`), when present.
    pub fn status(&self) -> Option<String> {
        self.inner.status().map(str::to_owned)
    }

    /// The answer's `token_type` member (`Bearer`), when present.
    pub fn token_type(&self) -> Option<String> {
        self.inner.token_type().map(str::to_owned)
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

/// A required credential option (`clientId`, `clientSecret`).
fn credential(options: &ZendHashTable, name: &str) -> taap::Result<String> {
    string_option(Some(options), name)?.ok_or_else(|| config(format!("option {name} is required")))
}

/// The `key` option: a `Taap\PrivateKey` or a `Taap\Signer` (the client keeps the core signer,
/// and with it a callback signer's PHP callable, for as long as it lives), or a
/// `ConfigException`.
fn key_option(options: &ZendHashTable) -> PhpResult<Option<std::sync::Arc<dyn taap::keys::Signer>>> {
    let Some(value) = options.get("key").filter(|value| !value.dereference().is_null()) else {
        return Ok(None);
    };
    crate::signer::signer_of(value).map(Some).ok_or_else(|| {
        crate::errors::exception(&config("option key must be a Taap\\PrivateKey or a Taap\\Signer"))
    })
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
