//! `taap_client`: OAuth 2.0 access tokens and TAAP-signed API calls, and `taap_response`.

use std::ffi::{c_char, CString};
use std::sync::Arc;
use std::time::Duration;

use taap::{ClientConfig, OAuthServer, Response, TaapClient};

use crate::boundary::{guard, guard_value, FfiResult};
use crate::convert::{
    borrow_handle, c_array, c_str, free_handle, into_handle, optional_c_bytes, out_arg, secret_into_c_string,
    utf8, Handle,
};
use crate::ehts::{header_pairs, taap_ehts_entry};
use crate::keys::taap_private_key;
use crate::status::taap_status;

/// A TAAP client for one set of credentials: fetches and caches access tokens (one refresh
/// for all threads) and sends signed API calls. Thread-safe; free with `taap_client_free`.
pub struct taap_client {
    _opaque: [u8; 0],
}

impl Handle for taap_client {
    type Target = TaapClient;
}

/// Tuning of a client. A zeroed struct (or a NULL pointer) means the defaults.
#[repr(C)]
pub struct taap_client_options {
    /// `storeId` for the v6 token body; NULL: none.
    pub store_id: *const c_char,
    /// `dealerCode` for the v6 token body; NULL: none.
    pub dealer_code: *const c_char,
    /// Connection set-up limit in milliseconds, DNS and TLS included; 0 means 10 000.
    pub connect_timeout_ms: u32,
    /// Limit for one whole HTTP exchange in milliseconds; 0 means 30 000.
    pub request_timeout_ms: u32,
    /// Retries of connection failures, 429 and 5xx answers, at most 10; 0 means 2 (see
    /// `no_retries`).
    pub max_retries: u32,
    /// First backoff delay in milliseconds, doubling on each retry; 0 means 200.
    pub retry_base_delay_ms: u32,
    /// Longest single wait in milliseconds (backoff or `Retry-After`); 0 means 10 000.
    pub retry_max_delay_ms: u32,
    /// Replace a cached access token this many seconds before it expires; 0 means 60.
    pub refresh_margin_secs: u32,
    /// Validity of each PoP token in seconds; 0 means 120.
    pub pop_ttl_secs: i64,
    /// Largest response body read into memory, in bytes; 0 means 10 MiB.
    pub max_response_bytes: u64,
    /// Never retry.
    pub no_retries: bool,
    /// Do not correct PoP `iat` by the clock offset the servers' `Date` headers show.
    pub no_clock_skew_correction: bool,
}

/// Applies the non-zero fields of C options to a core configuration.
///
/// # Safety
/// `options` is NULL or valid, with NULL or NUL-terminated strings.
unsafe fn apply_options(config: &mut ClientConfig, options: *const taap_client_options) -> FfiResult {
    // SAFETY: per the contract.
    let Some(options) = (unsafe { options.as_ref() }) else {
        return Ok(());
    };
    let optional_text = |text: *const c_char, what: &str| -> FfiResult<Option<String>> {
        // SAFETY: per the contract.
        unsafe { optional_c_bytes(text) }.map(|bytes| utf8(bytes, what).map(str::to_owned)).transpose()
    };
    config.store_id = optional_text(options.store_id, "options->store_id")?;
    config.dealer_code = optional_text(options.dealer_code, "options->dealer_code")?;
    let millis = |value: u32| (value != 0).then(|| Duration::from_millis(value.into()));
    if let Some(connect) = millis(options.connect_timeout_ms) {
        config.timeouts.connect = connect;
    }
    if let Some(request) = millis(options.request_timeout_ms) {
        config.timeouts.request = request;
    }
    if options.no_retries {
        config.retry.max_retries = 0;
    } else if options.max_retries != 0 {
        config.retry.max_retries = options.max_retries;
    }
    if let Some(base) = millis(options.retry_base_delay_ms) {
        config.retry.base_delay = base;
    }
    if let Some(max) = millis(options.retry_max_delay_ms) {
        config.retry.max_delay = max;
    }
    if options.refresh_margin_secs != 0 {
        config.refresh_margin = Duration::from_secs(options.refresh_margin_secs.into());
    }
    if options.pop_ttl_secs != 0 {
        config.pop_ttl_secs = options.pop_ttl_secs;
    }
    if options.max_response_bytes != 0 {
        config.max_response_bytes = options.max_response_bytes;
    }
    config.correct_clock_skew = !options.no_clock_skew_correction;
    Ok(())
}

