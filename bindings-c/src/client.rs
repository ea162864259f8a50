//! `taap_client`: OAuth 2.0 access tokens and TAAP-signed API calls, and `taap_response`.

use std::ffi::{c_char, CString};

use taap::keys::IntoSigner;
use taap::settings::NameStyle;
use taap::{client::ClientSettings, client::Response, TaapClient};

use crate::boundary::{guard, guard_value, FfiResult};
use crate::convert::{
    borrow_handle, c_array, c_str, free_handle, into_c_string, into_handle, optional_c_bytes, out_arg,
    secret_into_c_string, utf8, Handle,
};
use crate::ehts::{header_pairs, taap_ehts_entry};
use crate::keys::taap_private_key;
use crate::signer::taap_signer;
use crate::status::taap_status;

/// A TAAP client for one set of credentials: fetches and caches access tokens (one refresh
/// for all threads) and sends signed API calls. Thread-safe; free with `taap_client_free`.
pub struct taap_client {
    _opaque: [u8; 0],
}

impl Handle for taap_client {
    type Target = TaapClient;
}

/// The client's options: `options_json` (a JSON object under the settings schema's snake_case
/// names) with `server`, when given, as its `server` option.
fn client_settings(server: Option<&str>, options_json: Option<&str>) -> FfiResult<ClientSettings> {
    let mut options = match options_json {
        Some(text) => taap::settings::options_from_json(text)?,
        None => serde_json::Map::new(),
    };
    if let Some(server) = server {
        if options.contains_key("server") {
            return Err(taap::Error::Config(
                "give the server as the argument or as the option, not both".into(),
            )
            .into());
        }
        options.insert("server".into(), server.into());
    }
    Ok(ClientSettings::from_options(&options, NameStyle::Snake)?)
}

/// Creates a client. `server` is NULL (the options say, else `v2`) or `"v2"`, `"v6"`
/// (T-Mobile's token endpoints), an API name that picks one by T-Mobile's table
/// (`"connectivity"`, `"location"`, `"sms-notification"`: v2; `"call-verification"`,
/// `"fraud-prevention"`: v6) or a full token endpoint URL ending in `/v2/tokens` or `/v6/tokens`.
/// `options_json` is NULL (every default) or a JSON object of the client options of the settings
/// schema under their snake_case names (docs/api.md; `taap_settings_schema` lists them), e.g.
/// `{"max_retries": 0, "timeout": 5, "api": "location", "token_store": "redis://127.0.0.1:6379"}`;
/// a wrong option is `TAAP_CONFIG` with the schema's message. The client keeps its own reference
/// to `key`, which the caller may free right away. No network traffic happens yet.
///
/// # Safety
/// `key` is NULL or a live key; `client_id`, `client_secret`, `server` and `options_json` are
/// NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_client_new(
    key: *const taap_private_key,
    client_id: *const c_char,
    client_secret: *const c_char,
    server: *const c_char,
    options_json: *const c_char,
    out: *mut *mut taap_client,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `new_client` needs (Safety
    // above), with a live key being a live handle of `taap_private_key`.
    unsafe { new_client(key, "key", client_id, client_secret, server, options_json, out) }
}

/// `taap_client_new` with a signer (`taap_signer_from_callback`, `taap_signer_open`) in place
/// of the key: every PoP token the client makes is signed by it, checked before it is sent (a
/// bad signature is `TAAP_SIGNATURE_INVALID`). The client keeps its own reference to `signer`,
/// which the caller may free right away; a callback's context must stay valid until the client
/// is freed too, and the callback is called on the threads that send the client's calls.
///
/// # Safety
/// `signer` is NULL or a live signer; otherwise as for `taap_client_new`.
#[no_mangle]
pub unsafe extern "C" fn taap_client_new_with_signer(
    signer: *const taap_signer,
    client_id: *const c_char,
    client_secret: *const c_char,
    server: *const c_char,
    options_json: *const c_char,
    out: *mut *mut taap_client,
) -> taap_status {
    // SAFETY: taap.h gives this function's pointers the promises `new_client` needs (Safety
    // above), with a live signer being a live handle of `taap_signer`.
    unsafe { new_client(signer, "signer", client_id, client_secret, server, options_json, out) }
}

