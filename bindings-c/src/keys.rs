//! What only libtaap does with keys: private keys from files, the key cache, generation and
//! export (loading from PEM and DER is taap-cabi's, shared with the microcontroller library),
//! and `taap_public_key`.

use std::ffi::{c_char, c_uint};
use std::sync::Arc;

use taap::{PrivateKey, PublicKey};
use taap_cabi::{ffi_panic_boundary, try_c_bytes, try_c_str, try_out, try_ref_from_ptr, try_slice};

use crate::boundary::{guard, FfiResult};
use crate::convert::{
    borrow_handle, c_bytes, free_handle, into_c_string, into_handle, optional_c_bytes, secret_into_c_string,
    Handle,
};
use crate::status::taap_status;

/// The private key handle both libraries share; its PEM and DER loaders and its free function
/// are taap-cabi's too.
pub use taap_cabi::taap_private_key;

/// An RSA public key (verifies PoP tokens); thread-safe. Free with `taap_public_key_free`.
pub struct taap_public_key {
    _opaque: [u8; 0],
}

impl Handle for taap_public_key {
    type Target = PublicKey;
}

/// The key size `taap_private_key_generate` uses for `bits` 0, as T-Mobile's docs do.
const DEFAULT_GENERATED_BITS: u32 = 2048;

/// A file path from C: bytes on Unix, UTF-8 elsewhere.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
pub(crate) unsafe fn c_path(path: *const c_char) -> FfiResult<std::path::PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: `path` is NULL or NUL-terminated (this function's precondition), as `c_bytes` requires.
        let bytes = unsafe { c_bytes(path, "path") }?;
        Ok(std::ffi::OsStr::from_bytes(bytes).into())
    }
    #[cfg(not(unix))]
    {
        // SAFETY: `path` is NULL or NUL-terminated (this function's precondition), as `c_str` requires.
        Ok(unsafe { taap_cabi::c_str(path, "path") }?.into())
    }
}

/// Like `taap_private_key_from_pem`, but reuses the already-parsed key when the same PEM and
/// password were loaded before in this process (a bounded cache of up to 64 keys): for callers
/// that only have the PEM at hand on every request, like PHP scripts. Free the result as usual.
///
/// # Safety
/// As for `taap_private_key_from_pem`.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_from_pem_cached(
    pem: *const c_char,
    password: *const c_char,
    out: *mut *mut taap_private_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `pem` and `password` NULL or NUL-terminated and `out`
        // NULL or writable (Safety above); the helpers refuse a NULL `pem` or `out`.
        let (out, pem, password) = unsafe { (try_out!(out), try_c_bytes!(pem), optional_c_bytes(password)) };
        *out = into_handle::<taap_private_key>(PrivateKey::from_bytes_cached(pem, password)?);
        Ok(())
    })
}

/// Empties the cache behind `taap_private_key_from_pem_cached` (keys still held stay valid).
#[no_mangle]
pub extern "C" fn taap_private_key_cache_clear() {
    ffi_panic_boundary! { PrivateKey::clear_cache() }
}

/// Loads a private key from a PEM or DER file.
///
/// # Safety
/// `path` and `password` are NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_from_file(
    path: *const c_char,
    password: *const c_char,
    out: *mut *mut taap_private_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `path` and `password` NULL or NUL-terminated and `out`
        // NULL or writable (Safety above); the helpers refuse a NULL `path` or `out`.
        let (out, path, password) = unsafe { (try_out!(out), c_path(path)?, optional_c_bytes(password)) };
        *out = into_handle::<taap_private_key>(Arc::new(PrivateKey::from_file(path, password)?));
        Ok(())
    })
}

/// Generates a new RSA key pair of 2048 (the default, for `bits` 0), 3072, 4096 or 8192 bits.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_generate(
    bits: c_uint,
    out: *mut *mut taap_private_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable (Safety above); NULL is refused.
        let out = unsafe { try_out!(out) };
        let bits = if bits == 0 { DEFAULT_GENERATED_BITS } else { bits };
        *out = into_handle::<taap_private_key>(Arc::new(PrivateKey::generate(bits)?));
        Ok(())
    })
}

/// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), e.g. to save a generated
/// key. `*out_pem` is secret: free it with `taap_string_free`, which wipes it.
///
/// # Safety
/// `key` is NULL or a live key; `out_pem` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_to_pem(
    key: *const taap_private_key,
    out_pem: *mut *mut c_char,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `key` NULL or a live key and `out_pem` NULL or
        // writable (Safety above); the helpers refuse NULL.
        let (out, key) = unsafe { (try_out!(out_pem), try_ref_from_ptr!(key)) };
        *out = secret_into_c_string(&key.to_pem());
        Ok(())
    })
}

/// The matching public key, as a new handle the caller frees.
///
/// # Safety
/// `key` is NULL or a live key; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_public_key(
    key: *const taap_private_key,
    out: *mut *mut taap_public_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `key` NULL or a live key and `out` NULL or writable
        // (Safety above); the helpers refuse NULL.
        let (out, key) = unsafe { (try_out!(out), try_ref_from_ptr!(key)) };
        *out = into_handle::<taap_public_key>(key.public_key().clone());
        Ok(())
    })
}