/// Creates a client. `server` is `"v2"`, `"v6"` (T-Mobile's token endpoints), an API name that
/// picks one by T-Mobile's table (`"connectivity"`, `"location"`, `"sms-notification"`: v2;
/// `"call-verification"`, `"fraud-prevention"`: v6) or a full token endpoint URL ending in
/// `/v2/tokens` or `/v6/tokens`. The client keeps its own reference to
/// `key`, which the caller may free right away. No network traffic happens yet.
///
/// # Safety
/// `key` is NULL or a live key; the strings are NULL or NUL-terminated; `options` is NULL or
/// valid; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_client_new(
    key: *const taap_private_key,
    client_id: *const c_char,
    client_secret: *const c_char,
    server: *const c_char,
    options: *const taap_client_options,
    out: *mut *mut taap_client,
) -> taap_status {
    guard(|| {
        // SAFETY: per the contract of this function.
        let (out, key, client_id, client_secret, server) = unsafe {
            (
                out_arg(out, "out")?,
                borrow_handle::<taap_private_key>(key, "key")?,
                c_str(client_id, "client_id")?,
                c_str(client_secret, "client_secret")?,
                c_str(server, "server")?,
            )
        };
        let mut config =
            ClientConfig::new(client_id, client_secret, Arc::clone(key), OAuthServer::parse(server)?);
        // SAFETY: per the contract of this function.
        unsafe { apply_options(&mut config, options) }?;
        *out = into_handle::<taap_client>(TaapClient::new(config)?);
        Ok(())
    })
}

/// Hands an access token to C.
///
/// # Safety
/// `client` is NULL or live; `out_token` is NULL or writable; `out_expires_in` is NULL or writable.
unsafe fn hand_out_access_token(
    client: *const taap_client,
    out_token: *mut *mut c_char,
    out_expires_in: *mut u64,
    fetch: impl FnOnce(&TaapClient) -> taap::Result<taap::AccessToken>,
) -> taap_status {
    guard(|| {
        // SAFETY: per the contract of the caller.
        let (out, client) = unsafe { (out_arg(out_token, "out_token")?, borrow_handle(client, "client")?) };
        let token = fetch(client)?;
        *out = secret_into_c_string(token.secret());
        // SAFETY: per the contract of the caller.
        if let Some(expires_in) = unsafe { out_expires_in.as_mut() } {
            *expires_in = token.remaining().as_secs();
        }
        Ok(())
    })
}

/// The access token (TAAP steps 1 and 2): the cached one, or a new one when it is missing or
/// near expiry; concurrent callers share one refresh. `*out_token` is a secret: free it with
/// `taap_string_free`, which wipes it. When `out_expires_in` is not NULL it receives the
/// seconds of validity left. A refusal by the server is `TAAP_OAUTH` (see
/// `taap_last_error_http_status`), a network failure `TAAP_TRANSPORT`.
///
/// # Safety
/// `client` is NULL or live; `out_token` is NULL or writable; `out_expires_in` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_client_access_token(
    client: *const taap_client,
    out_token: *mut *mut c_char,
    out_expires_in: *mut u64,
) -> taap_status {
    // SAFETY: per the contract of this function.
    unsafe { hand_out_access_token(client, out_token, out_expires_in, TaapClient::access_token) }
}

/// Like `taap_client_access_token`, but fetches a new token now, replacing the cached one.
///
/// # Safety
/// As for `taap_client_access_token`.
#[no_mangle]
pub unsafe extern "C" fn taap_client_refresh_access_token(
    client: *const taap_client,
    out_token: *mut *mut c_char,
    out_expires_in: *mut u64,
) -> taap_status {
    // SAFETY: per the contract of this function.
    unsafe { hand_out_access_token(client, out_token, out_expires_in, TaapClient::refresh_access_token) }
}

/// Sends a TAAP-signed API call (step 4): `headers` in order (`Content-Type:
/// application/json` is added first when absent; `Authorization` and `X-Authorization` are the
/// client's own), `Authorization: Bearer` with the access token, and a fresh PoP token in
/// `X-Authorization`. Any HTTP status is a response (`TAAP_OK`); a 401 gets one token refresh
/// and one retry. Free `*out` with `taap_response_free`.
///
/// # Safety
/// `client` is NULL or live; `method` and `url` are NULL or NUL-terminated; `headers` points to
/// `headers_len` entries (UTF-8 names and values); `body` points to `body_len` bytes; `out` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_client_send(
    client: *const taap_client,
    method: *const c_char,
    url: *const c_char,
    headers: *const taap_ehts_entry,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    out: *mut *mut taap_response,
) -> taap_status {
    guard(|| {
        // SAFETY: per the contract of this function.
        let (out, client, method, url, headers, body) = unsafe {
            (
                out_arg(out, "out")?,
                borrow_handle::<taap_client>(client, "client")?,
                c_str(method, "method")?,
                c_str(url, "url")?,
                header_pairs(headers, headers_len, "headers")?,
                c_array(body, body_len, "body")?,
            )
        };
        *out = into_handle::<taap_response>(ClientResponse::new(client.send(method, url, headers, body)?));
        Ok(())
    })
}

