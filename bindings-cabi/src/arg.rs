//! Checked conversions of C arguments into Rust values: each raw pointer is read here, after
//! the checks its use needs (NULL, length), and each failure names the argument.
//!
//! The functions are `unsafe`: what C promises about a pointer (it is NUL-terminated, it
//! points to `len` items, it is writable) cannot be checked, so it is each function's
//! precondition, and the exported function that calls it says in its `SAFETY` comment which
//! sentence of the header gives that promise. The `try_*!` macros call them with the
//! argument's own name for the message and return early on failure, as rustls-ffi's do.

use core::ffi::{c_char, CStr};
use core::mem::size_of;

use crate::failure::{ArgName, Failure, FfiResult};

/// An output argument as a reference, checked before any work is done (so that a NULL one
/// costs nothing); NULL is `TAAP_NULL_ARGUMENT` naming `name`.
///
/// # Safety
/// `out` is NULL or valid for reads and writes of a `T`, and nothing else uses it during `'a`.
pub unsafe fn out_arg<'a, T>(out: *mut T, name: impl Into<ArgName>) -> FfiResult<&'a mut T> {
    // SAFETY: `as_mut` maps NULL to `None`; any other `out` is valid for reads and writes and
    // unaliased during `'a` (the precondition above), which is what a `&'a mut T` needs.
    unsafe { out.as_mut() }.ok_or_else(|| Failure::null(name))
}

/// A struct argument where NULL means "the defaults" (options).
///
/// # Safety
/// `value` is NULL or points to a valid `T` that stays unchanged during `'a`.
pub unsafe fn optional_ref<'a, T>(value: *const T) -> Option<&'a T> {
    // SAFETY: `as_ref` maps NULL to `None`; any other `value` points to a valid `T` left
    // unchanged during `'a` (the precondition above), which is what a `&'a T` needs.
    unsafe { value.as_ref() }
}

/// The bytes of a NUL-terminated string (any encoding: PEM, passwords, values); NULL is
/// `TAAP_NULL_ARGUMENT` naming `name`.
///
/// # Safety
/// As for [`optional_c_bytes`].
pub unsafe fn c_bytes<'a>(text: *const c_char, name: impl Into<ArgName>) -> FfiResult<&'a [u8]> {
    // SAFETY: `text` is what `optional_c_bytes` requires: this function has its precondition.
    unsafe { optional_c_bytes(text) }.ok_or_else(|| Failure::null(name))
}

/// Like [`c_bytes`], with NULL meaning "none".
///
/// # Safety
/// `text` is NULL or points to a NUL-terminated string that stays alive and unchanged during
/// `'a`.
pub unsafe fn optional_c_bytes<'a>(text: *const c_char) -> Option<&'a [u8]> {
    if text.is_null() {
        return None;
    }
    // SAFETY: `text` is not NULL (checked above), so by the precondition it is NUL-terminated
    // and stays alive and unchanged during `'a`: what `CStr::from_ptr` requires.
    Some(unsafe { CStr::from_ptr(text) }.to_bytes())
}

/// A NUL-terminated string that must be UTF-8 (names, methods, URLs, tokens, JSON): NULL is
/// `TAAP_NULL_ARGUMENT`, other bytes `TAAP_INVALID_UTF8`, both naming `name`.
///
/// # Safety
/// As for [`optional_c_bytes`].
pub unsafe fn c_str<'a>(text: *const c_char, name: impl Into<ArgName>) -> FfiResult<&'a str> {
    let name = name.into();
    // SAFETY: `text` is what `c_bytes` requires: this function has its precondition.
    let bytes = unsafe { c_bytes(text, name.clone()) }?;
    utf8(bytes, name)
}

/// `bytes` as UTF-8, or `TAAP_INVALID_UTF8` naming `name` and the first bad byte.
pub fn utf8(bytes: &[u8], name: impl Into<ArgName>) -> FfiResult<&str> {
    core::str::from_utf8(bytes).map_err(|error| Failure::not_utf8(name, error))
}

/// A C array as a slice. NULL is fine when `len` is 0 (the core then judges the empty input
/// with its own error kind); otherwise it is `TAAP_NULL_ARGUMENT`, and a `len` no memory can
/// hold is `TAAP_CONFIG`, both naming `name`.
///
/// # Safety
/// `items` is NULL or points to a C array of at least `len` initialised `T`s that stays alive
/// and unchanged during `'a`.
pub unsafe fn c_array<'a, T>(items: *const T, len: usize, name: impl Into<ArgName>) -> FfiResult<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if items.is_null() {
        return Err(Failure::null_array(name.into(), len));
    }
    if len > isize::MAX as usize / size_of::<T>().max(1) {
        return Err(Failure::too_long(name.into(), len));
    }
    // SAFETY: `items` is not NULL and `len` items fit in `isize::MAX` bytes (both checked
    // above); by the precondition they are an aligned C array of initialised `T`s that stays
    // alive and unchanged during `'a`: what `slice::from_raw_parts` requires.
    Ok(unsafe { core::slice::from_raw_parts(items, len) })
}

