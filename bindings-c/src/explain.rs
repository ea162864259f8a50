//! `taap_explain`: why a gateway would accept or refuse a PoP token for a request as it was
//! sent, as the core's `Explanation` in JSON (the document `taap doctor --json` prints).

use std::ffi::c_char;

use taap::{diagnose::ExplainOptions, diagnose::ExplainRequest};
use taap_cabi::{try_c_str, try_out, try_ref_from_ptr};

use crate::boundary::{guard, Failure, FfiResult};
use crate::convert::{into_c_string, optional_ref};
use crate::ehts::{taap_ehts_entry, RequestArgs};
use crate::keys::taap_public_key;
use crate::status::taap_status;

/// What else `taap_explain` may use. A zeroed struct (or a NULL pointer) means the defaults:
/// no signature check, the clock.
#[repr(C)]
pub struct taap_explain_options {
    /// The signer's public key, to check the signature; NULL: `"signature": "not-checked"`.
    pub public_key: *const taap_public_key,
    /// Judge the token's time window as of this epoch time; 0 reads the clock.
    pub now: i64,
}

/// Explains `token` against the request as it was sent (`method`, `url` or path and query,
/// `headers` in order, the exact `body`): the decoded claims, the time window and clock
/// offset, each signed value (secrets masked), the `edts` recomputed and compared, the
/// signature (with `options->public_key`), the signer variant that reproduces the claimed
/// `edts` (`"uri-encoded"`, `"header-order"`, …) and the problems found, as JSON text (the
/// `taap doctor --json` document). On success `*out_json` is a new string: free it with
/// `taap_string_free`. Fails only for a token that does not decode (`TAAP_INVALID_TOKEN`) or
/// an unusable method or URL (`TAAP_INVALID_EHTS`); a refused token is an explanation.
///
/// # Safety
/// `token`, `method` and `url` are NULL or NUL-terminated; `headers` points to `headers_len`
/// entries; `body` points to `body_len` bytes; `options` is NULL or valid, its `public_key`
/// NULL or a live key; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_explain(
    token: *const c_char,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    options: *const taap_explain_options,
    out_json: *mut *mut c_char,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `token`, `method` and `url` NULL or NUL-terminated,
        // `headers` pointing to `headers_len` entries, `body` to `body_len` bytes, `options` NULL
        // or valid and `out_json` NULL or writable (Safety above); the helpers refuse NULLs.
        let (out, token, sent, options) = unsafe {
            (
                try_out!(out_json),
                try_c_str!(token),
                RequestArgs::read(method, (url, "url"), headers, headers_len, body, body_len)?,
                optional_ref(options),
            )
        };
        let request =
            sent.headers.into_iter().fold(
                ExplainRequest::new(sent.method, sent.url).body(sent.body),
                |request, (name, value)| request.header(name, value),
            );
        // SAFETY: taap.h has the caller pass `options->public_key` NULL or a live key (Safety above).
        let options = unsafe { explain_options(options) }?;
        *out = into_c_string(explanation_json(token, &request, &options)?)?;
        Ok(())
    })
}

/// The core's options for a C options struct (NULL: the defaults).
///
/// # Safety
/// `options` is `None` or its `public_key` is NULL or a live key.
unsafe fn explain_options(options: Option<&taap_explain_options>) -> FfiResult<ExplainOptions<'_>> {
    let Some(options) = options else { return Ok(ExplainOptions::default()) };
    let key = options.public_key;
    let public_key = if key.is_null() {
        None
    } else {
        // SAFETY: `key` is not NULL (checked above), so it is a live key (the precondition).
        Some(unsafe { try_ref_from_ptr!(key) })
    };
    Ok(ExplainOptions { public_key, now: (options.now != 0).then_some(options.now) })
}

/// The explanation of `token` against `request`, as the JSON `taap doctor --json` prints.
fn explanation_json(
    token: &str,
    request: &ExplainRequest,
    options: &ExplainOptions<'_>,
) -> FfiResult<String> {
    let explanation = taap::diagnose::explain(token, request, options)?;
    serde_json::to_string(&explanation).map_err(|error| {
        Failure::new(taap_status::TAAP_PANIC, format!("the explanation does not serialise: {error}"))
    })
}
