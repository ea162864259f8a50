//! Building and decoding PoP tokens.

use std::ffi::{c_char, CString};

use taap::keys::Signer;
use taap::{token::BuildOptions, PopToken};
use taap_cabi::{ffi_panic_boundary, try_c_str, try_out};

use crate::boundary::{guard, Failure, FfiResult};
use crate::convert::{borrow_handle, c_str, free_handle, into_c_string, into_handle, optional_ref, Handle};
use crate::ehts::{ehts_pairs, taap_ehts_entry, RequestArgs};
use crate::keys::taap_private_key;
use crate::signer::taap_signer;
use crate::status::taap_status;

/// Options for one token. A zeroed struct (or a NULL pointer) means the defaults.
#[repr(C)]
pub struct taap_build_options {
    /// Seconds from `iat` to `exp`, 1 to 3600; 0 means 120.
    pub ttl_secs: i64,
    /// Issued-at in epoch seconds; 0 reads the clock (unless `iat_is_set`).
    pub iat: i64,
    /// Token id; NULL draws a fresh random UUID v4, which every real call must use.
    /// Fixed values are for tests and conformance vectors.
    pub jti: *const c_char,
    /// Use `iat` even when it is 0 (the epoch); only tests need this.
    pub iat_is_set: bool,
}

/// The core's options for a C options struct (NULL: the defaults).
///
/// # Safety
/// `options` is NULL or points to a valid struct whose `jti` is NULL or NUL-terminated.
pub(crate) unsafe fn build_options(options: *const taap_build_options) -> FfiResult<BuildOptions> {
    let mut built = BuildOptions::default();
    // SAFETY: `options` is NULL or a valid struct (this function's precondition), as
    // `optional_ref` requires.
    let Some(options) = (unsafe { optional_ref(options) }) else {
        return Ok(built);
    };
    if options.ttl_secs != 0 {
        built = built.ttl_secs(options.ttl_secs);
    }
    if options.iat != 0 || options.iat_is_set {
        built = built.issued_at(options.iat);
    }
    if !options.jti.is_null() {
        // SAFETY: `options->jti` is NULL or NUL-terminated (this function's precondition), as
        // `c_str` requires.
        built = built.jti(unsafe { c_str(options.jti, "options->jti") }?);
    }
    Ok(built)
}

/// Builds a PoP token over the ordered ehts entries (names unique, at most 100) with `options`
/// (NULL: defaults: 120 s validity, the clock, a random jti). On success `*out_token` is a new
/// string: free it with `taap_string_free`.
///
/// # Safety
/// `key` is NULL or a live key; `ehts` points to `ehts_len` entries; `options` is NULL or valid;
/// `out_token` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_build(
    key: *const taap_private_key,
    ehts: *const taap_ehts_entry,
    ehts_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `build_token` needs (Safety
    // above), with a live key being a live handle of `taap_private_key`.
    unsafe { build_token(key, "key", ehts, ehts_len, options, out_token) }
}

/// `taap_pop_token_build` with a signer (`taap_signer_from_callback`, `taap_signer_open`) in
/// place of the key. A signature that is not the modulus length or does not verify under the
/// signer's public key is `TAAP_SIGNATURE_INVALID`, and no token is made.
///
/// # Safety
/// `signer` is NULL or a live signer; otherwise as for `taap_pop_token_build`.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_build_with_signer(
    signer: *const taap_signer,
    ehts: *const taap_ehts_entry,
    ehts_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `build_token` needs (Safety
    // above), with a live signer being a live handle of `taap_signer`.
    unsafe { build_token(signer, "signer", ehts, ehts_len, options, out_token) }
}

