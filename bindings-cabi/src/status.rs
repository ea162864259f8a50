//! `taap_status`: one value per error kind of the core's table, plus the failures only C callers
//! can cause. taap.h and taap_embedded.h both declare this enum, so the values cannot differ.

use core::ffi::{c_char, c_uint, CStr};

use taap::ErrorKind;

/// What a taap call returned: `TAAP_OK`, or the kind of error (libtaap keeps the details for
/// `taap_last_error_message()`). Values are part of the ABI and are never renumbered; new
/// kinds get new numbers.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum taap_status {
    /// The call succeeded.
    TAAP_OK = 0,
    // BEGIN GENERATED error kinds: variants (core/tests/declarations.rs)
    /// The key cannot be parsed, is not RSA, or is outside 2048 to 8192 bits.
    TAAP_INVALID_KEY = 1,
    /// The private key is encrypted and the password is missing or wrong.
    TAAP_KEY_DECRYPT = 2,
    /// The ehts are empty, over 100, or have a blank, duplicate or `;` name; or a method or URL is bad.
    TAAP_INVALID_EHTS = 3,
    /// The token is not a well-formed RS256 PoP token, is issued in the future, or lacks a required name.
    TAAP_INVALID_TOKEN = 4,
    /// The token's `exp` lies in the past, beyond the leeway.
    TAAP_TOKEN_EXPIRED = 5,
    /// The token's `iat` is older than the validator's maximum age.
    TAAP_TOKEN_TOO_OLD = 6,
    /// The RS256 signature does not verify with the given public key.
    TAAP_SIGNATURE_INVALID = 7,
    /// The request's values differ from the ones the token signed.
    TAAP_EDTS_MISMATCH = 8,
    /// The token signs a name the request has no value for.
    TAAP_MISSING_EHTS_VALUE = 9,
    /// The token's `jti` was seen before, or the replay cache is full (it fails closed).
    TAAP_REPLAY = 10,
    /// The OAuth server answered with an error or an unusable token; its HTTP status is kept.
    TAAP_OAUTH = 11,
    /// The HTTP exchange failed: connection, DNS, TLS, timeout, I/O or an oversized response.
    TAAP_TRANSPORT = 12,
    /// An option or argument is out of range or inconsistent.
    TAAP_CONFIG = 13,
    /// The client's keys cannot be fetched (a JWK set URL is down) and no usable copy is cached.
    TAAP_KEY_SOURCE_UNAVAILABLE = 14,
    // END GENERATED
    /// A pointer argument that must not be NULL was NULL.
    TAAP_NULL_ARGUMENT = 100,
    /// A string argument that must be UTF-8 (names, method, URL, token, JWK, jti) was not.
    TAAP_INVALID_UTF8 = 101,
    /// taap hit an internal error it did not expect (a bug: please report it). Nothing was
    /// written to the output arguments; the library stays usable.
    TAAP_PANIC = 102,
}

impl taap_status {
    /// Every status, in numeric order.
    pub const ALL: [taap_status; 4 + ErrorKind::ALL.len()] = [
        taap_status::TAAP_OK,
        // BEGIN GENERATED error kinds: ALL (core/tests/declarations.rs)
        taap_status::TAAP_INVALID_KEY,
        taap_status::TAAP_KEY_DECRYPT,
        taap_status::TAAP_INVALID_EHTS,
        taap_status::TAAP_INVALID_TOKEN,
        taap_status::TAAP_TOKEN_EXPIRED,
        taap_status::TAAP_TOKEN_TOO_OLD,
        taap_status::TAAP_SIGNATURE_INVALID,
        taap_status::TAAP_EDTS_MISMATCH,
        taap_status::TAAP_MISSING_EHTS_VALUE,
        taap_status::TAAP_REPLAY,
        taap_status::TAAP_OAUTH,
        taap_status::TAAP_TRANSPORT,
        taap_status::TAAP_CONFIG,
        taap_status::TAAP_KEY_SOURCE_UNAVAILABLE,
        // END GENERATED
        taap_status::TAAP_NULL_ARGUMENT,
        taap_status::TAAP_INVALID_UTF8,
        taap_status::TAAP_PANIC,
    ];

    /// The status with this value, as C hands a status in (any integer); `None` for others.
    pub fn from_value(value: taap_status_value) -> Option<Self> {
        taap_status::ALL.into_iter().find(|status| *status as taap_status_value == value)
    }

    /// The status for a core error kind: the value the core's error table gives it.
    pub fn from_kind(kind: ErrorKind) -> Self {
        // A kind newer than this enum is caught by the unit tests before it could get here.
        taap_status::from_value(kind.c_status()).unwrap_or(taap_status::TAAP_PANIC)
    }

