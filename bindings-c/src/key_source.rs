//! `taap_key_source`: a client's several public keys for `taap_pop_gate_check_with_source`,
//! the core's `taap::validate::KeySource` (a set given once, a file read again when it changes,
//! or a JWK set URL), so that a C server rotates keys without a restart, as `taap serve` and the
//! other doors' middleware do.

use std::ffi::c_char;

use taap::validate::{KeySet, KeySource};
use taap_cabi::{ffi_panic_boundary, try_out, try_ref_from_ptr, try_slice};

use crate::boundary::{guard, FfiResult};
use crate::convert::{free_handle, into_handle, Handle};
use crate::keys::c_path;
use crate::status::taap_status;

/// A client's public keys (each with an optional `kid` and `nbf`/`exp` window), fixed, from a
/// file or from a JWK set URL; may be shared by any number of threads. Free it with
/// `taap_key_source_free`.
pub struct taap_key_source {
    _opaque: [u8; 0],
}

impl Handle for taap_key_source {
    type Target = KeySource;
}

// A source is shared by a server's threads, as the README's Threads convention says.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<KeySource>();
};

/// `data` as the core parses it, after the Text convention: a JWK or JWK set (JSON) must be
/// UTF-8, while PEM and DER are taken byte for byte.
fn key_set_of(data: &[u8]) -> FfiResult<KeySet> {
    if std::str::from_utf8(data).is_err() && String::from_utf8_lossy(data).trim_start().starts_with('{') {
        // The core would read it lossily and could accept a `kid` the caller never wrote.
        taap_cabi::utf8(data, "data")?;
    }
    Ok(KeySet::parse(data)?)
}

/// Makes a fixed source of the keys in `data` (`data_len` bytes): a JWK set (`{"keys": [...]}`,
/// RSA keys each with an optional `kid`, `nbf` and `exp`), one JWK, or a PEM or DER public key.
/// A set that holds no usable key is `TAAP_INVALID_KEY`, JSON that is not UTF-8
/// `TAAP_INVALID_UTF8`. Free it with `taap_key_source_free`.
///
/// # Safety
/// `data` points to `data_len` bytes (or is NULL with 0); `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_key_source_parse(
    data: *const u8,
    data_len: usize,
    out: *mut *mut taap_key_source,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `data` pointing to `data_len` bytes and `out` NULL or
        // writable (Safety above); the helpers refuse NULL, the output first.
        let (out, data) = unsafe { (try_out!(out), try_slice!(data, data_len)) };
        *out = into_handle::<taap_key_source>(KeySource::from(key_set_of(data)?));
        Ok(())
    })
}

/// Makes a source of the keys in the file at `path` (PEM, DER, JWK or JWK set), read now and
/// again when its modification time changes (looked at once a second at most; a half-written
/// file keeps the keys in force). An unreadable file is `TAAP_CONFIG`, one without a usable
/// key `TAAP_INVALID_KEY`. Free it with `taap_key_source_free`.
///
/// # Safety
/// `path` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_key_source_from_file(
    path: *const c_char,
    out: *mut *mut taap_key_source,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `path` NULL or NUL-terminated and `out` NULL or
        // writable (Safety above); the helpers refuse NULL, the output first.
        let (out, path) = unsafe { (try_out!(out), c_path(path)?) };
        *out = into_handle::<taap_key_source>(KeySource::from_file(path)?);
        Ok(())
    })
}

/// Makes a source of the JWK set served at `url` (`http://` or `https://`), fetched when first
/// needed (not here), cached per `Cache-Control: max-age` and fetched again, at most every few
/// seconds, for a `kid` it lacks; while it cannot be fetched and nothing usable is cached,
/// `taap_pop_gate_check_with_source` answers 503 `KeySourceUnavailable`. A URL that is not
/// http(s) is `TAAP_CONFIG`. Free it with `taap_key_source_free`.
///
/// # Safety
/// `url` is NULL or NUL-terminated; `out` is NULL or writable.
#[cfg(feature = "client")]
#[no_mangle]
pub unsafe extern "C" fn taap_key_source_from_jwks_url(
    url: *const c_char,
    out: *mut *mut taap_key_source,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `url` NULL or NUL-terminated and `out` NULL or
        // writable (Safety above); the helpers refuse NULL, the output first.
        let (out, url) = unsafe { (try_out!(out), taap_cabi::try_c_str!(url)) };
        let options = taap::validate::JwksOptions::default();
        *out = into_handle::<taap_key_source>(KeySource::from_jwks_url(url, options)?);
        Ok(())
    })
}

/// How many keys the set in force now holds, in `*out` (those outside their `nbf`/`exp` window
/// counted too): a file that changed is read again, and a JWK set URL with no usable copy cached
/// is fetched first, so this may block, and is `TAAP_KEY_SOURCE_UNAVAILABLE` when it cannot be.
///
/// # Safety
/// `source` is NULL or live; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_key_source_len(source: *const taap_key_source, out: *mut usize) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable and `source` NULL or live
        // (Safety above); both macros refuse NULL.
        let (out, source) = unsafe { (try_out!(out), try_ref_from_ptr!(source)) };
        *out = source.current()?.keys().len();
        Ok(())
    })
}

/// Frees a key source. NULL is ignored.
///
/// # Safety
/// `source` is NULL or live, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_key_source_free(source: *mut taap_key_source) {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `source` NULL or a live source never used again
        // (Safety above), which is what `free_handle` requires.
        unsafe { free_handle(source) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `taap_key_source_parse` of `data`: its status, and whether it made a source.
    fn parsed(data: &[u8]) -> taap_status {
        let mut source = std::ptr::null_mut();
        // SAFETY: a live slice and a writable local; the source is freed at once.
        let status = unsafe { taap_key_source_parse(data.as_ptr(), data.len(), &mut source) };
        assert_eq!(status == taap_status::TAAP_OK, !source.is_null());
        // SAFETY: NULL or the live source just made, not used again.
        unsafe { taap_key_source_free(source) };
        status
    }

    #[test]
    fn json_must_be_utf8_and_hold_a_key() {
        assert_eq!(parsed(b" {\"keys\": [{\"kid\": \"\xff\"}]}"), taap_status::TAAP_INVALID_UTF8);
        assert_eq!(parsed(b"{\"keys\": []}"), taap_status::TAAP_INVALID_KEY);
        assert_eq!(parsed(b"\xff\xfe not a key"), taap_status::TAAP_INVALID_KEY);
        assert_eq!(parsed(b""), taap_status::TAAP_INVALID_KEY);
    }
}
