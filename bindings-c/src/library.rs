//! Library-wide functions: the version, and freeing the strings taap hands out.

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use zeroize::Zeroize;

use crate::boundary::guard_value;

/// The taap version, e.g. `"0.1.0"`; a static string, never freed.
#[no_mangle]
pub extern "C" fn taap_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    guard_value(std::ptr::null(), || {
        VERSION.get_or_init(|| CString::new(taap::VERSION).unwrap_or_default()).as_ptr()
    })
}

/// Frees (and wipes) a string taap returned: tokens, PEM, JWK, thumbprints. NULL is ignored.
///
/// # Safety
/// `s` is NULL or a string from this library, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_string_free(s: *mut c_char) {
    guard_value((), || {
        if !s.is_null() {
            // SAFETY: per the contract, `s` came from `CString::into_raw` in this library.
            let mut bytes = unsafe { CString::from_raw(s) }.into_bytes();
            // Private key PEM comes back through here too; wiping every string keeps it simple.
            bytes.zeroize();
        }
    });
}
