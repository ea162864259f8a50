//! The core's request rules: `taap_sign_policy` (which headers a PoP token signs),
//! `taap_request_uri`/`taap_request_method`, and validation of a request as received.

use std::ffi::{c_char, CString};

use taap::SignPolicy;

use crate::boundary::{guard, guard_value, Failure, FfiResult};
use crate::convert::{
    borrow_handle, c_array, c_str, free_handle, into_c_string, into_handle, out_arg, Handle,
};
use crate::ehts::{ehts_pairs, taap_ehts_entry};
use crate::keys::{private_key, public_key, taap_private_key, taap_public_key};
use crate::status::taap_status;
use crate::token::{build_options, taap_build_options, taap_pop_token, DecodedToken};
use crate::validator::taap_validator;

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
        // SAFETY: per the contract of this function.
        let out = unsafe { out_arg(out, "out") }?;
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
        // SAFETY: per the contract of this function.
        let out = unsafe { out_arg(out, "out") }?;
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
        // SAFETY: per the contract of this function.
        let (out, names) = unsafe { (out_arg(out, "out")?, c_array(names, count, "names")?) };
        let names = names
            .iter()
            .enumerate()
            // SAFETY: per the contract of this function.
            .map(|(index, name)| unsafe { c_str(*name, &format!("names[{index}]")) })
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
        // SAFETY: per the contract of this function.
        let (out, policy, name) =
            unsafe { (out_arg(out, "out")?, borrow_handle(policy, "policy")?, c_str(name, "name")?) };
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
        // SAFETY: per the contract of this function.
        let (out, policy, name) =
            unsafe { (out_arg(out, "out")?, borrow_handle(policy, "policy")?, c_str(name, "name")?) };
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
    // SAFETY: per the contract of this function.
    guard_value((), || unsafe { free_handle(policy) });
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
    guard(|| {
        // SAFETY: per the contract of this function.
        let (out, key, method, url, headers, body, options) = unsafe {
            (
                out_arg(out_token, "out_token")?,
                private_key(key, "key")?,
                c_str(method, "method")?,
                c_str(url, "url")?,
                ehts_pairs(headers, header_count, "headers")?,
                c_array(body, body_len, "body")?,
                build_options(options)?,
            )
        };
        let default_policy;
        // SAFETY: per the contract of this function.
        let policy = match unsafe { policy.cast::<SignPolicy>().as_ref() } {
            Some(policy) => policy,
            None => {
                default_policy = SignPolicy::new();
                &default_policy
            }
        };
        *out = into_c_string(policy.sign(key, method, url, &headers, body, &options)?);
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
        // SAFETY: per the contract of this function.
        let (out, url) = unsafe { (out_arg(out_uri, "out_uri")?, c_str(url, "url")?) };
        let uri = CString::new(taap::request_uri(url)?).map_err(|_| {
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
        // SAFETY: per the contract of this function.
        let (out, method) = unsafe { (out_arg(out_method, "out_method")?, c_str(method, "method")?) };
        *out = into_c_string(taap::request_method(method)?);
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
    guard(|| {
        // SAFETY: per the contract of this function.
        let (validator, key, method, target, headers, body) = unsafe {
            (
                borrow_handle(validator, "validator")?,
                public_key(key, "key")?,
                c_str(method, "method")?,
                c_str(target, "target")?,
                ehts_pairs(headers, header_count, "headers")?,
                c_array(body, body_len, "body")?,
            )
        };
        let request = taap::ReceivedRequest::new(method, target, headers, body)?;
        let decoded = validator.validate_request(key, &request)?;
        // SAFETY: per the contract of this function.
        if let Some(out) = unsafe { out_decoded.as_mut() } {
            *out = DecodedToken::new(&decoded)?.into_handle();
        }
        Ok(())
    })
}
