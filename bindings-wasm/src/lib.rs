//! WebAssembly half of the npm package `taap-wasm`: wasm-bindgen wrappers that convert
//! JavaScript values to core types, call the `taap` core (on its pure-Rust `rustcrypto`
//! backend) and turn its errors into JavaScript errors carrying the core's `TAAP_*` code.
//!
//! The public JavaScript API (argument checks, error classes, `Map`/object/`Headers`
//! inputs) is the JavaScript every door shares (`bindings-js/src`); `js/backend.js` adapts
//! these exports to it, and signs through a `SignerHandle` what JavaScript signs (WebCrypto, a
//! callback `Signer`). Nothing here knows the protocol.
#![deny(unsafe_code)]
#![cfg(target_arch = "wasm32")]

mod bytes;
mod error;
mod explain;
mod keys;
mod policy;
mod signer;
mod token;
mod validator;

use wasm_bindgen::prelude::wasm_bindgen;

/// Every option of every door as the core declares it (JSON text; the shared JavaScript parses it).
#[wasm_bindgen(js_name = settingsSchema)]
pub fn settings_schema() -> String {
    taap::settings::settings_schema_json()
}

/// The core's version, so `coreVersion` tells which core was compiled in.
#[wasm_bindgen(js_name = coreVersion)]
pub fn core_version() -> String {
    taap::VERSION.to_owned()
}
