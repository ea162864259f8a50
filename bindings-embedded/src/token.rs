//! `taap_pop_token_build`: a PoP token from a key, ehts entries, `iat` and caller randomness.

use core::ffi::{c_char, c_void};

use alloc::string::String;

use taap::keys::Signer;
use taap::{token::BuildOptions, token::Ehts, token::DEFAULT_TTL_SECS, PopToken};
use taap_cabi::{
    c_array, ehts_entries, into_c_string, optional_ref, status_of, taap_ehts_entry, taap_private_key,
    taap_status, try_out, try_ref_from_ptr, Failure, FfiResult,
};

use crate::signer::taap_signer;

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
        // SAFETY: taap_embedded.h has the caller pass `key` NULL or a live key, `options` NULL or
        // valid and `out_token` NULL or writable (Safety above); the helpers refuse NULL.
        let (out, key, options) =
            unsafe { (try_out!(out_token), try_ref_from_ptr!(key), optional_ref(options)) };
        // SAFETY: taap_embedded.h has the caller pass `ehts` pointing to `ehts_len` entries of
        // NULL or NUL-terminated strings and `options`' `jti_random` NULL or 16 readable bytes
        // (Safety above), as `build` requires.
        *out = into_c_string(unsafe { build(key, ehts, ehts_len, options) }?)?;
        Ok(())
    })
}

/// `taap_pop_token_build` with a signer (`taap_signer_from_callback`) in place of the key: taap
/// hashes the signing input, the signer's function signs the digest, and the signature is
/// checked against the signer's public key. A signature that is not the modulus length or does
/// not verify under the signer's public key is `TAAP_SIGNATURE_INVALID`, a function that fails
/// `TAAP_TRANSPORT` (or the status it returned, see `taap_sign_digest_fn`), and no token is
/// made.
///
/// # Safety
/// `signer` is NULL or a live signer; the rest as for `taap_pop_token_build`.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_build_with_signer(
    signer: *const taap_signer,
    ehts: *const taap_ehts_entry,
    ehts_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status {
    status_of(|| {
        // SAFETY: taap_embedded.h has the caller pass `signer` NULL or a live signer, `options`
        // NULL or valid and `out_token` NULL or writable (Safety above); the helpers refuse NULL.
        let (out, signer, options) =
            unsafe { (try_out!(out_token), try_ref_from_ptr!(signer), optional_ref(options)) };
        // SAFETY: as in `taap_pop_token_build`: `ehts` and `options` are what `build` requires.
        *out = into_c_string(unsafe { build(signer, ehts, ehts_len, options) }?)?;
        Ok(())
    })
}

/// The token of both build functions, signed by `signer`.
///
/// # Safety
/// `ehts` points to `ehts_len` entries whose strings are NULL or NUL-terminated; `options`'
/// `jti_random` is NULL or 16 readable bytes and its `rng` writes at most `len` bytes.
unsafe fn build(
    signer: &(impl Signer + ?Sized),
    ehts: *const taap_ehts_entry,
    ehts_len: usize,
    options: Option<&taap_build_options>,
) -> FfiResult<String> {
    let options = options.ok_or_else(|| Failure::null("options"))?;
    // SAFETY: `ehts` and `ehts_len` are what `ehts_of` requires (this function's precondition).
    let ehts = unsafe { ehts_of(ehts, ehts_len) }?;
    // SAFETY: `options.jti_random` and `options.rng` are what `build_options` requires (this
    // function's precondition).
    let options = unsafe { build_options(options) }?;
    Ok(PopToken::sign(signer, &ehts, &options)?)
}

/// The entries, hashed as they are read: no copy of any value is kept.
///
/// # Safety
/// `entries` points to `len` entries whose strings are NULL or NUL-terminated.
unsafe fn ehts_of(entries: *const taap_ehts_entry, len: usize) -> FfiResult<Ehts> {
    let mut ehts = Ehts::new();
    // SAFETY: `entries` and `len` are what `ehts_entries` requires (this function's precondition).
    for entry in unsafe { ehts_entries(entries, len, "ehts") }? {
        let (name, value) = entry?;
        ehts.push(name, value)?;
    }
    Ok(ehts)
}

/// The core's options: `iat` as given, the `jti` from the caller's bytes or RNG.
///
/// # Safety
/// `options.jti_random` is NULL or 16 readable bytes; `options.rng` writes at most `len` bytes.
unsafe fn build_options(options: &taap_build_options) -> FfiResult<BuildOptions> {
    let ttl_secs = if options.ttl_secs == 0 { DEFAULT_TTL_SECS } else { options.ttl_secs };
    // SAFETY: this function's precondition is the one `jti_random_bytes` has.
    let random = unsafe { jti_random_bytes(options) }?;
    Ok(BuildOptions::default().ttl_secs(ttl_secs).issued_at(options.iat).jti_from_random_bytes(random))
}

