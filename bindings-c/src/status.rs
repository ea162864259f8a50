//! `taap_status_description`, which only libtaap has: the statuses themselves and
//! `taap_status_name` are taap-cabi's, shared with the microcontroller library.

use std::ffi::{c_char, CString};
use std::sync::LazyLock;

pub use taap_cabi::{taap_status, taap_status_value};

/// Every status's description as the static C strings `taap_status_description` hands out.
static DESCRIPTIONS: LazyLock<Vec<(taap_status, CString)>> = LazyLock::new(|| {
    let described = |status: taap_status| {
        (status, CString::new(status.description()).expect("status descriptions have no NUL"))
    };
    taap_status::ALL.into_iter().map(described).collect()
});

/// One line saying what a status means (the same text in every binding's documentation); a
/// static string, never freed. Returns NULL for a value that is not a `taap_status`.
#[no_mangle]
pub extern "C" fn taap_status_description(status: taap_status_value) -> *const c_char {
    taap_cabi::ffi_panic_boundary! {
        let Some(status) = taap_status::from_value(status) else { return std::ptr::null() };
        DESCRIPTIONS.iter().find(|(known, _)| *known == status).map_or(std::ptr::null(), |(_, text)| text.as_ptr())
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use taap::ErrorKind;

    use super::*;

    fn text(pointer: *const c_char) -> &'static str {
        assert!(!pointer.is_null());
        unsafe { CStr::from_ptr(pointer) }.to_str().unwrap()
    }

    #[test]
    fn every_status_is_described_as_the_core_table_and_the_header_say() {
        for kind in ErrorKind::ALL {
            assert_eq!(text(taap_status_description(kind.c_status())), kind.description());
        }
        assert_eq!(text(taap_status_description(0)), "The call succeeded.");
        assert_eq!(text(taap_status_description(100)), "A pointer argument that must not be NULL was NULL.");
        assert_eq!(
            text(taap_status_description(5)),
            "The token's `exp` lies in the past, beyond the leeway."
        );
        assert_eq!(text(taap_cabi::taap_status_name(5)), "TAAP_TOKEN_EXPIRED");
    }

    #[test]
    fn unknown_values_give_null() {
        for unknown in [15, 99, 103, 7000, u32::MAX] {
            assert!(taap_status_description(unknown).is_null(), "{unknown}");
        }
    }
}
