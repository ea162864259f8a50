//! `taap_status`: one value per error kind of the core, plus the failures only C callers can cause.

use std::ffi::{c_char, c_uint, CStr};

use taap::ErrorKind;

/// What a taap call returned: `TAAP_OK`, or the kind of error (details in
/// `taap_last_error_message()`). Values are part of the ABI and are never renumbered; new
/// kinds get new numbers.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum taap_status {
    /// The call succeeded.
    TAAP_OK = 0,
    /// The key could not be parsed, is not RSA, or is outside 2048 to 8192 bits.
    TAAP_INVALID_KEY = 1,
    /// The private key is encrypted and the password is missing or wrong.
    TAAP_KEY_DECRYPT = 2,
    /// The ehts entries break a rule: empty, over 100 entries, blank or duplicate name, `;` in a
    /// name; also a malformed request method or URL.
    TAAP_INVALID_EHTS = 3,
    /// The token is not a well-formed RS256 PoP token (or does not sign a required name).
    TAAP_INVALID_TOKEN = 4,
    /// The token's `exp` lies in the past, beyond the leeway.
    TAAP_TOKEN_EXPIRED = 5,
    /// The token's `iat` is older than the maximum age.
    TAAP_TOKEN_TOO_OLD = 6,
    /// The signature does not verify with the given public key.
    TAAP_SIGNATURE_INVALID = 7,
    /// The request's values differ from the ones the token signed.
    TAAP_EDTS_MISMATCH = 8,
    /// The token signs a name the caller supplied no value for.
    TAAP_MISSING_EHTS_VALUE = 9,
    /// The token's `jti` was seen before by this validator.
    TAAP_REPLAY = 10,
    /// The OAuth server answered with an error.
    TAAP_OAUTH = 11,
    /// The HTTP exchange failed (connection, timeout, TLS, I/O).
    TAAP_TRANSPORT = 12,
    /// An option or argument is out of range or inconsistent.
    TAAP_CONFIG = 13,
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
    pub(crate) const ALL: [taap_status; 17] = [
        taap_status::TAAP_OK,
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
        taap_status::TAAP_NULL_ARGUMENT,
        taap_status::TAAP_INVALID_UTF8,
        taap_status::TAAP_PANIC,
    ];

    /// The status for a core error kind.
    pub(crate) fn from_kind(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidKey => taap_status::TAAP_INVALID_KEY,
            ErrorKind::KeyDecrypt => taap_status::TAAP_KEY_DECRYPT,
            ErrorKind::InvalidEhts => taap_status::TAAP_INVALID_EHTS,
            ErrorKind::InvalidToken => taap_status::TAAP_INVALID_TOKEN,
            ErrorKind::TokenExpired => taap_status::TAAP_TOKEN_EXPIRED,
            ErrorKind::TokenTooOld => taap_status::TAAP_TOKEN_TOO_OLD,
            ErrorKind::SignatureInvalid => taap_status::TAAP_SIGNATURE_INVALID,
            ErrorKind::EdtsMismatch => taap_status::TAAP_EDTS_MISMATCH,
            ErrorKind::MissingEhtsValue => taap_status::TAAP_MISSING_EHTS_VALUE,
            ErrorKind::Replay => taap_status::TAAP_REPLAY,
            ErrorKind::OAuth => taap_status::TAAP_OAUTH,
            ErrorKind::Transport => taap_status::TAAP_TRANSPORT,
            ErrorKind::Config => taap_status::TAAP_CONFIG,
            // A kind newer than this table is a binding bug; the unit tests catch it first.
            _ => taap_status::TAAP_PANIC,
        }
    }

    /// The status's name as a C string, e.g. `TAAP_TOKEN_EXPIRED`.
    pub(crate) fn name(self) -> &'static CStr {
        match self {
            taap_status::TAAP_OK => c"TAAP_OK",
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
            taap_status::TAAP_NULL_ARGUMENT => c"TAAP_NULL_ARGUMENT",
            taap_status::TAAP_INVALID_UTF8 => c"TAAP_INVALID_UTF8",
            taap_status::TAAP_PANIC => c"TAAP_PANIC",
        }
    }
}

/// A `taap_status` as C hands it in: any integer, so it is matched, never transmuted.
pub type taap_status_value = c_uint;

/// The name of a status, e.g. `"TAAP_TOKEN_EXPIRED"`; a static string, never freed.
/// Returns NULL for a value that is not a `taap_status`.
#[no_mangle]
pub extern "C" fn taap_status_name(status: taap_status_value) -> *const c_char {
    taap_status::ALL
        .into_iter()
        .find(|known| *known as taap_status_value == status)
        .map_or(std::ptr::null(), |known| known.name().as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_has_a_status_with_its_code() {
        for kind in ErrorKind::ALL {
            let status = taap_status::from_kind(kind);
            assert_ne!(status, taap_status::TAAP_PANIC, "{kind:?}");
            assert_eq!(status.name().to_str().unwrap(), kind.code());
        }
    }

    #[test]
    fn core_kinds_are_numbered_in_the_design_order() {
        for (index, kind) in ErrorKind::ALL.into_iter().enumerate() {
            assert_eq!(taap_status::from_kind(kind) as usize, index + 1, "{kind:?}");
        }
    }

    #[test]
    fn names_round_trip_and_unknown_values_give_null() {
        for status in taap_status::ALL {
            let name = unsafe { CStr::from_ptr(taap_status_name(status as taap_status_value)) };
            assert_eq!(name, status.name());
        }
        for unknown in [14, 99, 103, 7000, u32::MAX] {
            assert!(taap_status_name(unknown).is_null(), "{unknown}");
        }
    }
}
