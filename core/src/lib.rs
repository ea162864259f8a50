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
pub mod client;
mod crypto;
#[cfg(feature = "std")]
pub mod diagnose;
mod ehts;
pub mod error;
#[cfg(feature = "std")]
mod explain;
#[cfg(feature = "std")]
mod gate;
#[cfg(feature = "client")]
mod jwks;
#[cfg(feature = "std")]
mod key_set;
#[cfg(feature = "std")]
mod key_source;
pub mod keys;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "std")]
pub mod request;
#[cfg(feature = "std")]
pub mod settings;
#[cfg(feature = "std")]
mod shared_replay;
pub mod token;
#[cfg(feature = "std")]
mod trace;
#[cfg(feature = "std")]
pub mod validate;
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

// The everyday items stay at the root; everything else lives in the module named by its job.
#[cfg(feature = "client")]
pub use client::TaapClient;
pub use error::{Error, ErrorKind, Result};
pub use keys::{PrivateKey, PublicKey};
#[cfg(feature = "std")]
pub use request::SignPolicy;
pub use token::PopToken;
#[cfg(feature = "std")]
pub use validate::PopTokenValidator;

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
