//! Checked conversions from C arguments (pointers, C strings, arrays) to Rust values and back.

use std::ffi::{c_char, CStr, CString};
use std::mem::size_of;
use std::str::Utf8Error;

use crate::boundary::{Failure, FfiResult};
use crate::status::taap_status;

/// An opaque C handle type and the Rust value each handle owns (behind a `Box`).
pub(crate) trait Handle {
    /// The value behind the handle.
    type Target;
}

/// Moves `value` to the heap and hands out its handle.
pub(crate) fn into_handle<H: Handle>(value: H::Target) -> *mut H {
    Box::into_raw(Box::new(value)).cast()
}

/// Borrows the value behind a handle; NULL is a `TAAP_NULL_ARGUMENT` naming `what`.
///
/// # Safety
/// `handle` is NULL or came from [`into_handle`] for `H` and has not been freed.
pub(crate) unsafe fn borrow_handle<'a, H: Handle>(handle: *const H, what: &str) -> FfiResult<&'a H::Target> {
    // SAFETY: per the contract, a non-NULL handle points to a live `H::Target`.
    unsafe { handle.cast::<H::Target>().as_ref() }.ok_or_else(|| Failure::null(what))
}

/// Drops the value behind a handle; NULL is ignored.
///
/// # Safety
/// `handle` is NULL or came from [`into_handle`] for `H` and has not been freed.
pub(crate) unsafe fn free_handle<H: Handle>(handle: *mut H) {
    if !handle.is_null() {
        // SAFETY: per the contract, the handle owns a boxed `H::Target`.
        drop(unsafe { Box::from_raw(handle.cast::<H::Target>()) });
    }
}

/// Checks an output argument before any work is done, so that a NULL one costs nothing.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub(crate) unsafe fn out_arg<'a, T>(out: *mut T, what: &str) -> FfiResult<&'a mut T> {
    // SAFETY: per the contract.
    unsafe { out.as_mut() }.ok_or_else(|| Failure::null(what))
}

/// The bytes of a NUL-terminated string (any encoding: PEM, passwords, values).
///
/// # Safety
/// `text` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_bytes<'a>(text: *const c_char, what: &str) -> FfiResult<&'a [u8]> {
    // SAFETY: per the contract.
    unsafe { optional_c_bytes(text) }.ok_or_else(|| Failure::null(what))
}

/// Like [`c_bytes`], with NULL meaning "none".
///
/// # Safety
/// `text` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn optional_c_bytes<'a>(text: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: per the contract.
    (!text.is_null()).then(|| unsafe { CStr::from_ptr(text) }.to_bytes())
}

/// A NUL-terminated string that must be UTF-8 (names, methods, URLs, tokens, JSON).
///
/// # Safety
/// `text` is NULL or a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_str<'a>(text: *const c_char, what: &str) -> FfiResult<&'a str> {
    // SAFETY: per the contract.
    let bytes = unsafe { c_bytes(text, what) }?;
    utf8(bytes, what)
}

/// `bytes` as UTF-8, or a `TAAP_INVALID_UTF8` naming `what`.
pub(crate) fn utf8<'a>(bytes: &'a [u8], what: &str) -> FfiResult<&'a str> {
    std::str::from_utf8(bytes).map_err(|error| not_utf8(error, what))
}

/// The `TAAP_INVALID_UTF8` failure for `what`, saying where the first bad byte is.
pub(crate) fn not_utf8(error: Utf8Error, what: &str) -> Failure {
    Failure::new(
        taap_status::TAAP_INVALID_UTF8,
        format!("{what} is not valid UTF-8 (first bad byte at offset {})", error.valid_up_to()),
    )
}

/// A C array as a slice; NULL is fine when `len` is 0.
///
/// # Safety
/// `items` is NULL or points to `len` initialised values that outlive `'a`.
pub(crate) unsafe fn c_array<'a, T>(items: *const T, len: usize, what: &str) -> FfiResult<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if items.is_null() {
        return Err(Failure::null(&format!("{what} (with {what}_len {len})")));
    }
    if len > isize::MAX as usize / size_of::<T>().max(1) {
        return Err(Failure::new(taap_status::TAAP_CONFIG, format!("{what}_len {len} is impossibly large")));
    }
    // SAFETY: non-NULL, bounded length, and per the contract `len` values are readable.
    Ok(unsafe { std::slice::from_raw_parts(items, len) })
}

/// A string taap made, handed to C; the caller frees it with `taap_string_free`.
pub(crate) fn into_c_string(text: String) -> *mut c_char {
    CString::new(text).expect("taap never makes text with a NUL byte").into_raw()
}

/// Secret text (a private key PEM) handed to C without leaving an unwiped copy behind.
pub(crate) fn secret_into_c_string(text: &str) -> *mut c_char {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(0);
    CString::from_vec_with_nul(bytes).expect("taap never makes text with a NUL byte").into_raw()
}
