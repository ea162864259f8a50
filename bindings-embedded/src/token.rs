//! `taap_pop_token_build`: a PoP token from a key, ehts entries, `iat` and caller randomness.

use alloc::ffi::CString;
use core::ffi::{c_char, c_void};

use taap::{BuildOptions, Ehts, PopToken, DEFAULT_TTL_SECS};
use zeroize::Zeroize;

use crate::convert::{c_array, c_bytes, c_str, core_error, status_of};
use crate::keys::{borrow_key, check_out, taap_private_key};
use crate::status::taap_status;

/// One ehts entry: a name and its exact value, both NUL-terminated (as in taap.h). `name` must
/// be UTF-8; `value` is signed byte for byte.
#[repr(C)]
pub struct taap_ehts_entry {
    /// The ehts name, e.g. `"Content-Type"`, `"uri"`, `"http-method"`, `"body"`.
    pub name: *const c_char,
    /// The value, exactly as it is sent.
    pub value: *const c_char,
}

/// Fills `len` bytes at `out` with fresh randomness (a hardware RNG); returns 0 on success and
/// anything else on failure, which fails the build with `TAAP_CONFIG`.
pub type taap_rng_callback =
    Option<unsafe extern "C" fn(context: *mut c_void, out: *mut u8, len: usize) -> i32>;

/// Options for one token. There is no clock and no OS randomness here: `iat` is required, and
/// the `jti` comes from exactly one of `jti_random` and `rng`.
#[repr(C)]
pub struct taap_build_options {
    /// Seconds from `iat` to `exp`, 1 to 3600; 0 means 120.
    pub ttl_secs: i64,
    /// Issued-at in epoch seconds (from the board's RTC or SNTP).
    pub iat: i64,
    /// 16 fresh random bytes that become the `jti` (a UUID v4), or NULL to call `rng`.
    pub jti_random: *const u8,
    /// Draws the 16 bytes of the `jti` when `jti_random` is NULL.
    pub rng: taap_rng_callback,
    /// Passed to `rng` unchanged.
    pub rng_context: *mut c_void,
}

/// Bytes of randomness one `jti` takes.
const JTI_RANDOM_BYTES: usize = 16;

/// Builds a PoP token over the ordered ehts entries (names unique, at most 100) with
/// `options` (required). On success `*out_token` is a new string: free it with
/// `taap_string_free`. Nothing is written on failure.
///
/// # Safety
/// `key` is NULL or a live key; `ehts` points to `ehts_len` entries; `options` is NULL or
/// valid, its `jti_random` NULL or 16 readable bytes; `out_token` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_build(
    key: *const taap_private_key,
    ehts: *const taap_ehts_entry,
    ehts_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status {
    status_of(|| {
        check_out(out_token)?;
        // SAFETY: per the contract.
        let key = unsafe { borrow_key(key) }?;
        // SAFETY: per the contract.
        let options = unsafe { options.as_ref() }.ok_or(taap_status::TAAP_NULL_ARGUMENT)?;
        // SAFETY: per the contract.
        let ehts = unsafe { ehts_of(ehts, ehts_len) }?;
        // SAFETY: per the contract.
        let options = unsafe { build_options(options) }?;
        let token = PopToken::sign(key, &ehts, &options).map_err(core_error)?;
        // base64url and '.' only: never an interior NUL.
        let token = CString::new(token).map_err(|_| taap_status::TAAP_PANIC)?;
        // SAFETY: `out_token` is non-NULL and writable per the contract.
        unsafe { *out_token = token.into_raw() };
        Ok(())
    })
}

/// Frees (and wipes) a string taap returned. NULL is ignored.
///
/// # Safety
/// `s` is NULL or a string from this library, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: per the contract, `s` came from `CString::into_raw` above.
        let mut bytes = unsafe { CString::from_raw(s) }.into_bytes();
        bytes.zeroize();
    }
}

/// The entries, hashed as they are read: no copy of any value is kept.
///
/// # Safety
/// `entries` points to `len` entries whose strings are NULL or NUL-terminated.
unsafe fn ehts_of(entries: *const taap_ehts_entry, len: usize) -> Result<Ehts, taap_status> {
    // SAFETY: per the contract.
    let entries = unsafe { c_array(entries, len) }?;
    let mut ehts = Ehts::new();
    for entry in entries {
        // SAFETY: per the contract.
        let (name, value) = unsafe { (c_str(entry.name)?, c_bytes(entry.value)?) };
        ehts.push(name, value).map_err(core_error)?;
    }
    Ok(ehts)
}

/// The core's options: `iat` as given, the `jti` from the caller's bytes or RNG.
///
/// # Safety
/// `options.jti_random` is NULL or 16 readable bytes; `options.rng` honours its contract.
unsafe fn build_options(options: &taap_build_options) -> Result<BuildOptions, taap_status> {
    let ttl_secs = if options.ttl_secs == 0 { DEFAULT_TTL_SECS } else { options.ttl_secs };
    let mut random = [0u8; JTI_RANDOM_BYTES];
    match (options.jti_random.is_null(), options.rng) {
        (false, None) => {
            // SAFETY: per the contract.
            random.copy_from_slice(unsafe {
                core::slice::from_raw_parts(options.jti_random, JTI_RANDOM_BYTES)
            });
        }
        (true, Some(rng)) => {
            // SAFETY: the caller's callback, per its contract, writes at most 16 bytes.
            if unsafe { rng(options.rng_context, random.as_mut_ptr(), JTI_RANDOM_BYTES) } != 0 {
                return Err(core_error(taap::Error::Config(
                    "the RNG callback failed; no token is built without a fresh random jti".into(),
                )));
            }
        }
        (true, None) => {
            return Err(core_error(taap::Error::Config(
                "no randomness for the jti: set jti_random (16 random bytes) or rng".into(),
            )));
        }
        (false, Some(_)) => {
            return Err(core_error(taap::Error::Config("set one of jti_random and rng, not both".into())));
        }
    }
    Ok(BuildOptions::default().ttl_secs(ttl_secs).issued_at(options.iat).jti_from_random_bytes(random))
}
