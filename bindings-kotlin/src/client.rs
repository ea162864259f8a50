//! `TaapClient`: OAuth access tokens and signed API calls. The options cross as one JSON object
//! under the settings schema's camel names and the core checks every one; the core client
//! blocks, and the Kotlin layer runs the async variant on an executor.

use std::sync::Arc;

use taap::settings::NameStyle;

use crate::error::FfiResult;
use crate::settings::camel_json;
use crate::signer::FfiSigner;
use crate::token::{pairs, FfiEntry};

/// An access token and what the server said about it.
#[derive(uniffi::Record)]
pub struct FfiAccessToken {
    /// The bearer token (a secret; the Kotlin class keeps it out of `toString`).
    pub token: String,
    /// The OpenID Connect id token, when sent.
    pub id_token: Option<String>,
    /// Lifetime in seconds as the server gave it.
    pub expires_in: u64,
    /// Milliseconds of validity left when the call returned.
    pub remaining_ms: u64,
    /// The granted scope, when sent.
    pub scope: Option<String>,
    /// The answer's `status` member, when sent.
    pub status: Option<String>,
}

impl From<taap::client::AccessToken> for FfiAccessToken {
    fn from(token: taap::client::AccessToken) -> Self {
        FfiAccessToken {
            token: token.secret().to_owned(),
            id_token: token.id_token().map(str::to_owned),
            expires_in: token.expires_in(),
            remaining_ms: u64::try_from(token.remaining().as_millis()).unwrap_or(u64::MAX),
            scope: token.scope().map(str::to_owned),
            status: token.status().map(str::to_owned),
        }
    }
}

/// An HTTP answer: status, headers in arrival order (names lower-case) and the body.
#[derive(uniffi::Record)]
pub struct FfiResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The headers.
    pub headers: Vec<FfiEntry>,
    /// The whole body.
    pub body: Vec<u8>,
}

/// A `taap::TaapClient`; its token cache is shared by every JVM thread using it.
#[derive(uniffi::Object)]
pub struct FfiClient {
    inner: taap::TaapClient,
}

#[uniffi::export]
impl FfiClient {
    /// Checks the credentials and `options` (a JSON object, camel names) against the schema;
    /// no network traffic yet.
    #[uniffi::constructor]
    pub fn new(
        client_id: String,
        client_secret: String,
        options: String,
        key: &FfiSigner,
    ) -> FfiResult<Self> {
        let settings = taap::client::ClientSettings::from_json(&options, NameStyle::Camel)?;
        let config = settings.client_config(client_id, client_secret, Arc::clone(&key.inner))?;
        Ok(FfiClient { inner: taap::TaapClient::new(config)? })
    }

    /// The options in effect as a JSON object under the camel names, secrets masked.
    pub fn settings(&self) -> String {
        camel_json(self.inner.settings())
    }

    /// The client id.
    pub fn client_id(&self) -> String {
        self.inner.client_id().to_owned()
    }

    /// The token endpoint URL.
    pub fn token_url(&self) -> String {
        self.inner.token_url().to_owned()
    }

    /// `v2` or `v6`.
    pub fn flavor(&self) -> String {
        self.inner.flavor().name().to_owned()
    }

    /// The cached access token, or a new one.
    pub fn access_token(&self) -> FfiResult<FfiAccessToken> {
        Ok(self.inner.access_token()?.into())
    }

    /// A new access token, replacing the cached one.
    pub fn refresh_access_token(&self) -> FfiResult<FfiAccessToken> {
        Ok(self.inner.refresh_access_token()?.into())
    }

    /// A signed API call (blocking).
    pub fn send(
        &self,
        method: String,
        url: String,
        headers: Vec<FfiEntry>,
        body: Vec<u8>,
    ) -> FfiResult<FfiResponse> {
        let response = self.inner.send(&method, &url, pairs(&headers), &body)?;
        Ok(FfiResponse {
            status: response.status,
            headers: response.headers.into_iter().map(|(name, value)| FfiEntry { name, value }).collect(),
            body: response.body,
        })
    }
}