/// The body of `taap_pop_token_build` and `taap_pop_token_build_with_signer`: `key` (named
/// `key_name` in messages) is a private key or a signer.
///
/// # Safety
/// `key` is NULL or a live handle of `H`; `ehts` points to `ehts_len` entries of NULL or
/// NUL-terminated strings; `options` is NULL or valid; `out_token` is NULL or writable.
unsafe fn build_token<H: Handle>(
    key: *const H,
    key_name: &'static str,
    ehts: *const taap_ehts_entry,
    ehts_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status
where
    H::Target: Signer,
{
    guard(|| {
        // SAFETY: `key` is NULL or a live handle, `ehts` points to `ehts_len` entries of NULL or
        // NUL-terminated strings, `options` is NULL or valid and `out_token` NULL or writable
        // (this function's precondition, which each caller's taap.h Safety section gives); the
        // helpers refuse NULLs.
        let (out, key, pairs, options) = unsafe {
            (
                try_out!(out_token),
                borrow_handle(key, key_name)?,
                ehts_pairs(ehts, ehts_len, "ehts")?,
                build_options(options)?,
            )
        };
        *out = into_c_string(PopToken::build_with(key, pairs, &options)?)?;
        Ok(())
    })
}

/// Builds the PoP token for one HTTP request: `headers` (in order), then `uri` (path and
/// query of `url`, which may also be a bare path), `http-method` (upper-cased `method`) and
/// `body` (`body_len` bytes, possibly 0). Free `*out_token` with `taap_string_free`.
///
/// # Safety
/// `key` is NULL or a live key; `method` and `url` are NULL or NUL-terminated; `headers`
/// points to `headers_len` entries; `body` points to `body_len` bytes; `out_token` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_for_request(
    key: *const taap_private_key,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    out_token: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `taap_pop_token_for_request_with`
    // needs, and NULL `options` means the defaults there.
    unsafe {
        taap_pop_token_for_request_with(
            key,
            method,
            url,
            headers,
            headers_len,
            body,
            body_len,
            std::ptr::null(),
            out_token,
        )
    }
}

/// `taap_pop_token_for_request` with `options` (NULL: defaults).
///
/// # Safety
/// As for `taap_pop_token_for_request`; `options` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_for_request_with(
    key: *const taap_private_key,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `request_token` needs (Safety
    // above), with a live key being a live handle of `taap_private_key`.
    unsafe {
        request_token(key, "key", method, url, headers, headers_len, body, body_len, options, out_token)
    }
}

/// `taap_pop_token_for_request_with` with a signer in place of the key (see
/// `taap_pop_token_build_with_signer`); `options` NULL means the defaults.
///
/// # Safety
/// `signer` is NULL or a live signer; otherwise as for `taap_pop_token_for_request_with`.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_for_request_with_signer(
    signer: *const taap_signer,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `request_token` needs (Safety
    // above), with a live signer being a live handle of `taap_signer`.
    unsafe {
        request_token(signer, "signer", method, url, headers, headers_len, body, body_len, options, out_token)
    }
}

