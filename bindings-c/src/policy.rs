//! The core's request rules: `taap_sign_policy` (which headers a PoP token signs),
//! `taap_request_uri`/`taap_request_method`, and validation of a request as received.

use std::ffi::{c_char, CString};

use taap::keys::Signer;
use taap::{request::UriForm, SignPolicy};
use taap_cabi::{ffi_panic_boundary, try_c_str, try_out, try_ref_from_ptr};

use crate::boundary::{guard, Failure, FfiResult};
use crate::convert::{
    borrow_handle, c_array, c_str, free_handle, into_c_string, into_handle, out_arg, Handle,
};
use crate::ehts::{taap_ehts_entry, RequestArgs};
use crate::keys::{taap_private_key, taap_public_key};
use crate::signer::taap_signer;
use crate::status::taap_status;
use crate::token::{build_options, taap_build_options, taap_pop_token};
use crate::validator::{hand_out_decoded, taap_validator};

/// Which headers of an outgoing request a PoP token signs, in which order. Immutable, so one
/// policy may be shared by any number of threads; free with `taap_sign_policy_free`.
pub struct taap_sign_policy {
    _opaque: [u8; 0],
}

impl Handle for taap_sign_policy {
    type Target = SignPolicy;
}

/// Hands a new policy to C.
fn hand_out(out: &mut *mut taap_sign_policy, policy: SignPolicy) {
    *out = into_handle::<taap_sign_policy>(policy);
}

/// T-Mobile's docs' policy: `Content-Type`, then `Authorization`, each when present.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_sign_policy_new_default(out: *mut *mut taap_sign_policy) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable (Safety above); NULL is refused.
        let out = unsafe { try_out!(out) };
        hand_out(out, SignPolicy::new());
        Ok(())
    })
}

/// A policy that signs every header the request carries, in the request's order (never
/// `X-Authorization`).
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_sign_policy_new_all_headers(out: *mut *mut taap_sign_policy) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable (Safety above); NULL is refused.
        let out = unsafe { try_out!(out) };
        hand_out(out, SignPolicy::all_headers());
        Ok(())
    })
}

/// A policy that signs exactly `names` (`count` NUL-terminated UTF-8 header names, matched
/// ignoring ASCII case), in this order, each when the request has it.
///
/// # Safety
/// `names` points to `count` NUL-terminated strings (or is NULL with `count` 0); `out` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_sign_policy_new_headers(
    names: *const *const c_char,
    count: usize,
    out: *mut *mut taap_sign_policy,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `names` pointing to `count` strings and `out` NULL
        // or writable (Safety above); the helpers refuse NULLs.
        let (out, names) = unsafe { (try_out!(out), c_array(names, count, "names")?) };
        let names = names
            .iter()
            .enumerate()
            // SAFETY: taap.h has the caller pass each of the `count` names NUL-terminated.
            .map(|(index, name)| unsafe { c_str(*name, taap_cabi::ArgName::from("names").item(index)) })
            .collect::<FfiResult<Vec<&str>>>()?;
        hand_out(out, SignPolicy::headers(names)?);
        Ok(())
    })
}

/// A new policy: `policy` that also signs header `name`. `policy` itself is unchanged.
///
/// # Safety
/// `policy` is NULL or live; `name` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_sign_policy_with_header(
    policy: *const taap_sign_policy,
    name: *const c_char,
    out: *mut *mut taap_sign_policy,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `policy` NULL or live, `name` NULL or NUL-terminated
        // and `out` NULL or writable (Safety above); the helpers refuse NULL.
        let (out, policy, name) = unsafe { (try_out!(out), try_ref_from_ptr!(policy), try_c_str!(name)) };
        hand_out(out, policy.clone().with_header(name)?);
        Ok(())
    })
}

/// A new policy: `policy` that never signs header `name`. `policy` itself is unchanged.
///
/// # Safety
/// `policy` is NULL or live; `name` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_sign_policy_without_header(
    policy: *const taap_sign_policy,
    name: *const c_char,
    out: *mut *mut taap_sign_policy,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `policy` NULL or live, `name` NULL or NUL-terminated
        // and `out` NULL or writable (Safety above); the helpers refuse NULL.
        let (out, policy, name) = unsafe { (try_out!(out), try_ref_from_ptr!(policy), try_c_str!(name)) };
        hand_out(out, policy.clone().without_header(name)?);
        Ok(())
    })
}