/// Frees a client (and its cached access token). NULL is ignored.
///
/// # Safety
/// `client` is NULL or live and no longer used by any thread.
#[no_mangle]
pub unsafe extern "C" fn taap_client_free(client: *mut taap_client) {
    // SAFETY: per the contract of this function.
    guard_value((), || unsafe { free_handle(client) });
}

/// The answer to `taap_client_send`: status, headers, body. Free with `taap_response_free`.
pub struct taap_response {
    _opaque: [u8; 0],
}

/// A response with C copies of its headers and a NUL after its body.
pub struct ClientResponse {
    status: u16,
    body_len: usize,
    body: Vec<u8>,
    // The C strings own the text `headers` points into; their heap buffers never move.
    header_text: Vec<(CString, CString)>,
    headers: Vec<taap_ehts_entry>,
}

impl Handle for taap_response {
    type Target = ClientResponse;
}

impl ClientResponse {
    fn new(response: Response) -> Self {
        let text = |value: String| CString::new(value.replace('\0', " ")).unwrap_or_default();
        let header_text: Vec<(CString, CString)> =
            response.headers.into_iter().map(|(name, value)| (text(name), text(value))).collect();
        let headers = header_text
            .iter()
            .map(|(name, value)| taap_ehts_entry { name: name.as_ptr(), value: value.as_ptr() })
            .collect();
        let body_len = response.body.len();
        let mut body = response.body;
        body.push(0);
        ClientResponse { status: response.status, body_len, body, header_text, headers }
    }
}

/// The HTTP status code; 0 for NULL.
///
/// # Safety
/// `response` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn taap_response_status(response: *const taap_response) -> u16 {
    // SAFETY: per the contract of this function.
    guard_value(0, || unsafe { borrow_handle(response, "response") }.map_or(0, |response| response.status))
}

/// The body, valid until the response is freed; `*out_len` (when not NULL) receives its length.
/// A NUL follows the body, so a text body can be used as a C string. NULL for NULL.
///
/// # Safety
/// `response` is NULL or live; `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_response_body(
    response: *const taap_response,
    out_len: *mut usize,
) -> *const u8 {
    guard_value(std::ptr::null(), || {
        // SAFETY: per the contract of this function.
        let Ok(response) = (unsafe { borrow_handle(response, "response") }) else {
            return std::ptr::null();
        };
        // SAFETY: per the contract of this function.
        if let Some(len) = unsafe { out_len.as_mut() } {
            *len = response.body_len;
        }
        response.body.as_ptr()
    })
}

/// The first value of header `name` (compared ignoring ASCII case), valid until the response
/// is freed; NULL when absent.
///
/// # Safety
/// `response` is NULL or live; `name` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn taap_response_header(
    response: *const taap_response,
    name: *const c_char,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        // SAFETY: per the contract of this function.
        let (Ok(response), Some(name)) =
            (unsafe { borrow_handle(response, "response") }, unsafe { optional_c_bytes(name) })
        else {
            return std::ptr::null();
        };
        response
            .header_text
            .iter()
            .find(|(key, _)| key.as_bytes().eq_ignore_ascii_case(name))
            .map_or(std::ptr::null(), |(_, value)| value.as_ptr())
    })
}

/// All headers in arrival order (names lower-case), valid until the response is freed;
/// `*out_len` receives their number. NULL (and 0) for a NULL response.
///
/// # Safety
/// `response` is NULL or live; `out_len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_response_headers(
    response: *const taap_response,
    out_len: *mut usize,
) -> *const taap_ehts_entry {
    guard_value(std::ptr::null(), || {
        // SAFETY: per the contract of this function.
        let response = unsafe { borrow_handle(response, "response") }.ok();
        // SAFETY: per the contract of this function.
        if let Some(len) = unsafe { out_len.as_mut() } {
            *len = response.map_or(0, |response| response.headers.len());
        }
        response.map_or(std::ptr::null(), |response| response.headers.as_ptr())
    })
}

/// Frees a response. NULL is ignored.
///
/// # Safety
/// `response` is NULL or live, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_response_free(response: *mut taap_response) {
    // SAFETY: per the contract of this function.
    guard_value((), || unsafe { free_handle(response) });
}