/// The modulus size in bits; 0 for NULL.
///
/// # Safety
/// `key` is NULL or a live key.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_bits(key: *const taap_private_key) -> c_uint {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `key` NULL or a live key (Safety above); NULL gives 0.
        unsafe { borrow_handle(key, "key") }.map_or(0, |key| key.bits())
    }
}

/// Loads a public key from PEM: SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
///
/// # Safety
/// `pem` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_from_pem(
    pem: *const c_char,
    out: *mut *mut taap_public_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `pem` NULL or NUL-terminated and `out` NULL or
        // writable (Safety above); the helpers refuse NULL.
        let (out, pem) = unsafe { (try_out!(out), try_c_bytes!(pem)) };
        *out = into_handle::<taap_public_key>(PublicKey::from_pem(pem)?);
        Ok(())
    })
}

/// Loads a public key from a JWK (`{"kty":"RSA","n":…,"e":…}`) or a JWK set holding one RSA key.
///
/// # Safety
/// `jwk` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_from_jwk(
    jwk: *const c_char,
    out: *mut *mut taap_public_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `jwk` NULL or NUL-terminated and `out` NULL or
        // writable (Safety above); the helpers refuse NULL.
        let (out, jwk) = unsafe { (try_out!(out), try_c_str!(jwk)) };
        *out = into_handle::<taap_public_key>(PublicKey::from_jwk(jwk)?);
        Ok(())
    })
}

/// Loads a public key from DER: SPKI or PKCS#1.
///
/// # Safety
/// `der` points to `der_len` bytes; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_from_der(
    der: *const u8,
    der_len: usize,
    out: *mut *mut taap_public_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `der` pointing to `der_len` bytes and `out` NULL or
        // writable (Safety above); the helpers refuse NULL.
        let (out, der) = unsafe { (try_out!(out), try_slice!(der, der_len)) };
        *out = into_handle::<taap_public_key>(PublicKey::from_der(der)?);
        Ok(())
    })
}

/// Loads a public key from a file holding PEM, DER or a JWK.
///
/// # Safety
/// `path` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_from_file(
    path: *const c_char,
    out: *mut *mut taap_public_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `path` NULL or NUL-terminated and `out` NULL or
        // writable (Safety above); the helpers refuse NULL.
        let (out, path) = unsafe { (try_out!(out), c_path(path)?) };
        *out = into_handle::<taap_public_key>(PublicKey::from_file(path)?);
        Ok(())
    })
}

/// Runs `export` on a public key and hands its text to C.
///
/// # Safety
/// `key` is NULL or a live key; `out` is NULL or writable.
unsafe fn export_public(
    key: *const taap_public_key,
    out: *mut *mut c_char,
    export: impl FnOnce(&PublicKey) -> String,
) -> taap_status {
    guard(|| {
        // SAFETY: `key` is NULL or a live key and `out` NULL or writable (this function's
        // precondition, which each exporter's taap.h Safety section gives); NULL is refused.
        let (out, key) = unsafe { (try_out!(out), try_ref_from_ptr!(key)) };
        *out = into_c_string(export(key))?;
        Ok(())
    })
}

/// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as T-Mobile registers it. Free `*out`
/// with `taap_string_free`.
///
/// # Safety
/// `key` is NULL or a live key; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_to_pem(
    key: *const taap_public_key,
    out: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h has the caller pass `key` NULL or a live key and `out` NULL or writable
    // (Safety above): `export_public`'s precondition.
    unsafe { export_public(key, out, PublicKey::to_pem) }
}

/// The key as a JWK (`kty`, `n`, `e`, `alg`, `use`, `kid`). Free `*out` with `taap_string_free`.
///
/// # Safety
/// `key` is NULL or a live key; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_to_jwk(
    key: *const taap_public_key,
    out: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h has the caller pass `key` NULL or a live key and `out` NULL or writable
    // (Safety above): `export_public`'s precondition.
    unsafe { export_public(key, out, PublicKey::to_jwk) }
}

/// The RFC 7638 JWK thumbprint (SHA-256, base64url): a stable key id; equal keys have equal
/// thumbprints. Free `*out` with `taap_string_free`.
///
/// # Safety
/// `key` is NULL or a live key; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_thumbprint(
    key: *const taap_public_key,
    out: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h has the caller pass `key` NULL or a live key and `out` NULL or writable
    // (Safety above): `export_public`'s precondition.
    unsafe { export_public(key, out, PublicKey::thumbprint) }
}

/// The modulus size in bits; 0 for NULL.
///
/// # Safety
/// `key` is NULL or a live key.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_bits(key: *const taap_public_key) -> c_uint {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `key` NULL or a live key (Safety above); NULL gives 0.
        unsafe { borrow_handle(key, "key") }.map_or(0, PublicKey::bits)
    }
}

/// Frees a public key. NULL is ignored.
///
/// # Safety
/// `key` is NULL or a live key, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_free(key: *mut taap_public_key) {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `key` NULL or a live key it never uses again
        // (Safety above), which is what `free_handle` requires.
        unsafe { free_handle(key) }
    }
}
