//! What taap's two C ABIs share, so that each rule is written once: libtaap (`bindings-c`,
//! `taap.h`, std) and the microcontroller library (`bindings-embedded`, `taap_embedded.h`,
//! `no_std`). Both link this crate and both headers declare its C items (cbindgen parses it).
//!
//! - [`taap_status`]: one value per error kind of the core's table plus the C-only ones, and
//!   `taap_status_name`.
//! - [`Failure`] and [`FfiResult`]: why a call failed; libtaap turns it into a message, the
//!   microcontroller library into its status only.
//! - The checked conversions of C arguments ([`out_arg`], [`c_bytes`], [`c_str`], [`c_array`],
//!   [`borrow_handle`], …) and the macros that name the argument for the message
//!   ([`try_out!`], [`try_ref_from_ptr!`], [`try_slice!`], [`try_c_str!`], [`try_c_bytes!`]),
//!   after rustls-ffi's. Every raw pointer is dereferenced in one of these functions, after the
//!   checks its use needs; the macros expand to calls of them, so a caller still writes the
//!   `unsafe` block and says why the pointers meet the function's precondition.
//! - Handles ([`Handle`], [`into_handle`], [`free_handle`]), strings handed to C
//!   ([`into_c_string`], `taap_string_free`) and `taap_ehts_entry`.
//! - `taap_private_key` and the three functions both libraries have for it: from PEM, from
//!   DER, free.
//! - The panic boundary ([`status_of`], [`run`], [`guard_value`], [`ffi_panic_boundary!`]):
//!   with the `std` feature panics are caught and become `TAAP_PANIC` (or the function's
//!   default value), and [`status_of`] keeps the thread's last error for libtaap's
//!   `taap_last_error_message()`; without it the panic handler aborts. Nothing unwinds into C.
#![no_std]
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

mod arg;
mod callback;
mod ehts;
mod failure;
mod handle;
mod keys;
#[cfg(any(test, feature = "std"))]
mod last_error;
mod panic;
mod status;
mod text;

pub use arg::{c_array, c_bytes, c_str, optional_c_bytes, optional_ref, out_arg, utf8};
pub use callback::{callback_failed, callback_overran};
pub use ehts::{ehts_entries, taap_ehts_entry};
pub use failure::{ArgName, Failure, FfiResult};
pub use handle::{borrow_handle, free_handle, into_handle, Handle};
pub use keys::{
    taap_private_key, taap_private_key_free, taap_private_key_from_der, taap_private_key_from_pem,
};
#[cfg(any(test, feature = "std"))]
pub use last_error::{last_error_http_status, last_error_message};
pub use panic::{catch_panic, guard_value, run, status_of, PanicOrDefault};
pub use status::{taap_status, taap_status_name, taap_status_value};
pub use text::{into_c_string, taap_string_free};
