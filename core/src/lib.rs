//! # taap — the T-Mobile API Access Protocol client
//!
//! Proof-of-Possession (PoP) tokens, the request signer, and the gateway-side validator.
//!
//! ```
//! use taap::{PopToken, PopTokenValidator, PrivateKey};
//!
//! let key = PrivateKey::generate(2048)?;
//! let token = PopToken::for_request(
//!     &key,
//!     "POST",
//!     "https://api.t-mobile.com/commerce/v1/orders",
//!     [("Content-Type", "application/json")],
//!     br#"{"orderId": 100}"#,
//! )?;
//!
//! let values = [
//!     ("Content-Type", &b"application/json"[..]),
//!     ("uri", b"/commerce/v1/orders"),
//!     ("http-method", b"POST"),
//!     ("body", br#"{"orderId": 100}"#),
//! ];
//! let decoded = PopTokenValidator::default().validate(&token, key.public_key(), &values)?;
//! assert_eq!(decoded.claims().ehts, ["Content-Type", "uri", "http-method", "body"]);
//! # Ok::<(), taap::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(all(feature = "aws-lc", feature = "rustcrypto"))]
compile_error!(
    "taap: the `aws-lc` and `rustcrypto` features are two crypto backends; enable exactly one \
     (for rustcrypto: `default-features = false, features = [\"std\", \"rustcrypto\"]`)"
);
#[cfg(not(any(feature = "aws-lc", feature = "rustcrypto")))]
compile_error!(
    "taap: no crypto backend; enable exactly one of the `aws-lc` (default) and `rustcrypto` features"
);

#[cfg(feature = "client")]
mod client;
mod crypto;
mod ehts;
mod error;
#[cfg(feature = "std")]
mod explain;
mod keys;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "std")]
mod request;
#[cfg(feature = "std")]
pub mod settings;
#[cfg(feature = "std")]
mod shared_replay;
mod token;
#[cfg(feature = "std")]
mod validator;

/// What the standard prelude gives the `std` build, taken from `alloc` for the `no_std` one.
#[cfg(not(feature = "std"))]
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::format;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec;
    pub(crate) use alloc::vec::Vec;
}
#[cfg(not(feature = "std"))]
use prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

#[cfg(feature = "redis-async")]
pub use self::redis::AsyncRedisReplayStore;
#[cfg(feature = "redis")]
pub use self::redis::{RedisReplayStore, SharedRefusal};
#[cfg(all(feature = "client", feature = "redis"))]
pub use self::redis::{RedisTokenStore, DEFAULT_TOKEN_STORE_DEADLINE};
#[cfg(feature = "async-client")]
pub use client::AsyncTaapClient;
#[cfg(feature = "client")]
pub use client::{
    config_path, effective_settings, mask_request, AccessToken, ClientConfig, ClientSecret, ClientSettings,
    OAuthServer, PreparedRequest, Profile, Profiles, Response, RetryPolicy, TaapClient, Timeouts, TokenBody,
    TokenFlavor, CLIENT_ID_PLACEHOLDER, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REFRESH_MARGIN, PROFILE_KEYS,
    PUBLIC_KEY_PEM_PLACEHOLDER, SKEW_THRESHOLD_SECS, TMOBILE_APIS, TMOBILE_V2_TOKEN_URL,
    TMOBILE_V6_TOKEN_URL,
};
#[cfg(feature = "client")]
pub use client::{token_store_from_url, OnWarning, StoreError, TokenStore};
pub use ehts::{Ehts, EhtsName, EhtsValues, MAX_EHTS_ENTRIES};
pub use error::{Error, ErrorKind, Result};
#[cfg(feature = "std")]
pub use explain::{
    explain, mask_secret, EdtsCheck, Entry, ExplainOptions, ExplainRequest, ExplainedClaims, ExplainedHeader,
    Explanation, SignatureCheck, TimeCheck, Variant, VariantMatch,
};
#[cfg(feature = "std")]
pub use keys::KEY_CACHE_CAPACITY;
pub use keys::{PrivateKey, PublicKey, MAX_KEY_BITS, MIN_KEY_BITS};
#[cfg(feature = "std")]
pub use request::{
    authorization_credentials, received_uri, request_method, request_uri, request_uri_as, ReceivedRequest,
    SignPolicy, UriForm, BODY, DEFAULT_SIGNED_HEADERS, HTTP_METHOD, POP_HEADER, URI,
};
#[cfg(feature = "std")]
pub use shared_replay::{
    redis_memory_since, replay_store_unavailable, shared_replay_error, ReplayEntry,
    DEFAULT_REPLAY_STORE_DEADLINE, REPLAY_KEY_PREFIX, RESTARTED_REASON,
};
pub use token::{
    BuildOptions, Claims, Header, PopExtras, PopToken, DEFAULT_TTL_SECS, MAX_JTI_BYTES, MAX_TOKEN_BYTES,
    MAX_TTL_SECS,
};
#[cfg(feature = "std")]
pub use validator::{
    PopTokenValidator, ReplayCache, ValidatorOptions, DEFAULT_LEEWAY_SECS, DEFAULT_MAX_AGE_SECS,
    DEFAULT_REPLAY_CAPACITY,
};

/// The crate version, as bindings report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub(crate) fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url without padding, as JWS requires.
pub(crate) fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// The system clock in epoch seconds.
#[cfg(all(feature = "std", not(all(target_arch = "wasm32", target_os = "unknown"))))]
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// The host's clock in epoch seconds. wasm32-unknown-unknown has no OS clock and
/// `SystemTime::now()` panics there, so the JavaScript host's `Date.now()` is asked instead.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub fn now_unix() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}
