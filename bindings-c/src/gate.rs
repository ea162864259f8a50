//! `taap_pop_gate`: the core's middleware check (`taap::validate::PopGate`) for a C server (an
//! nginx module, libmicrohttpd, CivetWeb, one's own), against one key or a `taap_key_source`.
//! Its options, the client id rule, the body limit and every answer (status, headers, JSON
//! body) come from the core; this only moves C values in and the answer out as JSON text.

use std::ffi::c_char;

use taap::settings::NameStyle;
use taap::validate::{Answer, Keys, PopGate};
use taap_cabi::{ffi_panic_boundary, try_out, try_ref_from_ptr, utf8};

use crate::boundary::{guard, FfiResult};
use crate::convert::{borrow_handle, free_handle, into_c_string, into_handle, optional_c_bytes, Handle};
use crate::ehts::{ehts_pairs, taap_ehts_entry, RequestArgs};
use crate::key_source::taap_key_source;
use crate::keys::taap_public_key;
use crate::policy::uri_form_of;
use crate::status::taap_status;

/// A PoP middleware's check: options read once, one replay cache (or a shared redis store) for
/// every request it guards; may be shared by any number of threads. Free it with
/// `taap_pop_gate_free`.
pub struct taap_pop_gate {
    _opaque: [u8; 0],
}

impl Handle for taap_pop_gate {
    type Target = PopGate;
}

// A gate is shared by a server's threads, as the README's Threads convention says.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<PopGate>();
};

/// An answer as the JSON text C receives: `{"status": …, "headers": [[name, value], …],
/// "body": "…"}`.
fn answer_text(answer: &Answer) -> FfiResult<*mut c_char> {
    into_c_string(answer.to_json().to_string())
}

/// A libtaap built without its client has no redis client: a `redis://` replay store would
/// then silently be no replay store at all, so it is refused instead.
#[cfg(not(feature = "client"))]
fn refuse_shared_store(options: &serde_json::Map<String, serde_json::Value>) -> FfiResult {
    let settings = taap::settings::middleware_settings(options, NameStyle::Snake)?;
    if settings.get("shared_replay_store").is_some_and(|url| !url.is_null()) {
        let message = "replay_store is a redis URL, but this libtaap was built without redis \
                       (its client feature); build it with the default features";
        return Err(taap::Error::Config(message.into()).into());
    }
    Ok(())
}

/// Creates a gate from `options_json`: NULL (the defaults) or a JSON object of the middleware
/// options of the settings schema under their snake_case names (`required`, which defaults to
/// `["uri", "http-method"]` here, `leeway`, `max_age`, `max_body`, `client_id_header`,
/// `replay_store`: `"memory"`, a capacity, a `redis://` URL or `false`), the same options every
/// door's middleware takes; a wrong option is `TAAP_CONFIG` with the schema's message. Free it
/// with `taap_pop_gate_free`.
///
/// # Safety
/// `options_json` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_from_json(
    options_json: *const c_char,
    out: *mut *mut taap_pop_gate,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable and `options_json` NULL or
        // NUL-terminated (Safety above); `try_out!` refuses a NULL `out` before any work, and a
        // NULL `options_json` means `{}`.
        let (out, text) = unsafe { (try_out!(out), optional_c_bytes(options_json)) };
        let text = text.map(|bytes| utf8(bytes, "options_json")).transpose()?.unwrap_or("{}");
        let options = taap::settings::options_from_json(text)?;
        #[cfg(not(feature = "client"))]
        refuse_shared_store(&options)?;
        *out = into_handle::<taap_pop_gate>(PopGate::new(&options, NameStyle::Snake)?);
        Ok(())
    })
}

/// Frees a gate. NULL is ignored.
///
/// # Safety
/// `gate` is NULL or live, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_free(gate: *mut taap_pop_gate) {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `gate` NULL or a live gate never used again (Safety
        // above), which is what `free_handle` requires.
        unsafe { free_handle(gate) }
    }
}

/// The largest body the gate reads and hashes, in bytes (`max_body`), in `*out`: a server that
/// knows a longer `Content-Length` sends `taap_pop_gate_too_large`'s answer without reading the
/// body.
///
/// # Safety
/// `gate` is NULL or live; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_max_body(gate: *const taap_pop_gate, out: *mut u64) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable and `gate` NULL or live
        // (Safety above); both macros refuse NULL.
        let (out, gate) = unsafe { (try_out!(out), try_ref_from_ptr!(gate)) };
        *out = gate.max_body();
        Ok(())
    })
}

