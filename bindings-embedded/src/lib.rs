//! The C ABI of taap's token path for microcontrollers: keys from PEM/DER, PoP tokens from an
//! explicit `iat` and caller randomness, nothing that needs an OS. Built as a static library
//! for bare-metal targets (`thumbv7em-none-eabihf`), where it is `#![no_std]`; on the host it
//! is an ordinary crate, so that its unit tests run there.
//!
//! Every exported function checks its pointers and lengths and returns a [`taap_status`]; a
//! panic aborts (bare-metal targets never unwind), so nothing unwinds into C.
#![cfg_attr(target_os = "none", no_std)]
#![allow(non_camel_case_types)]

extern crate alloc;

mod allocator;
mod convert;
mod keys;
#[cfg(target_os = "none")]
mod panic;
mod status;
mod token;

pub use allocator::{taap_alloc_callback, taap_free_callback, taap_set_allocator};
pub use keys::{
    taap_private_key, taap_private_key_free, taap_private_key_from_der, taap_private_key_from_pem,
};
pub use status::{taap_status, taap_status_name, taap_status_value};
pub use token::{
    taap_build_options, taap_ehts_entry, taap_pop_token_build, taap_rng_callback, taap_string_free,
};
