//! `taap_status`: the values of taap.h, each error kind's taken from the core's one table.

use core::ffi::{c_char, c_uint, CStr};

/// What a taap call returned: `TAAP_OK`, or the kind of error. The values are taap.h's and are
/// never renumbered, and the error kinds' descriptions are taap.h's too; only the kinds the
/// token path can produce are declared (an encrypted key is `TAAP_INVALID_KEY`, missing or
/// failed randomness `TAAP_CONFIG`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum taap_status {
    /// The call succeeded.
    TAAP_OK = 0,
    // BEGIN GENERATED error kinds: variants (core/tests/declarations.rs)
    /// The key cannot be parsed, is not RSA, or is outside 2048 to 8192 bits.
    TAAP_INVALID_KEY = 1,
    /// The ehts are empty, over 100, or have a blank, duplicate or `;` name; or a method or URL is bad.
    TAAP_INVALID_EHTS = 3,
    /// An option or argument is out of range or inconsistent.
    TAAP_CONFIG = 13,
    // END GENERATED
    /// A pointer argument that must not be NULL was NULL.
    TAAP_NULL_ARGUMENT = 100,
    /// A string argument that must be UTF-8 (an ehts name) was not.
    TAAP_INVALID_UTF8 = 101,
    /// taap hit an internal error it did not expect (a bug: please report it).
    TAAP_PANIC = 102,
}

impl taap_status {
    /// Every status this library returns.
    const ALL: [taap_status; 7] = [
        taap_status::TAAP_OK,
        // BEGIN GENERATED error kinds: ALL (core/tests/declarations.rs)
        taap_status::TAAP_INVALID_KEY,
        taap_status::TAAP_INVALID_EHTS,
        taap_status::TAAP_CONFIG,
        // END GENERATED
        taap_status::TAAP_NULL_ARGUMENT,
        taap_status::TAAP_INVALID_UTF8,
        taap_status::TAAP_PANIC,
    ];

    /// The status of a core error: the value the core's error table gives its kind.
    pub(crate) fn from_error(error: &taap::Error) -> Self {
        let value = error.kind().c_status();
        taap_status::ALL
            .into_iter()
            .find(|status| *status as u32 == value)
            // A kind the token path cannot produce; the unit tests check the ones it can.
            .unwrap_or(taap_status::TAAP_PANIC)
    }

    /// The status's name as a NUL-terminated static string.
    fn name(self) -> &'static CStr {
        match self {
            taap_status::TAAP_OK => c"TAAP_OK",
            // BEGIN GENERATED error kinds: names (core/tests/declarations.rs)
            taap_status::TAAP_INVALID_KEY => c"TAAP_INVALID_KEY",
            taap_status::TAAP_INVALID_EHTS => c"TAAP_INVALID_EHTS",
            taap_status::TAAP_CONFIG => c"TAAP_CONFIG",
            // END GENERATED
            taap_status::TAAP_NULL_ARGUMENT => c"TAAP_NULL_ARGUMENT",
            taap_status::TAAP_INVALID_UTF8 => c"TAAP_INVALID_UTF8",
            taap_status::TAAP_PANIC => c"TAAP_PANIC",
        }
    }
}

/// A `taap_status` as C hands it in: any integer, so it is matched, never transmuted.
pub type taap_status_value = c_uint;

/// The name of a status, e.g. `"TAAP_INVALID_KEY"`; a static string, never freed. Returns NULL
/// for a value this library never returns.
#[no_mangle]
pub extern "C" fn taap_status_name(status: taap_status_value) -> *const c_char {
    taap_status::ALL
        .into_iter()
        .find(|known| *known as u32 == status)
        .map_or(core::ptr::null(), |known| known.name().as_ptr())
}

#[cfg(test)]
mod tests {
    use taap::ErrorKind;

    use super::*;

    /// The error kinds' values come from the core's table, and their names are its codes.
    #[test]
    fn kinds_match_the_core_error_table() {
        let kinds = [ErrorKind::InvalidKey, ErrorKind::InvalidEhts, ErrorKind::Config];
        for kind in kinds {
            let status = taap_status::ALL
                .into_iter()
                .find(|status| *status as u32 == kind.c_status())
                .expect("listed");
            assert_eq!(status.name().to_str().unwrap(), kind.code(), "{kind:?}");
        }
        let core_statuses: Vec<u32> = ErrorKind::ALL.iter().map(|kind| kind.c_status()).collect();
        for status in taap_status::ALL {
            let value = status as u32;
            let is_kind = kinds.iter().any(|kind| kind.c_status() == value);
            // The rest are C-only values, outside the core's range.
            assert!(is_kind || (value == 0 || value >= 100) && !core_statuses.contains(&value), "{status:?}");
        }
    }

    /// The statuses shared with taap.h have the same names and values there.
    #[test]
    fn values_match_taap_h() {
        let taap_h = include_str!("../../bindings-c/include/taap.h");
        for status in taap_status::ALL {
            let line = format!("    {} = {},", status.name().to_str().unwrap(), status as u32);
            assert!(taap_h.contains(&line), "taap.h lacks {line:?}");
        }
    }

    #[test]
    fn names_and_unknown_values() {
        let name = unsafe { CStr::from_ptr(taap_status_name(13)) };
        assert_eq!(name, c"TAAP_CONFIG");
        assert!(taap_status_name(2).is_null());
        assert!(taap_status_name(999).is_null());
    }
}
