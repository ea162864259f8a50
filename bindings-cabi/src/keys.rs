//! `taap_private_key` and the functions that mean the same in both libraries: load from PEM,
//! load from DER, free. What only libtaap has (files, the key cache, generation, export) is in
//! bindings-c.

use alloc::sync::Arc;
use core::ffi::c_char;

use taap::PrivateKey;

use crate::arg::optional_c_bytes;
use crate::handle::{free_handle, into_handle, Handle};
use crate::panic::status_of;
use crate::status::taap_status;
use crate::{ffi_panic_boundary, try_c_bytes, try_out, try_slice};

/// An RSA private key, parsed once; use it for any number of tokens, from any number of
/// threads. Free with `taap_private_key_free`, which wipes its material.
pub struct taap_private_key {
    _opaque: [u8; 0],
}

impl Handle for taap_private_key {
    // An `Arc` so that libtaap's cached keys and freshly parsed ones are freed alike, and a
    // client can keep its own reference.
    type Target = Arc<PrivateKey>;
}

/// Loads a private key from PEM text: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
/// libtaap also reads encrypted keys with `password` (NULL for unencrypted ones): encrypted
/// PKCS#8 (PBES2 or PBES1) and OpenSSL's `Proc-Type: 4,ENCRYPTED` PKCS#1. The microcontroller
/// library decrypts nothing: an encrypted key is `TAAP_INVALID_KEY` there (decrypt it before
/// flashing) and `password` should be NULL. On success `*out` owns a new key; on failure it is
/// left untouched.
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
        // SAFETY: the headers have the caller pass `pem` and `password` NULL or NUL-terminated
        // and `out` NULL or writable (Safety above); the helpers refuse a NULL `pem` or `out`.
        let (out, pem, password) = unsafe { (try_out!(out), try_c_bytes!(pem), optional_c_bytes(password)) };
        *out = into_handle::<taap_private_key>(Arc::new(PrivateKey::from_pem(pem, password)?));
        Ok(())
    })
}

/// Loads a private key from DER bytes: PKCS#8 or PKCS#1 `RSAPrivateKey`, and in libtaap also
/// encrypted PKCS#8 with `password` (see `taap_private_key_from_pem`). On success `*out` owns
/// a new key.
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
        // SAFETY: the headers have the caller pass `der` pointing to `der_len` bytes, `password`
        // NULL or NUL-terminated and `out` NULL or writable (Safety above); the helpers refuse
        // NULLs.
        let (out, der, password) =
            unsafe { (try_out!(out), try_slice!(der, der_len), optional_c_bytes(password)) };
        *out = into_handle::<taap_private_key>(Arc::new(PrivateKey::from_der(der, password)?));
        Ok(())
    })
}

/// Frees a private key (its material is wiped once no libtaap client holds it either). NULL
/// is ignored; a key must not be freed while another thread still uses it.
///
/// # Safety
/// `key` is NULL or a live key from this library, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_free(key: *mut taap_private_key) {
    ffi_panic_boundary! {
        // SAFETY: the headers have the caller pass `key` NULL or a live key it never uses again
        // (Safety above), which is what `free_handle` requires.
        unsafe { free_handle(key) }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;

    use super::*;
    use crate::handle::borrow_handle;

    const KEY: &str = include_str!("../../tests/keys/tmobile/readme-private-pkcs8.pem");

    #[test]
    fn a_pem_key_loads_and_frees() {
        let pem = CString::new(KEY).unwrap();
        let mut key = core::ptr::null_mut();
        assert_eq!(
            unsafe { taap_private_key_from_pem(pem.as_ptr(), core::ptr::null(), &mut key) },
            taap_status::TAAP_OK
        );
        assert_eq!(unsafe { borrow_handle(key, "key") }.unwrap().bits(), 2048);
        unsafe { taap_private_key_free(key) };
        unsafe { taap_private_key_free(core::ptr::null_mut()) };
    }

    #[test]
    fn bad_input_gets_its_status_and_leaves_out_untouched() {
        let mut key = core::ptr::null_mut();
        let null = unsafe { taap_private_key_from_pem(core::ptr::null(), core::ptr::null(), &mut key) };
        assert_eq!(null, taap_status::TAAP_NULL_ARGUMENT);
        let garbage =
            unsafe { taap_private_key_from_der([0x30u8, 0x00].as_ptr(), 2, core::ptr::null(), &mut key) };
        assert_eq!(garbage, taap_status::TAAP_INVALID_KEY);
        let no_out =
            unsafe { taap_private_key_from_der(b"x".as_ptr(), 1, core::ptr::null(), core::ptr::null_mut()) };
        assert_eq!(no_out, taap_status::TAAP_NULL_ARGUMENT);
        assert!(key.is_null());
    }
}