/// The 413 answer (JSON text, as `taap_pop_gate_check` gives it) for a body longer than
/// `max_body`, in `*out_answer`; free it with `taap_string_free`.
///
/// # Safety
/// `gate` is NULL or live; `out_answer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_too_large(
    gate: *const taap_pop_gate,
    out_answer: *mut *mut c_char,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out_answer` NULL or writable and `gate` NULL or live
        // (Safety above); both macros refuse NULL.
        let (out, gate) = unsafe { (try_out!(out_answer), try_ref_from_ptr!(gate)) };
        *out = answer_text(&Answer::too_large(gate.max_body()))?;
        Ok(())
    })
}

/// The client id the request's `headers` carry (names matched ignoring ASCII case): exactly one
/// non-empty UTF-8 value of the `client_id_header` option's header. On `TAAP_OK` exactly one of
/// the two outputs is set and the other is NULL: `*out_client_id` the id, or `*out_answer` the
/// 401 to send instead (JSON text, as `taap_pop_gate_check` gives it). Free either with
/// `taap_string_free`.
///
/// # Safety
/// `gate` is NULL or live; `headers` points to `header_count` entries; `out_client_id` and
/// `out_answer` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_client_id(
    gate: *const taap_pop_gate,
    headers: *const taap_ehts_entry,
    header_count: usize,
    out_client_id: *mut *mut c_char,
    out_answer: *mut *mut c_char,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out_client_id` and `out_answer` NULL or writable,
        // `gate` NULL or live and `headers` pointing to `header_count` entries whose strings are
        // NULL or NUL-terminated (Safety above); the helpers refuse NULLs, the outputs first.
        let (out_id, out_answer, gate, headers) = unsafe {
            (
                try_out!(out_client_id),
                try_out!(out_answer),
                try_ref_from_ptr!(gate),
                ehts_pairs(headers, header_count, "headers")?,
            )
        };
        let (id, answer) = match gate.client_id(headers) {
            Ok(id) => (into_c_string(id)?, std::ptr::null_mut()),
            Err(answer) => (std::ptr::null_mut(), answer_text(&answer)?),
        };
        (*out_id, *out_answer) = (id, answer);
        Ok(())
    })
}

/// The 401 answer (JSON text) for a client id no key is registered for, in `*out_answer`; free
/// it with `taap_string_free`.
///
/// # Safety
/// `gate` is NULL or live; `out_answer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_unknown_client(
    gate: *const taap_pop_gate,
    out_answer: *mut *mut c_char,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out_answer` NULL or writable and `gate` NULL or live
        // (Safety above); both macros refuse NULL.
        let (out, gate) = unsafe { (try_out!(out_answer), try_ref_from_ptr!(gate)) };
        *out = answer_text(&gate.unknown_client())?;
        Ok(())
    })
}

/// A PoP middleware's whole check of a request as received: `method`, `target` (path and query
/// as on the request line, or a full URL), `headers` as received (names matched ignoring ASCII
/// case; the token in `X-Authorization`), the exact body and the signer's `uri_form` (NULL or
/// `"decoded"`: the docs; `"encoded"`: the query as sent; anything else is `TAAP_CONFIG`).
/// On `TAAP_OK`, `*out_answer` is NULL when the request carries a valid, unreplayed PoP token
/// signed by `key` (pass it on), else the answer to send instead of the application's, as JSON
/// text `{"status": 401|413|503, "headers": [[name, value], …], "body": "…"}`: 413 for a body
/// over `max_body`, 401 with body `{"error": <kind>, "message": …}` for a refused token, 503
/// when a `redis://` replay store cannot answer. Free it with `taap_string_free`. A status
/// other than `TAAP_OK` means a bad argument, not a refused request.
///
/// # Safety
/// `gate` is NULL or live; `key` is NULL or a live key; `method`, `target` and `uri_form` are
/// NULL or NUL-terminated; `headers` points to `header_count` entries; `body` points to
/// `body_len` bytes; `out_answer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_check(
    gate: *const taap_pop_gate,
    key: *const taap_public_key,
    method: *const c_char,
    target: *const c_char,
    headers: *const taap_ehts_entry,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    uri_form: *const c_char,
    out_answer: *mut *mut c_char,
) -> taap_status {
    let request = Request { method, target, headers, header_count, body, body_len, uri_form };
    // SAFETY: taap.h gives this function's pointers the promises `check` needs (Safety above),
    // with a live key being a live handle of `taap_public_key`.
    unsafe { check(gate, (key, "key"), request, out_answer) }
}

/// `taap_pop_gate_check` against a client's `source` of keys (`taap_key_source_*`) instead of
/// one key: the token is accepted when one of the source's keys for its `kid` (each within its
/// `nbf`/`exp` window) verifies it. A file source is read again when it changed; a JWK set URL
/// may be fetched (this may block: `taap_pop_gate_waits` says when), and when it cannot be and
/// nothing usable is cached the answer is 503 with body `{"error": "KeySourceUnavailable",
/// "message": …}` and `retry-after: 1`. Answers and statuses otherwise as
/// `taap_pop_gate_check`'s.
///
/// # Safety
/// `gate` is NULL or live; `source` is NULL or a live source; `method`, `target` and `uri_form`
/// are NULL or NUL-terminated; `headers` points to `header_count` entries; `body` points to
/// `body_len` bytes; `out_answer` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_check_with_source(
    gate: *const taap_pop_gate,
    source: *const taap_key_source,
    method: *const c_char,
    target: *const c_char,
    headers: *const taap_ehts_entry,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    uri_form: *const c_char,
    out_answer: *mut *mut c_char,
) -> taap_status {
    let request = Request { method, target, headers, header_count, body, body_len, uri_form };
    // SAFETY: taap.h gives this function's pointers the promises `check` needs (Safety above),
    // with a live source being a live handle of `taap_key_source`.
    unsafe { check(gate, (source, "source"), request, out_answer) }
}

