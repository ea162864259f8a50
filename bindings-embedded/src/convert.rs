//! C arguments into Rust values, each checked: NULL, lengths, UTF-8.

use core::ffi::{c_char, CStr};

use crate::status::taap_status;

/// A NUL-terminated C string's bytes; `TAAP_NULL_ARGUMENT` for NULL.
///
/// # Safety
/// `text` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_bytes<'a>(text: *const c_char) -> Result<&'a [u8], taap_status> {
    if text.is_null() {
        return Err(taap_status::TAAP_NULL_ARGUMENT);
    }
    // SAFETY: per the contract.
    Ok(unsafe { CStr::from_ptr(text) }.to_bytes())
}

/// A NUL-terminated C string as UTF-8; `TAAP_INVALID_UTF8` when it is not.
///
/// # Safety
/// As for [`c_bytes`].
pub(crate) unsafe fn c_str<'a>(text: *const c_char) -> Result<&'a str, taap_status> {
    // SAFETY: per the contract.
    let bytes = unsafe { c_bytes(text) }?;
    core::str::from_utf8(bytes).map_err(|_| taap_status::TAAP_INVALID_UTF8)
}

/// `len` items at `items`, as taap.h reads arrays: NULL is fine when `len` is 0 (the core then
/// refuses the empty input with its own kind); otherwise `TAAP_NULL_ARGUMENT`.
///
/// # Safety
/// `items` is NULL or points to `len` initialised values that outlive `'a`.
pub(crate) unsafe fn c_array<'a, T>(items: *const T, len: usize) -> Result<&'a [T], taap_status> {
    if len == 0 {
        return Ok(&[]);
    }
    if items.is_null() {
        return Err(taap_status::TAAP_NULL_ARGUMENT);
    }
    // SAFETY: per the contract.
    Ok(unsafe { core::slice::from_raw_parts(items, len) })
}

/// Runs `body` and turns its result into a status.
pub(crate) fn status_of(body: impl FnOnce() -> Result<(), taap_status>) -> taap_status {
    match body() {
        Ok(()) => taap_status::TAAP_OK,
        Err(status) => status,
    }
}

/// The status of a core error.
pub(crate) fn core_error(error: taap::Error) -> taap_status {
    taap_status::from_error(&error)
}
