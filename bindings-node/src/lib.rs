//! Native half of the `taap` npm package: napi-rs wrappers that convert JavaScript values
//! to core types, call the `taap` core and turn its errors into coded JavaScript errors.
//!
//! The public JavaScript API (argument checks, error classes, `Map`/object/`Headers`
//! inputs) lives in `index.js`; nothing here knows the protocol.
#![deny(unsafe_code)]
// `#[napi]` registers exports only outside `cfg(test)`, so the unit-test build sees them as unused.
#![cfg_attr(test, allow(dead_code))]

mod bytes;
mod client;
mod error;
mod explain;
mod gate;
mod key_source;
mod keys;
mod policy;
mod signer;
mod token;
mod validator;

/// The core's version, so `require('taap').coreVersion` tells which core was compiled in.
#[napi_derive::napi]
pub fn core_version() -> &'static str {
    taap::VERSION
}