/// Whether checking a request with these `headers` may wait on the network, in `*out`: with a
/// `redis://` replay store always, and with a `source` whose keys for the token's `kid` only a
/// fetch can give (nothing cached yet, or a `kid` the cached set lacks). An event-loop server
/// runs such a check on a worker thread and the others inline. A NULL `source` asks about
/// `taap_pop_gate_check` with one key, which waits only on a `redis://` store.
///
/// # Safety
/// `gate` is NULL or live; `source` is NULL or a live source; `headers` points to `header_count`
/// entries; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_gate_waits(
    gate: *const taap_pop_gate,
    source: *const taap_key_source,
    headers: *const taap_ehts_entry,
    header_count: usize,
    out: *mut bool,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable, `gate` NULL or live, `source`
        // NULL or a live source and `headers` pointing to `header_count` entries whose strings are
        // NULL or NUL-terminated (Safety above); the helpers refuse a NULL `out`, `gate` or
        // entry string, and a NULL `source` is borrowed only when it is not.
        let (out, gate, source, headers) = unsafe {
            (
                try_out!(out),
                try_ref_from_ptr!(gate),
                (!source.is_null()).then(|| borrow_handle(source, "source")).transpose()?,
                ehts_pairs(headers, header_count, "headers")?,
            )
        };
        *out = match source {
            Some(source) => gate.waits(source, headers),
            None => gate.blocking(),
        };
        Ok(())
    })
}

/// The request arguments both checks take, as C passes them.
struct Request {
    method: *const c_char,
    target: *const c_char,
    headers: *const taap_ehts_entry,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    uri_form: *const c_char,
}

/// The body of `taap_pop_gate_check` and `taap_pop_gate_check_with_source`: `keys` (named
/// `keys.1` in messages) is a public key or a key source.
///
/// # Safety
/// `gate` is NULL or live; `keys.0` is NULL or a live handle of `H`; `request`'s `method`,
/// `target` and `uri_form` are NULL or NUL-terminated, its `headers` points to `header_count`
/// entries and its `body` to `body_len` bytes; `out_answer` is NULL or writable.
unsafe fn check<H: Handle>(
    gate: *const taap_pop_gate,
    keys: (*const H, &'static str),
    request: Request,
    out_answer: *mut *mut c_char,
) -> taap_status
where
    for<'k> &'k H::Target: Into<Keys<'k>>,
{
    guard(|| {
        // SAFETY: `out_answer` is NULL or writable, `gate` NULL or live, `keys.0` NULL or a live
        // handle, `method`, `target` and `uri_form` NULL or NUL-terminated, `headers` pointing to
        // `header_count` entries and `body` to `body_len` bytes (this function's precondition,
        // which each caller's taap.h Safety section gives); the helpers refuse NULLs where a
        // value is required, the output first.
        let (out, gate, keys, sent, form) = unsafe {
            let Request { method, target, headers, header_count, body, body_len, uri_form } = request;
            (
                try_out!(out_answer),
                try_ref_from_ptr!(gate),
                borrow_handle(keys.0, keys.1)?,
                RequestArgs::read(method, (target, "target"), headers, header_count, body, body_len)?,
                uri_form_of(uri_form)?,
            )
        };
        let RequestArgs { method, url: target, headers, body } = sent;
        *out = match gate.check(keys, method, target, headers, body, form) {
            Some(answer) => answer_text(&answer)?,
            None => std::ptr::null_mut(),
        };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `taap_pop_gate_from_json` for `options`: its status and whether it made a gate.
    fn made(options: &std::ffi::CStr) -> taap_status {
        let mut gate = std::ptr::null_mut();
        // SAFETY: a NUL-terminated literal and a writable local; the gate is freed at once.
        let status = unsafe { taap_pop_gate_from_json(options.as_ptr(), &mut gate) };
        assert_eq!(status == taap_status::TAAP_OK, !gate.is_null());
        // SAFETY: NULL or the live gate just made, not used again.
        unsafe { taap_pop_gate_free(gate) };
        status
    }

    #[test]
    fn a_redis_store_needs_the_redis_client() {
        let status = made(c"{\"replay_store\": \"redis://127.0.0.1:1\"}");
        #[cfg(feature = "client")]
        assert_eq!(status, taap_status::TAAP_OK);
        #[cfg(not(feature = "client"))]
        assert_eq!(status, taap_status::TAAP_CONFIG);
        assert_eq!(made(c"{\"replay_store\": 10}"), taap_status::TAAP_OK);
    }
}