/// The body of `taap_pop_token_for_request_with` and `taap_pop_token_for_request_with_signer`.
///
/// # Safety
/// `key` is NULL or a live handle of `H`; `method` and `url` are NULL or NUL-terminated;
/// `headers` points to `headers_len` entries; `body` points to `body_len` bytes; `options` is
/// NULL or valid; `out_token` is NULL or writable.
#[allow(clippy::too_many_arguments)]
unsafe fn request_token<H: Handle>(
    key: *const H,
    key_name: &'static str,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status
where
    H::Target: Signer,
{
    guard(|| {
        // SAFETY: `key` is NULL or a live handle, `method` and `url` NULL or NUL-terminated,
        // `headers` points to `headers_len` entries, `body` to `body_len` bytes, `options` is NULL
        // or valid and `out_token` NULL or writable (this function's precondition, which each
        // caller's taap.h Safety section gives); the helpers refuse NULLs.
        let (out, key, request, options) = unsafe {
            (
                try_out!(out_token),
                borrow_handle(key, key_name)?,
                RequestArgs::read(method, (url, "url"), headers, headers_len, body, body_len)?,
                build_options(options)?,
            )
        };
        let RequestArgs { method, url, headers, body } = request;
        *out = into_c_string(PopToken::for_request_with(key, method, url, headers, body, &options)?)?;
        Ok(())
    })
}

/// The claims of a decoded token. The strings belong to the `taap_pop_token` and live as long
/// as it does.
#[repr(C)]
pub struct taap_claims {
    /// base64url SHA-256 of the concatenated ehts values.
    pub edts: *const c_char,
    /// Version, `"1"`.
    pub v: *const c_char,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// The signed names joined by `;`, in order, e.g. `"Content-Type;uri;http-method;body"`.
    pub ehts: *const c_char,
    /// Issued-at, epoch seconds.
    pub iat: i64,
    /// The token id.
    pub jti: *const c_char,
}

/// A decoded PoP token (from `taap_pop_token_decode` or a validator). Free with
/// `taap_pop_token_free`.
pub struct taap_pop_token {
    _opaque: [u8; 0],
}

/// A decoded token with C copies of its claims.
pub struct DecodedToken {
    // The C strings own the text `claims` points into; their heap buffers never move.
    _strings: [CString; 4],
    claims: taap_claims,
}

impl Handle for taap_pop_token {
    type Target = DecodedToken;
}

impl DecodedToken {
    /// Copies the claims of a decoded token into C strings. A claim holding a NUL character
    /// (JSON allows `\u0000`) cannot be one: it is refused rather than silently cut short.
    pub(crate) fn new(token: &PopToken) -> FfiResult<Self> {
        let claims = token.claims();
        let text = |name: &str, value: &str| {
            CString::new(value).map_err(|_| {
                Failure::new(
                    taap_status::TAAP_INVALID_TOKEN,
                    format!("invalid PoP token: claim '{name}' holds a NUL character, which a C string cannot carry"),
                )
            })
        };
        let strings = [
            text("edts", &claims.edts)?,
            text("v", &claims.v)?,
            text("ehts", &claims.ehts.join(";"))?,
            text("jti", &claims.jti)?,
        ];
        let claims = taap_claims {
            edts: strings[0].as_ptr(),
            v: strings[1].as_ptr(),
            exp: claims.exp,
            ehts: strings[2].as_ptr(),
            iat: claims.iat,
            jti: strings[3].as_ptr(),
        };
        Ok(DecodedToken { _strings: strings, claims })
    }

    /// A new handle for the decoded token.
    pub(crate) fn into_handle(self) -> *mut taap_pop_token {
        into_handle::<taap_pop_token>(self)
    }
}

/// Decodes a token's header and claims without verifying it (to log or route it); use a
/// validator to trust it. Free `*out` with `taap_pop_token_free`.
///
/// # Safety
/// `token` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_decode(
    token: *const c_char,
    out: *mut *mut taap_pop_token,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `token` NULL or NUL-terminated and `out` NULL or
        // writable (Safety above); the helpers refuse NULL.
        let (out, token) = unsafe { (try_out!(out), try_c_str!(token)) };
        *out = DecodedToken::new(&PopToken::decode(token)?)?.into_handle();
        Ok(())
    })
}

/// The claims of a decoded token, valid until the token is freed; NULL for NULL.
///
/// # Safety
/// `token` is NULL or a live decoded token.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_claims(token: *const taap_pop_token) -> *const taap_claims {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `token` NULL or a live decoded token (Safety above);
        // NULL gives NULL.
        unsafe { borrow_handle(token, "token") }.map_or(std::ptr::null(), |decoded| &decoded.claims)
    }
}

/// Frees a decoded token. NULL is ignored.
///
/// # Safety
/// `token` is NULL or a live decoded token, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_free(token: *mut taap_pop_token) {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `token` NULL or a live decoded token it never uses
        // again (Safety above), which is what `free_handle` requires.
        unsafe { free_handle(token) }
    }
}