/// The body of `taap_client_new` and `taap_client_new_with_signer`: `key` (named `key_name`
/// in messages) is a private key or a signer, of which the client keeps a reference.
///
/// # Safety
/// `key` is NULL or a live handle of `H`; `client_id`, `client_secret`, `server` and
/// `options_json` are NULL or NUL-terminated; `out` is NULL or writable.
unsafe fn new_client<H: Handle>(
    key: *const H,
    key_name: &'static str,
    client_id: *const c_char,
    client_secret: *const c_char,
    server: *const c_char,
    options_json: *const c_char,
    out: *mut *mut taap_client,
) -> taap_status
where
    H::Target: IntoSigner + Clone,
{
    guard(|| {
        // SAFETY: `out` is NULL or writable, `key` NULL or a live handle and the strings NULL or
        // NUL-terminated (this function's precondition, which each caller's taap.h Safety section
        // gives); each helper refuses NULL where required.
        let (out, key, client_id, client_secret, server, options_json) = unsafe {
            (
                out_arg(out, "out")?,
                borrow_handle::<H>(key, key_name)?,
                c_str(client_id, "client_id")?,
                c_str(client_secret, "client_secret")?,
                optional_c_bytes(server).map(|bytes| utf8(bytes, "server")).transpose()?,
                optional_c_bytes(options_json).map(|bytes| utf8(bytes, "options_json")).transpose()?,
            )
        };
        let config =
            client_settings(server, options_json)?.client_config(client_id, client_secret, key.clone())?;
        *out = into_handle::<taap_client>(TaapClient::new(config)?);
        Ok(())
    })
}

/// The options in effect (the settings schema's snake_case names and units; secret header
/// values masked, the token store only as `true`/`false`) as JSON in `*out_json`; free it with
/// `taap_string_free`.
///
/// # Safety
/// `client` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_client_settings(
    client: *const taap_client,
    out_json: *mut *mut c_char,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out_json` NULL or writable and `client` NULL or live
        // (Safety above); both helpers refuse NULL.
        let (out, client) =
            unsafe { (out_arg(out_json, "out_json")?, borrow_handle::<taap_client>(client, "client")?) };
        *out = into_c_string(serde_json::Value::Object(client.settings().clone()).to_string())?;
        Ok(())
    })
}

/// Every option of every door as the core declares it (name, unit, default, range, what it
/// does) as JSON in `*out_json`; free it with `taap_string_free`.
///
/// # Safety
/// `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_settings_schema(out_json: *mut *mut c_char) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out_json` NULL or writable (Safety above); the
        // helper refuses NULL.
        let out = unsafe { out_arg(out_json, "out_json")? };
        *out = into_c_string(taap::settings::settings_schema_json())?;
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
    fetch: impl FnOnce(&TaapClient) -> taap::Result<taap::client::AccessToken>,
) -> taap_status {
    guard(|| {
        // SAFETY: both public callers' taap.h contract has `out_token` NULL or writable and
        // `client` NULL or live (their Safety sections); both helpers refuse NULL.
        let (out, client) = unsafe { (out_arg(out_token, "out_token")?, borrow_handle(client, "client")?) };
        let token = fetch(client)?;
        *out = secret_into_c_string(token.secret());
        // SAFETY: the callers' contract has `out_expires_in` NULL (then `as_mut` gives None) or
        // writable.
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
    // SAFETY: this function's Safety section is exactly `hand_out_access_token`'s.
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
    // SAFETY: this function's Safety section is exactly `hand_out_access_token`'s.
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
        // SAFETY: taap.h has the caller pass `out` NULL or writable, `client` NULL or live, the
        // strings NULL or NUL-terminated, `headers` pointing to `headers_len` entries and `body`
        // to `body_len` bytes (Safety above); each helper refuses NULL where required.
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
    // SAFETY: taap.h has the caller pass a NULL (ignored) or live client that no thread uses
    // any more (Safety above), so it is freed exactly once.
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
    // SAFETY: taap.h has the caller pass `response` NULL (refused) or live (Safety above).
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
        // SAFETY: taap.h has the caller pass `response` NULL (refused) or live (Safety above).
        let Ok(response) = (unsafe { borrow_handle(response, "response") }) else {
            return std::ptr::null();
        };
        // SAFETY: taap.h has `out_len` NULL (then `as_mut` gives None) or writable.
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
        // SAFETY: taap.h has `response` NULL (refused) or live and `name` NULL (None) or
        // NUL-terminated (Safety above).
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
        // SAFETY: taap.h has `response` NULL (refused) or live (Safety above).
        let response = unsafe { borrow_handle(response, "response") }.ok();
        // SAFETY: taap.h has `out_len` NULL (then `as_mut` gives None) or writable.
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
    // SAFETY: taap.h has the caller pass a NULL (ignored) or live response not used again
    // (Safety above), so it is freed exactly once.
    guard_value((), || unsafe { free_handle(response) });
}
