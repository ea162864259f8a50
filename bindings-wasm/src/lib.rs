//! WebAssembly half of the npm package `taap-wasm`: wasm-bindgen wrappers that convert
//! JavaScript values to core types, call the `taap` core (on its pure-Rust `rustcrypto`
//! backend) and turn its errors into JavaScript errors carrying the core's `TAAP_*` code.
//!
//! The public JavaScript API (argument checks, error classes, `Map`/object/`Headers`
//! inputs, the WebCrypto signer) lives in `js/index.js`; nothing here knows the protocol.
#![deny(unsafe_code)]
#![cfg(target_arch = "wasm32")]

mod bytes;
mod error;
mod keys;
mod policy;
mod token;
mod validator;

use wasm_bindgen::prelude::wasm_bindgen;

/// The core's version, so `coreVersion` tells which core was compiled in.
#[wasm_bindgen(js_name = coreVersion)]
pub fn core_version() -> String {
    taap::VERSION.to_owned()
}
