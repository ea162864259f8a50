//! Library-wide functions: the version (freeing strings is taap-cabi's `taap_string_free`).

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

/// The taap version, e.g. `"0.1.0"`; a static string, never freed.
#[no_mangle]
pub extern "C" fn taap_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    taap_cabi::ffi_panic_boundary! {
        VERSION.get_or_init(|| CString::new(taap::VERSION).unwrap_or_default()).as_ptr()
    }
}
