//! The FFI boundary of libtaap: taap-cabi's, which catches panics and (built with std) keeps
//! each thread's last error; here only the two functions that hand that error to C.

use std::ffi::c_char;

#[cfg(feature = "client")]
pub(crate) use taap_cabi::guard_value;
pub(crate) use taap_cabi::status_of as guard;
pub(crate) use taap_cabi::{Failure, FfiResult};

/// The message of the last call on this thread that returned a `taap_status` other than
/// `TAAP_OK`, or NULL when that call succeeded. Valid until the next such call on this thread;
/// copy it to keep it. Never contains key material, passwords or tokens.
#[no_mangle]
pub extern "C" fn taap_last_error_message() -> *const c_char {
    taap_cabi::ffi_panic_boundary! { taap_cabi::last_error_message() }
}

/// The HTTP status the OAuth server answered when the last call on this thread that returned
/// a `taap_status` failed with `TAAP_OAUTH` (e.g. 401); 0 in every other case.
#[no_mangle]
pub extern "C" fn taap_last_error_http_status() -> u16 {
    taap_cabi::ffi_panic_boundary! { taap_cabi::last_error_http_status() }
}
