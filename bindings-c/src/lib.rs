//! The C ABI of taap: `include/taap.h` + `libtaap.a` / `libtaap.so`.
//!
//! Conventions (those of rustls-ffi; README "Conventions"): every fallible function returns a
//! `taap_status` and writes its outputs only on success; every pointer argument is checked;
//! panics never cross the boundary; each allocation handed to C has its own free function.
//! What libtaap shares with the microcontroller library (the statuses, the checked pointer
//! conversions, handles, `taap_ehts_entry`, `taap_string_free`, the panic boundary) is the
//! `taap-cabi` crate; this crate adds what needs std: the last error message, keys from files
//! and with passwords, the validator, the request rules, `explain` and the client. The
//! protocol lives in the `taap` core.
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod boundary;
#[cfg(feature = "client")]
mod client;
mod convert;
mod ehts;
mod explain;
mod gate;
mod key_source;
mod keys;
mod library;
mod policy;
mod signer;
mod status;
mod token;
mod validator;

pub use boundary::{taap_last_error_http_status, taap_last_error_message};
#[cfg(feature = "client")]
pub use client::*;
pub use ehts::taap_ehts_entry;
pub use explain::{taap_explain, taap_explain_options};
pub use gate::*;
pub use key_source::*;
pub use keys::*;
pub use library::taap_version;
pub use policy::*;
pub use signer::*;
pub use status::{taap_status, taap_status_description, taap_status_value};
pub use taap_cabi::{
    taap_private_key_free, taap_private_key_from_der, taap_private_key_from_pem, taap_status_name,
    taap_string_free,
};
pub use token::*;
pub use validator::*;
