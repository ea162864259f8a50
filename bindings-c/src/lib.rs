//! The C ABI of taap: `include/taap.h` + `libtaap.a` / `libtaap.so`.
//!
//! Conventions (those of rustls-ffi): every fallible function returns a `taap_status` and
//! writes its outputs only on success; every pointer argument is checked; panics never cross
//! the boundary; each allocation handed to C has its own free function. This crate converts
//! types and errors only: the protocol lives in the `taap` core.
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod boundary;
#[cfg(feature = "client")]
mod client;
mod convert;
mod ehts;
mod keys;
mod library;
mod policy;
mod status;
mod token;
mod validator;

pub use boundary::{taap_last_error_http_status, taap_last_error_message};
#[cfg(feature = "client")]
pub use client::*;
pub use ehts::taap_ehts_entry;
pub use keys::*;
pub use library::{taap_string_free, taap_version};
pub use policy::*;
pub use status::{taap_status, taap_status_description, taap_status_name, taap_status_value};
pub use token::*;
pub use validator::*;
