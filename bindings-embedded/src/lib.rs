//! The C ABI of taap's token path for microcontrollers: keys from PEM/DER, PoP tokens from an
//! explicit `iat` and caller randomness, nothing that needs an OS. Built as a static library
//! for bare-metal targets (`thumbv7em-none-eabihf`), where it is `#![no_std]`; on the host it
//! is an ordinary crate, so that its unit tests run there.
//!
//! What it shares with libtaap (`taap_status`, the checked pointer conversions, the key
//! handle and its loaders, `taap_ehts_entry`, `taap_string_free`) is the `taap-cabi` crate;
//! this crate adds what differs: the allocator callbacks, `taap_build_options` with the
//! caller's randomness, and the panic handler. A panic aborts (bare-metal targets never
//! unwind), so nothing unwinds into C.
#![cfg_attr(target_os = "none", no_std)]
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod allocator;
#[cfg(target_os = "none")]
mod panic;
mod signer;
mod token;

pub use allocator::{taap_alloc_callback, taap_free_callback, taap_set_allocator};
pub use signer::{
    taap_public_key, taap_public_key_free, taap_public_key_from_der, taap_public_key_from_pem,
    taap_sign_digest_fn, taap_signer, taap_signer_free, taap_signer_from_callback,
};
pub use taap_cabi::{
    taap_ehts_entry, taap_private_key, taap_private_key_free, taap_private_key_from_der,
    taap_private_key_from_pem, taap_status, taap_status_name, taap_status_value, taap_string_free,
};
pub use token::{
    taap_build_options, taap_pop_token_build, taap_pop_token_build_with_signer, taap_rng_callback,
};