/// The 16 random bytes of the `jti`: from `jti_random` or from `rng`, exactly one of them.
///
/// # Safety
/// As for [`build_options`].
unsafe fn jti_random_bytes(options: &taap_build_options) -> FfiResult<[u8; JTI_RANDOM_BYTES]> {
    let mut random = [0u8; JTI_RANDOM_BYTES];
    match (options.jti_random.is_null(), options.rng) {
        (false, None) => {
            // SAFETY: `jti_random` is not NULL (matched above), so it points to 16 readable bytes
            // (this function's precondition): an array `c_array` can read.
            random.copy_from_slice(unsafe { c_array(options.jti_random, JTI_RANDOM_BYTES, "jti_random") }?);
        }
        (true, Some(rng)) => {
            // SAFETY: `random` is 16 writable bytes, and the callback writes at most `len` of
            // them (this function's precondition, from taap_rng_callback's contract).
            if unsafe { rng(options.rng_context, random.as_mut_ptr(), JTI_RANDOM_BYTES) } != 0 {
                return Err(config("the RNG callback failed; no token is built without a fresh random jti"));
            }
        }
        (true, None) => {
            return Err(config("no randomness for the jti: set jti_random (16 random bytes) or rng"))
        }
        (false, Some(_)) => return Err(config("set one of jti_random and rng, not both")),
    }
    Ok(random)
}

/// A `TAAP_CONFIG` failure: options that cannot make a token.
fn config(reason: &'static str) -> Failure {
    Failure::new(taap_status::from_kind(taap::ErrorKind::Config), reason)
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, CString};

    use taap_cabi::{taap_private_key_free, taap_private_key_from_pem, taap_string_free};

    use super::*;

    const KEY: &str = include_str!("../../tests/keys/tmobile/readme-private-pkcs8.pem");
    const IAT: i64 = 1_767_225_600;
    const EHTS: [taap_ehts_entry; 2] = [
        taap_ehts_entry { name: c"uri".as_ptr(), value: c"/commerce/v1/orders".as_ptr() },
        taap_ehts_entry { name: c"http-method".as_ptr(), value: c"POST".as_ptr() },
    ];

    unsafe extern "C" fn failing_rng(_context: *mut c_void, _out: *mut u8, _len: usize) -> i32 {
        1
    }

    unsafe extern "C" fn sevens_rng(_context: *mut c_void, out: *mut u8, len: usize) -> i32 {
        unsafe { core::ptr::write_bytes(out, 7, len) };
        0
    }

    fn options(jti_random: *const u8, rng: taap_rng_callback) -> taap_build_options {
        taap_build_options { ttl_secs: 0, iat: IAT, jti_random, rng, rng_context: core::ptr::null_mut() }
    }

    /// The status of one build, and the token's claims (iat, exp, jti) when it succeeded.
    fn build(options: Option<&taap_build_options>) -> (taap_status, Option<(i64, i64, String)>) {
        let pem = CString::new(KEY).unwrap();
        let (mut key, mut token) = (core::ptr::null_mut(), core::ptr::null_mut());
        assert_eq!(
            unsafe { taap_private_key_from_pem(pem.as_ptr(), core::ptr::null(), &mut key) },
            taap_status::TAAP_OK
        );
        let options = options.map_or(core::ptr::null(), |options| options as *const taap_build_options);
        let status = unsafe { taap_pop_token_build(key, EHTS.as_ptr(), EHTS.len(), options, &mut token) };
        let claims = (!token.is_null()).then(|| {
            let text = unsafe { CStr::from_ptr(token) }.to_str().unwrap();
            let claims = PopToken::decode(text).unwrap().claims().clone();
            (claims.iat, claims.exp, claims.jti)
        });
        unsafe { taap_string_free(token) };
        unsafe { taap_private_key_free(key) };
        (status, claims)
    }

    #[test]
    fn the_jti_comes_from_the_callers_bytes_or_rng() {
        let zeros = [0u8; JTI_RANDOM_BYTES];
        let from_bytes = build(Some(&options(zeros.as_ptr(), None)));
        let jti = "00000000-0000-4000-8000-000000000000".to_owned();
        assert_eq!(from_bytes, (taap_status::TAAP_OK, Some((IAT, IAT + 120, jti))));
        let from_rng = build(Some(&options(core::ptr::null(), Some(sevens_rng))));
        let jti = "07070707-0707-4707-8707-070707070707".to_owned();
        assert_eq!(from_rng, (taap_status::TAAP_OK, Some((IAT, IAT + 120, jti))));
    }

    #[test]
    fn randomness_comes_from_exactly_one_working_source() {
        let zeros = [0u8; JTI_RANDOM_BYTES];
        let cases = [
            (options(core::ptr::null(), None), taap_status::TAAP_CONFIG),
            (options(zeros.as_ptr(), Some(sevens_rng)), taap_status::TAAP_CONFIG),
            (options(core::ptr::null(), Some(failing_rng)), taap_status::TAAP_CONFIG),
        ];
        for (options, status) in cases {
            assert_eq!(build(Some(&options)), (status, None));
        }
        assert_eq!(build(None), (taap_status::TAAP_NULL_ARGUMENT, None));
    }
}
