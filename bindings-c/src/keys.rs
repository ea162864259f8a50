//! `taap_private_key` and `taap_public_key`: loading, generation, export.

use std::ffi::{c_char, c_uint};
use std::sync::Arc;

use taap::{PrivateKey, PublicKey};

use crate::boundary::{guard, guard_value, FfiResult};
use crate::convert::{
    borrow_handle, c_array, c_bytes, c_str, free_handle, into_c_string, into_handle, optional_c_bytes,
    out_arg, secret_into_c_string, Handle,
};
use crate::status::taap_status;

/// An RSA private key, parsed once; share one between threads for any number of tokens.
/// Free with `taap_private_key_free`.
pub struct taap_private_key {
    _opaque: [u8; 0],
}

impl Handle for taap_private_key {
    // An `Arc` so that keys from the core's cache and freshly parsed ones are freed alike.
    type Target = Arc<PrivateKey>;
}

/// An RSA public key (verifies PoP tokens); thread-safe. Free with `taap_public_key_free`.
pub struct taap_public_key {
    _opaque: [u8; 0],
}

impl Handle for taap_public_key {
    type Target = PublicKey;
}

/// The key size `taap_private_key_generate` uses for `bits` 0, as T-Mobile's docs do.
const DEFAULT_GENERATED_BITS: u32 = 2048;

/// Borrows the key behind a private key handle.
///
/// # Safety
/// `key` is NULL or a live handle from this library.
pub(crate) unsafe fn private_key<'a>(key: *const taap_private_key, what: &str) -> FfiResult<&'a PrivateKey> {
    // SAFETY: per the contract.
    unsafe { borrow_handle(key, what) }.map(|key| &**key)
}

/// Borrows the key behind a public key handle.
///
/// # Safety
/// `key` is NULL or a live handle from this library.
pub(crate) unsafe fn public_key<'a>(key: *const taap_public_key, what: &str) -> FfiResult<&'a PublicKey> {
    // SAFETY: per the contract.
    unsafe { borrow_handle(key, what) }
}

/// A file path from C: bytes on Unix, UTF-8 elsewhere.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
unsafe fn c_path(path: *const c_char) -> FfiResult<std::path::PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: per the contract.
        let bytes = unsafe { c_bytes(path, "path") }?;
        Ok(std::ffi::OsStr::from_bytes(bytes).into())
    }
    #[cfg(not(unix))]
    {
        // SAFETY: per the contract.
        Ok(unsafe { c_str(path, "path") }?.into())
    }
}

/// Loads a private key from PEM text: PKCS#8, encrypted PKCS#8 (PBES2 or PBES1) or PKCS#1
/// (also OpenSSL's `Proc-Type: 4,ENCRYPTED`). `password` is NULL for unencrypted keys.
/// On success `*out` owns a new key; on failure it is left untouched.
///
/// # Safety
/// `pem` and `password` are NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_from_pem(
    pem: *const c_char,
    password: *const c_char,
    out: *mut *mut taap_private_key,
) -> taap_status {
    guard(|| {
        // SAFETY: per the contract of this function.
        let (out, pem, password) =
            unsafe { (out_arg(out, "out")?, c_bytes(pem, "pem")?, optional_c_bytes(password)) };
        *out = into_handle::<taap_private_key>(Arc::new(PrivateKey::from_pem(pem, password)?));
        Ok(())
    })
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
        // SAFETY: per the contract of this function.
        let (out, pem, password) =
            unsafe { (out_arg(out, "out")?, c_bytes(pem, "pem")?, optional_c_bytes(password)) };
        *out = into_handle::<taap_private_key>(PrivateKey::from_bytes_cached(pem, password)?);
        Ok(())
    })
}

/// Empties the cache behind `taap_private_key_from_pem_cached` (keys still held stay valid).
#[no_mangle]
pub extern "C" fn taap_private_key_cache_clear() {
    guard_value((), PrivateKey::clear_cache);
}

/// Loads a private key from DER bytes: PKCS#8, encrypted PKCS#8 or PKCS#1.
///
/// # Safety
/// `der` points to `der_len` bytes; `password` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_from_der(
    der: *const u8,
    der_len: usize,
    password: *const c_char,
    out: *mut *mut taap_private_key,
) -> taap_status {
    guard(|| {
        // SAFETY: per the contract of this function.
        let (out, der, password) =
            unsafe { (out_arg(out, "out")?, c_array(der, der_len, "der")?, optional_c_bytes(password)) };
        *out = into_handle::<taap_private_key>(Arc::new(PrivateKey::from_der(der, password)?));
        Ok(())
    })
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
        // SAFETY: per the contract of this function.
        let (out, path, password) =
            unsafe { (out_arg(out, "out")?, c_path(path)?, optional_c_bytes(password)) };
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
        // SAFETY: per the contract of this function.
        let out = unsafe { out_arg(out, "out") }?;
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
        // SAFETY: per the contract of this function.
        let (out, key) = unsafe { (out_arg(out_pem, "out_pem")?, private_key(key, "key")?) };
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
        // SAFETY: per the contract of this function.
        let (out, key) = unsafe { (out_arg(out, "out")?, private_key(key, "key")?) };
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
    // SAFETY: per the contract of this function.
    guard_value(0, || unsafe { private_key(key, "key") }.map_or(0, PrivateKey::bits))
}

/// Frees a private key (its material is wiped). NULL is ignored; a key must not be freed
/// while another thread still uses it.
///
/// # Safety
/// `key` is NULL or a live key, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_private_key_free(key: *mut taap_private_key) {
    // SAFETY: per the contract of this function.
    guard_value((), || unsafe { free_handle(key) });
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
        // SAFETY: per the contract of this function.
        let (out, pem) = unsafe { (out_arg(out, "out")?, c_bytes(pem, "pem")?) };
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
        // SAFETY: per the contract of this function.
        let (out, jwk) = unsafe { (out_arg(out, "out")?, c_str(jwk, "jwk")?) };
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
        // SAFETY: per the contract of this function.
        let (out, der) = unsafe { (out_arg(out, "out")?, c_array(der, der_len, "der")?) };
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
        // SAFETY: per the contract of this function.
        let (out, path) = unsafe { (out_arg(out, "out")?, c_path(path)?) };
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
        // SAFETY: per the contract of the caller.
        let (out, key) = unsafe { (out_arg(out, "out")?, public_key(key, "key")?) };
        *out = into_c_string(export(key));
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
    // SAFETY: per the contract of this function.
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
    // SAFETY: per the contract of this function.
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
    // SAFETY: per the contract of this function.
    unsafe { export_public(key, out, PublicKey::thumbprint) }
}

/// The modulus size in bits; 0 for NULL.
///
/// # Safety
/// `key` is NULL or a live key.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_bits(key: *const taap_public_key) -> c_uint {
    // SAFETY: per the contract of this function.
    guard_value(0, || unsafe { public_key(key, "key") }.map_or(0, PublicKey::bits))
}

/// Frees a public key. NULL is ignored.
///
/// # Safety
/// `key` is NULL or a live key, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_free(key: *mut taap_public_key) {
    // SAFETY: per the contract of this function.
    guard_value((), || unsafe { free_handle(key) });
}