/// Argument `$out` of the exported function as `&mut` ([`out_arg`]), or an early return with
/// `TAAP_NULL_ARGUMENT` naming it. Expands to a call of an `unsafe fn`: use it inside an
/// `unsafe` block whose `SAFETY` comment says why `$out` is NULL or writable.
#[macro_export]
macro_rules! try_out {
    ($out:ident) => {
        $crate::out_arg($out, stringify!($out))?
    };
}

/// The value behind handle argument `$handle` ([`borrow_handle`](crate::borrow_handle)), or an
/// early return with `TAAP_NULL_ARGUMENT` naming it. Use it inside an `unsafe` block whose
/// `SAFETY` comment says why `$handle` is NULL or a live handle of its type.
#[macro_export]
macro_rules! try_ref_from_ptr {
    ($handle:ident) => {
        $crate::borrow_handle($handle, stringify!($handle))?
    };
}

/// Array argument `$items` of `$len` items as a slice ([`c_array`]), or an early return naming
/// it. Use it inside an `unsafe` block whose `SAFETY` comment says why `$items` points to
/// `$len` items.
#[macro_export]
macro_rules! try_slice {
    ($items:ident, $len:expr) => {
        $crate::c_array($items, $len, stringify!($items))?
    };
}

/// String argument `$text` as UTF-8 ([`c_str`]), or an early return naming it. Use it inside
/// an `unsafe` block whose `SAFETY` comment says why `$text` is NULL or NUL-terminated.
#[macro_export]
macro_rules! try_c_str {
    ($text:ident) => {
        $crate::c_str($text, stringify!($text))?
    };
}

/// String argument `$text` as bytes ([`c_bytes`]), or an early return naming it. Use it
/// inside an `unsafe` block whose `SAFETY` comment says why `$text` is NULL or NUL-terminated.
#[macro_export]
macro_rules! try_c_bytes {
    ($text:ident) => {
        $crate::c_bytes($text, stringify!($text))?
    };
}

#[cfg(test)]
mod tests {
    use std::string::ToString;

    use super::*;
    use crate::status::taap_status;

    fn failed<T: core::fmt::Debug>(result: FfiResult<T>) -> (taap_status, std::string::String) {
        let failure = result.unwrap_err();
        (failure.status(), failure.to_string())
    }

    #[test]
    fn strings_are_read_up_to_their_nul_and_null_is_named() {
        let text = c"uri";
        assert_eq!(unsafe { c_str(text.as_ptr(), "name") }.unwrap(), "uri");
        assert_eq!(unsafe { c_bytes(c"a\xffb".as_ptr(), "pem") }.unwrap(), b"a\xffb");
        assert_eq!(unsafe { optional_c_bytes(core::ptr::null()) }, None);
        let null = unsafe { c_str(core::ptr::null(), "method") };
        assert_eq!(failed(null), (taap_status::TAAP_NULL_ARGUMENT, "method is NULL".into()));
        let bad = unsafe { c_str(c"a\xffb".as_ptr(), ArgName::from("ehts").item(1).field("name")) };
        let message = "ehts[1].name is not valid UTF-8 (first bad byte at offset 1)";
        assert_eq!(failed(bad), (taap_status::TAAP_INVALID_UTF8, message.into()));
    }

    #[test]
    fn arrays_allow_null_only_when_empty_and_refuse_impossible_lengths() {
        let items = [1u32, 2, 3];
        assert_eq!(unsafe { c_array(items.as_ptr(), 2, "items") }.unwrap(), [1, 2]);
        assert_eq!(unsafe { c_array::<u32>(core::ptr::null(), 0, "items") }.unwrap(), [] as [u32; 0]);
        let null = unsafe { c_array::<u8>(core::ptr::null(), 4, "body") };
        assert_eq!(failed(null), (taap_status::TAAP_NULL_ARGUMENT, "body (with body_len 4) is NULL".into()));
        let huge = unsafe { c_array(items.as_ptr(), usize::MAX / 2, "items") };
        assert_eq!(huge.unwrap_err().status(), taap_status::TAAP_CONFIG);
    }

    #[test]
    fn outputs_and_options_map_null() {
        let mut slot = 0u8;
        assert!(unsafe { out_arg(&mut slot as *mut u8, "out") }.is_ok());
        let null = unsafe { out_arg(core::ptr::null_mut::<u8>(), "out_token") };
        assert_eq!(failed(null), (taap_status::TAAP_NULL_ARGUMENT, "out_token is NULL".into()));
        assert_eq!(unsafe { optional_ref(&7u8 as *const u8) }, Some(&7));
        assert_eq!(unsafe { optional_ref(core::ptr::null::<u8>()) }, None);
    }

    #[test]
    fn the_macros_name_the_argument_they_were_given() {
        fn read(pem: *const c_char, der: *const u8, der_len: usize) -> FfiResult<usize> {
            // SAFETY: the test passes a NUL-terminated literal or NULL, and NULL arrays.
            let (pem, der) = unsafe { (try_c_bytes!(pem), try_slice!(der, der_len)) };
            Ok(pem.len() + der.len())
        }
        assert_eq!(read(c"abc".as_ptr(), core::ptr::null(), 0).unwrap(), 3);
        assert_eq!(failed(read(core::ptr::null(), core::ptr::null(), 0)).1, "pem is NULL");
        assert_eq!(failed(read(c"a".as_ptr(), core::ptr::null(), 2)).1, "der (with der_len 2) is NULL");
    }
}