    /// The core's error kind this status stands for; `None` for the C-only statuses.
    pub fn kind(self) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.c_status() == self as taap_status_value)
    }

    /// The status's name, e.g. `TAAP_TOKEN_EXPIRED`, as a static C string.
    pub fn name(self) -> &'static CStr {
        match self {
            taap_status::TAAP_OK => c"TAAP_OK",
            // BEGIN GENERATED error kinds: names (core/tests/declarations.rs)
            taap_status::TAAP_INVALID_KEY => c"TAAP_INVALID_KEY",
            taap_status::TAAP_KEY_DECRYPT => c"TAAP_KEY_DECRYPT",
            taap_status::TAAP_INVALID_EHTS => c"TAAP_INVALID_EHTS",
            taap_status::TAAP_INVALID_TOKEN => c"TAAP_INVALID_TOKEN",
            taap_status::TAAP_TOKEN_EXPIRED => c"TAAP_TOKEN_EXPIRED",
            taap_status::TAAP_TOKEN_TOO_OLD => c"TAAP_TOKEN_TOO_OLD",
            taap_status::TAAP_SIGNATURE_INVALID => c"TAAP_SIGNATURE_INVALID",
            taap_status::TAAP_EDTS_MISMATCH => c"TAAP_EDTS_MISMATCH",
            taap_status::TAAP_MISSING_EHTS_VALUE => c"TAAP_MISSING_EHTS_VALUE",
            taap_status::TAAP_REPLAY => c"TAAP_REPLAY",
            taap_status::TAAP_OAUTH => c"TAAP_OAUTH",
            taap_status::TAAP_TRANSPORT => c"TAAP_TRANSPORT",
            taap_status::TAAP_CONFIG => c"TAAP_CONFIG",
            taap_status::TAAP_KEY_SOURCE_UNAVAILABLE => c"TAAP_KEY_SOURCE_UNAVAILABLE",
            // END GENERATED
            taap_status::TAAP_NULL_ARGUMENT => c"TAAP_NULL_ARGUMENT",
            taap_status::TAAP_INVALID_UTF8 => c"TAAP_INVALID_UTF8",
            taap_status::TAAP_PANIC => c"TAAP_PANIC",
        }
    }

    /// One line saying what the status means: the core's description for an error kind, the
    /// doc comment above for a C-only status (the headers show the same text).
    pub fn description(self) -> &'static str {
        match self {
            taap_status::TAAP_OK => "The call succeeded.",
            taap_status::TAAP_NULL_ARGUMENT => "A pointer argument that must not be NULL was NULL.",
            taap_status::TAAP_INVALID_UTF8 => {
                "A string argument that must be UTF-8 (names, method, URL, token, JWK, jti) was not."
            }
            taap_status::TAAP_PANIC => {
                "taap hit an internal error it did not expect (a bug: please report it). Nothing was \
                 written to the output arguments; the library stays usable."
            }
            error_kind => error_kind.kind().map_or("", ErrorKind::description),
        }
    }
}

/// A `taap_status` as C hands it in: any integer, so it is matched, never transmuted.
pub type taap_status_value = c_uint;

/// The name of a status, e.g. `"TAAP_TOKEN_EXPIRED"`; a static string, never freed.
/// Returns NULL for a value that is not a `taap_status`.
#[no_mangle]
pub extern "C" fn taap_status_name(status: taap_status_value) -> *const c_char {
    taap_status::from_value(status).map_or(core::ptr::null(), |known| known.name().as_ptr())
}

#[cfg(test)]
mod tests {
    use std::borrow::ToOwned;
    use std::string::String;
    use std::vec::Vec;

    use super::*;

    #[test]
    fn every_core_kind_has_the_value_name_and_description_of_the_core_table() {
        for kind in ErrorKind::ALL {
            let status = taap_status::from_kind(kind);
            assert_eq!(status.kind(), Some(kind));
            assert_eq!(status as u32, kind.c_status(), "{kind:?}");
            assert_eq!(status.name().to_str().unwrap(), kind.code());
            assert_eq!(status.description(), kind.description());
        }
        assert_eq!(taap_status::from_kind(ErrorKind::TokenExpired), taap_status::TAAP_TOKEN_EXPIRED);
    }

    #[test]
    fn all_is_every_status_in_numeric_order() {
        let values: Vec<u32> = taap_status::ALL.iter().map(|status| *status as u32).collect();
        assert_eq!(values, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 100, 101, 102]);
        for status in taap_status::ALL {
            assert_eq!(taap_status::from_value(status as u32), Some(status));
            assert!(!status.description().is_empty(), "{status:?}");
        }
    }

    #[test]
    fn names_of_values_and_null_for_unknown_ones() {
        let name = |value| unsafe { CStr::from_ptr(taap_status_name(value)) }.to_str().unwrap();
        assert_eq!(name(0), "TAAP_OK");
        assert_eq!(name(2), "TAAP_KEY_DECRYPT");
        assert_eq!(name(13), "TAAP_CONFIG");
        assert_eq!(name(101), "TAAP_INVALID_UTF8");
        for unknown in [15, 99, 103, 7000, u32::MAX] {
            assert!(taap_status_name(unknown).is_null(), "{unknown}");
            assert_eq!(taap_status::from_value(unknown), None);
        }
    }

    /// `(name, value, doc comment)` of every entry of a header's `taap_status` enum.
    fn header_statuses(header: &str) -> Vec<(String, u32, String)> {
        let (_, body) = header.split_once("typedef enum taap_status {\n").expect("declares taap_status");
        let (body, _) = body.split_once("} taap_status;").expect("the enum ends");
        let mut statuses = Vec::new();
        let mut doc: Vec<&str> = Vec::new();
        for line in body.lines().map(str::trim) {
            if line == "/**" || line == "*/" {
                continue;
            }
            if let Some(text) = line.strip_prefix('*') {
                doc.push(text.trim());
            } else {
                let (name, value) = line.trim_end_matches(',').split_once(" = ").expect("NAME = value,");
                statuses.push((name.to_owned(), value.parse().unwrap(), doc.join(" ")));
                doc.clear();
            }
        }
        statuses
    }

    /// Both headers declare this enum: every status, with its value and description.
    #[test]
    fn both_headers_declare_every_status_with_its_value_and_description() {
        let expected: Vec<(String, u32, String)> = taap_status::ALL
            .iter()
            .map(|status| {
                let name = status.name().to_str().unwrap().to_owned();
                (name, *status as u32, status.description().to_owned())
            })
            .collect();
        let taap_h = include_str!("../../bindings-c/include/taap.h");
        let embedded_h = include_str!("../../bindings-embedded/include/taap_embedded.h");
        assert_eq!(header_statuses(taap_h), expected, "taap.h");
        assert_eq!(header_statuses(embedded_h), expected, "taap_embedded.h");
    }
}