/// Frees a policy. NULL is ignored.
///
/// # Safety
/// `policy` is NULL or live, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_sign_policy_free(policy: *mut taap_sign_policy) {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `policy` NULL or live and never used again (Safety
        // above), which is what `free_handle` requires.
        unsafe { free_handle(policy) }
    }
}

/// Builds the PoP token for one HTTP request as `policy` (NULL: the docs' default) signs it:
/// the headers it picks out of `headers` (in its order, values without surrounding
/// whitespace), then `uri`, `http-method` and `body` (`body_len` bytes, possibly 0), with
/// `options` (NULL: defaults). Free `*out_token` with `taap_string_free`.
///
/// # Safety
/// `key` is NULL or a live key; `policy` is NULL or live; `method` and `url` are NULL or
/// NUL-terminated; `headers` points to `header_count` entries; `body` points to `body_len`
/// bytes; `options` is NULL or valid; `out_token` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_sign_request(
    key: *const taap_private_key,
    policy: *const taap_sign_policy,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `sign_request` needs (Safety
    // above), with a live key being a live handle of `taap_private_key`.
    unsafe {
        sign_request(
            key,
            "key",
            policy,
            method,
            url,
            headers,
            header_count,
            body,
            body_len,
            options,
            out_token,
        )
    }
}

/// `taap_pop_token_sign_request` with a signer (`taap_signer_from_callback`,
/// `taap_signer_open`) in place of the key: the signing policy's `sign` for any signer. A
/// signature that is not the modulus length or does not verify under the signer's public key
/// is `TAAP_SIGNATURE_INVALID`, and no token is made.
///
/// # Safety
/// `signer` is NULL or a live signer; otherwise as for `taap_pop_token_sign_request`.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_sign_request_with_signer(
    signer: *const taap_signer,
    policy: *const taap_sign_policy,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    options: *const taap_build_options,
    out_token: *mut *mut c_char,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `sign_request` needs (Safety
    // above), with a live signer being a live handle of `taap_signer`.
    unsafe {
        sign_request(
            signer,
            "signer",
            policy,
            method,
            url,
            headers,
            header_count,
            body,
            body_len,
            options,
            out_token,
        )
    }
}

/// The body of `taap_pop_token_sign_request` and `taap_pop_token_sign_request_with_signer`:
/// `key` (named `key_name` in messages) is a private key or a signer.
///
/// # Safety
/// `key` is NULL or a live handle of `H`; `policy` is NULL or live; `method` and `url` are NULL
/// or NUL-terminated; `headers` points to `header_count` entries; `body` points to `body_len`
/// bytes; `options` is NULL or valid; `out_token` is NULL or writable.
#[allow(clippy::too_many_arguments)]
unsafe fn sign_request<H: Handle>(
    key: *const H,
    key_name: &'static str,
    policy: *const taap_sign_policy,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    header_count: usize,
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
        // `headers` points to `header_count` entries, `body` to `body_len` bytes, `options` is NULL
        // or valid and `out_token` NULL or writable (this function's precondition, which each
        // caller's taap.h Safety section gives); the helpers refuse NULLs.
        let (out, key, request, options) = unsafe {
            (
                try_out!(out_token),
                borrow_handle(key, key_name)?,
                RequestArgs::read(method, (url, "url"), headers, header_count, body, body_len)?,
                build_options(options)?,
            )
        };
        let default_policy;
        // SAFETY: `policy` is NULL (the default) or live (this function's precondition).
        let policy = match unsafe { borrow_handle(policy, "policy") } {
            Ok(policy) => policy,
            Err(_) => {
                default_policy = SignPolicy::new();
                &default_policy
            }
        };
        *out = into_c_string(policy.sign(
            key,
            request.method,
            request.url,
            &request.headers,
            request.body,
            &options,
        )?)?;
        Ok(())
    })
}

/// The `uri` value of a request URL or path: path plus percent-decoded query, as a gateway
/// compares it. Free `*out_uri` with `taap_string_free`. A query that decodes to a NUL byte
/// cannot be a C string: `TAAP_INVALID_EHTS`.
///
/// # Safety
/// `url` is NULL or NUL-terminated; `out_uri` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_request_uri(url: *const c_char, out_uri: *mut *mut c_char) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `url` NULL or NUL-terminated and `out_uri` NULL or
        // writable (Safety above); the helpers refuse NULL.
        let (out, url) = unsafe { (try_out!(out_uri), try_c_str!(url)) };
        let uri = CString::new(taap::request::request_uri(url)?).map_err(|_| {
            Failure::new(
                taap_status::TAAP_INVALID_EHTS,
                "invalid ehts: the request's query decodes to a NUL byte, which a C string cannot carry",
            )
        })?;
        *out = uri.into_raw();
        Ok(())
    })
}

