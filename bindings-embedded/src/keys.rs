//! `taap_private_key`: unencrypted PKCS#8 and PKCS#1 keys, from PEM or DER.

use alloc::boxed::Box;
use core::ffi::c_char;

use taap::PrivateKey;

use crate::convert::{c_array, c_bytes, core_error, status_of};
use crate::status::taap_status;

/// An RSA private key, parsed once; use it for any number of tokens. Free with
/// `taap_private_key_free`, which wipes its material.
pub struct taap_private_key {
    _opaque: [u8; 0],
}

/// Loads a private key from PEM text: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
/// Encrypted keys are `TAAP_INVALID_KEY` here (decrypt them before flashing); `password` is
/// accepted for taap.h's signature and must be NULL. On success `*out` owns a new key; on
/// failure it is left untouched.
///
/// # Safety
/// `pem` and `password` are NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_from_pem(
    pem: *const c_char,
    password: *const c_char,
    out: *mut *mut taap_private_key,
) -> taap_status {
    status_of(|| {
        check_out(out)?;
        // SAFETY: per the contract.
        let pem = unsafe { c_bytes(pem) }?;
        // SAFETY: per the contract.
        unsafe { write_key(out, PrivateKey::from_pem(pem, optional(password)?)) }
    })
}

/// Loads a private key from DER bytes: PKCS#8 or PKCS#1 `RSAPrivateKey` (unencrypted; see
/// `taap_private_key_from_pem`). On success `*out` owns a new key.
///
/// # Safety
/// `der` points to `der_len` bytes (or is NULL when `der_len` is 0); `password` is NULL or
/// NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_from_der(
    der: *const u8,
    der_len: usize,
    password: *const c_char,
    out: *mut *mut taap_private_key,
) -> taap_status {
    status_of(|| {
        check_out(out)?;
        // SAFETY: per the contract.
        let der = unsafe { c_array(der, der_len) }?;
        // SAFETY: per the contract.
        unsafe { write_key(out, PrivateKey::from_der(der, optional(password)?)) }
    })
}

/// Frees a private key; its material is wiped. NULL is ignored.
///
/// # Safety
/// `key` is NULL or a live key from this library, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_free(key: *mut taap_private_key) {
    if !key.is_null() {
        // SAFETY: per the contract, `key` came from `Box::into_raw` in `write_key`; the core's
        // key zeroises its numbers when dropped.
        drop(unsafe { Box::from_raw(key.cast::<PrivateKey>()) });
    }
}

/// Borrows the key behind a handle; `TAAP_NULL_ARGUMENT` for NULL.
///
/// # Safety
/// `key` is NULL or a live key from this library.
pub(crate) unsafe fn borrow_key<'a>(key: *const taap_private_key) -> Result<&'a PrivateKey, taap_status> {
    // SAFETY: per the contract, a non-NULL handle is a `Box<PrivateKey>` that is still alive.
    unsafe { key.cast::<PrivateKey>().as_ref() }.ok_or(taap_status::TAAP_NULL_ARGUMENT)
}

/// An optional password: NULL, or its bytes.
///
/// # Safety
/// `password` is NULL or NUL-terminated.
unsafe fn optional<'a>(password: *const c_char) -> Result<Option<&'a [u8]>, taap_status> {
    if password.is_null() {
        return Ok(None);
    }
    // SAFETY: per the contract.
    unsafe { c_bytes(password) }.map(Some)
}

/// A NULL output pointer is refused before any work is done.
pub(crate) fn check_out<T>(out: *mut *mut T) -> Result<(), taap_status> {
    if out.is_null() {
        return Err(taap_status::TAAP_NULL_ARGUMENT);
    }
    Ok(())
}

/// Stores a loaded key in `*out`, or returns the load's status.
///
/// # Safety
/// `out` is non-NULL (see [`check_out`]) and writable.
unsafe fn write_key(
    out: *mut *mut taap_private_key,
    key: taap::Result<PrivateKey>,
) -> Result<(), taap_status> {
    let key = key.map_err(core_error)?;
    // SAFETY: `out` is writable per the contract.
    unsafe { *out = Box::into_raw(Box::new(key)).cast() };
    Ok(())
}
