//! `taap_status`: one value per error kind of the core, plus the failures only C callers can cause.

use std::ffi::{c_char, c_uint, CString};
use std::sync::LazyLock;

use taap::ErrorKind;

/// What a taap call returned: `TAAP_OK`, or the kind of error (details in
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
    pub(crate) const ALL: [taap_status; C_ONLY.len() + ErrorKind::ALL.len()] = [
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
        // END GENERATED
        taap_status::TAAP_NULL_ARGUMENT,
        taap_status::TAAP_INVALID_UTF8,
        taap_status::TAAP_PANIC,
    ];

    /// The status for a core error kind: the value the core's error table gives it.
    pub(crate) fn from_kind(kind: ErrorKind) -> Self {
        taap_status::ALL
            .into_iter()
            .find(|status| *status as u32 == kind.c_status())
            // A kind newer than this enum is a binding bug; the unit tests catch it first.
            .unwrap_or(taap_status::TAAP_PANIC)
    }
}

/// The statuses only the C ABI has, with their names and descriptions (the doc comments above).
const C_ONLY: [(taap_status, &str, &str); 4] = [
    (taap_status::TAAP_OK, "TAAP_OK", "The call succeeded."),
    (
        taap_status::TAAP_NULL_ARGUMENT,
        "TAAP_NULL_ARGUMENT",
        "A pointer argument that must not be NULL was NULL.",
    ),
    (
        taap_status::TAAP_INVALID_UTF8,
        "TAAP_INVALID_UTF8",
        "A string argument that must be UTF-8 (names, method, URL, token, JWK, jti) was not.",
    ),
    (
        taap_status::TAAP_PANIC,
        "TAAP_PANIC",
        "taap hit an internal error it did not expect (a bug: please report it). Nothing was \
         written to the output arguments; the library stays usable.",
    ),
];

/// A status's name and description as the static C strings `taap_status_name` and
/// `taap_status_description` hand out.
struct Described {
    value: taap_status_value,
    name: CString,
    description: CString,
}

/// Every status, described: the core's error table for the error kinds, [`C_ONLY`] for the rest.
static DESCRIBED: LazyLock<Vec<Described>> = LazyLock::new(|| {
    let c_only =
        C_ONLY.iter().map(|(status, name, description)| (*status as taap_status_value, *name, *description));
    let core = ErrorKind::ALL.iter().map(|kind| (kind.c_status(), kind.code(), kind.description()));
    let mut described: Vec<Described> = c_only
        .chain(core)
        .map(|(value, name, description)| Described {
            value,
            name: CString::new(name).expect("status names have no NUL"),
            description: CString::new(description).expect("status descriptions have no NUL"),
        })
        .collect();
    described.sort_by_key(|entry| entry.value);
    described
});

fn described(status: taap_status_value) -> Option<&'static Described> {
    DESCRIBED.iter().find(|entry| entry.value == status)
}

/// A `taap_status` as C hands it in: any integer, so it is matched, never transmuted.
pub type taap_status_value = c_uint;

/// The name of a status, e.g. `"TAAP_TOKEN_EXPIRED"`; a static string, never freed.
/// Returns NULL for a value that is not a `taap_status`.
#[no_mangle]
pub extern "C" fn taap_status_name(status: taap_status_value) -> *const c_char {
    described(status).map_or(std::ptr::null(), |entry| entry.name.as_ptr())
}

/// One line saying what a status means (the same text in every binding's documentation); a
/// static string, never freed. Returns NULL for a value that is not a `taap_status`.
#[no_mangle]
pub extern "C" fn taap_status_description(status: taap_status_value) -> *const c_char {
    described(status).map_or(std::ptr::null(), |entry| entry.description.as_ptr())
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn text(pointer: *const c_char) -> &'static str {
        assert!(!pointer.is_null());
        unsafe { CStr::from_ptr(pointer) }.to_str().unwrap()
    }

    /// `(name, value, doc comment)` of every entry of the header's `taap_status` enum.
    fn header_statuses() -> Vec<(String, u32, String)> {
        let header = include_str!("../include/taap.h");
        let (_, body) =
            header.split_once("typedef enum taap_status {\n").expect("taap.h declares taap_status");
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

    #[test]
    fn every_core_kind_has_the_status_value_name_and_description_of_the_core_table() {
        for kind in ErrorKind::ALL {
            let status = taap_status::from_kind(kind);
            assert_ne!(status, taap_status::TAAP_PANIC, "{kind:?}");
            assert_eq!(status as u32, kind.c_status(), "{kind:?}");
            assert_eq!(text(taap_status_name(kind.c_status())), kind.code());
            assert_eq!(text(taap_status_description(kind.c_status())), kind.description());
        }
        assert_eq!(taap_status::from_kind(ErrorKind::TokenExpired), taap_status::TAAP_TOKEN_EXPIRED);
        assert_eq!(text(taap_status_name(5)), "TAAP_TOKEN_EXPIRED");
    }

    #[test]
    fn the_header_enum_is_every_status_with_its_value_and_description() {
        let expected: Vec<(String, u32, String)> = DESCRIBED
            .iter()
            .map(|entry| {
                let name = entry.name.to_str().unwrap().to_owned();
                (name, entry.value, entry.description.to_str().unwrap().to_owned())
            })
            .collect();
        assert_eq!(header_statuses(), expected);
        assert_eq!(expected.len(), taap_status::ALL.len());
        for (status, (name, value, _)) in taap_status::ALL.into_iter().zip(&expected) {
            assert_eq!((status as u32, text(taap_status_name(status as u32))), (*value, name.as_str()));
        }
    }

    #[test]
    fn c_only_statuses_are_described_and_unknown_values_give_null() {
        assert_eq!(text(taap_status_name(0)), "TAAP_OK");
        assert_eq!(text(taap_status_description(0)), "The call succeeded.");
        assert_eq!(text(taap_status_name(101)), "TAAP_INVALID_UTF8");
        assert_eq!(text(taap_status_description(100)), "A pointer argument that must not be NULL was NULL.");
        for unknown in [14, 99, 103, 7000, u32::MAX] {
            assert!(taap_status_name(unknown).is_null(), "{unknown}");
            assert!(taap_status_description(unknown).is_null(), "{unknown}");
        }
    }
}