/// The `http-method` value: `method` upper-cased, which must be an HTTP token. Free
/// `*out_method` with `taap_string_free`.
///
/// # Safety
/// `method` is NULL or NUL-terminated; `out_method` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_request_method(
    method: *const c_char,
    out_method: *mut *mut c_char,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `method` NULL or NUL-terminated and `out_method` NULL
        // or writable (Safety above); the helpers refuse NULL.
        let (out, method) = unsafe { (try_out!(out_method), try_c_str!(method)) };
        *out = into_c_string(taap::request::request_method(method)?)?;
        Ok(())
    })
}

/// Validates the PoP token a request as received carries in `X-Authorization`: `method`,
/// `target` (path and query as on the request line, or a full URL), `headers` as received
/// (names matched ignoring ASCII case) and the exact body. `uri` and `http-method` follow the
/// core's rules, so nothing is rebuilt by the caller. With the validator's options and replay
/// cache; when `out_decoded` is not NULL and the token is valid, `*out_decoded` receives the
/// decoded token (free it with `taap_pop_token_free`).
///
/// # Safety
/// `validator` is NULL or live; `key` is NULL or a live key; `method` and `target` are NULL
/// or NUL-terminated; `headers` points to `header_count` entries; `body` points to
/// `body_len` bytes; `out_decoded` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_validator_validate_request(
    validator: *const taap_validator,
    key: *const taap_public_key,
    method: *const c_char,
    target: *const c_char,
    headers: *const taap_ehts_entry,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    out_decoded: *mut *mut taap_pop_token,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises
    // `taap_validator_validate_request_as` needs, and a NULL `uri_form` is the docs' form there.
    unsafe {
        taap_validator_validate_request_as(
            validator,
            key,
            method,
            target,
            headers,
            header_count,
            body,
            body_len,
            std::ptr::null(),
            out_decoded,
        )
    }
}

/// `taap_validator_validate_request` for a signer that wrote the `uri` value in another form:
/// `uri_form` is `"decoded"` (or NULL: the query percent-decoded, as T-Mobile's docs) or
/// `"encoded"` (the query exactly as on the request line, as some SDKs sign it); anything
/// else is `TAAP_CONFIG`.
///
/// # Safety
/// As for `taap_validator_validate_request`; `uri_form` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn taap_validator_validate_request_as(
    validator: *const taap_validator,
    key: *const taap_public_key,
    method: *const c_char,
    target: *const c_char,
    headers: *const taap_ehts_entry,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    uri_form: *const c_char,
    out_decoded: *mut *mut taap_pop_token,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `validator` NULL or live, `key` NULL or a live key,
        // `method`, `target` and `uri_form` NULL or NUL-terminated, `headers` pointing to
        // `header_count` entries and `body` to `body_len` bytes (Safety above); the helpers
        // refuse NULLs where a value is required.
        let (validator, key, sent, form) = unsafe {
            (
                try_ref_from_ptr!(validator),
                try_ref_from_ptr!(key),
                RequestArgs::read(method, (target, "target"), headers, header_count, body, body_len)?,
                uri_form_of(uri_form)?,
            )
        };
        let RequestArgs { method, url: target, headers, body } = sent;
        let request = taap::request::ReceivedRequest::with_uri_form(method, target, headers, body, form)?;
        let decoded = validator.validate_request(key, &request)?;
        // SAFETY: taap.h has the caller pass `out_decoded` NULL or writable (Safety above).
        hand_out_decoded(unsafe { out_arg(out_decoded, "out_decoded") }.ok(), &decoded)
    })
}

/// The `uri` form a C caller names: NULL is the docs' `decoded`.
///
/// # Safety
/// `uri_form` is NULL or NUL-terminated.
pub(crate) unsafe fn uri_form_of(uri_form: *const c_char) -> FfiResult<UriForm> {
    if uri_form.is_null() {
        return Ok(UriForm::default());
    }
    // SAFETY: `uri_form` is NUL-terminated (this function's precondition), as `c_str` requires.
    Ok(UriForm::parse(unsafe { try_c_str!(uri_form) })?)
}
