//! ehts entries, request headers and whole requests as libtaap reads them from C: taap-cabi's
//! `taap_ehts_entry` collected into ordered pairs borrowed from the caller.

use std::ffi::c_char;

pub use taap_cabi::taap_ehts_entry;
use taap_cabi::{c_str, try_c_str, try_slice};

use crate::boundary::FfiResult;

/// The entries of a C array as ordered (name, value bytes) pairs borrowed from the caller.
///
/// # Safety
/// `entries` is NULL (only with `len` 0) or points to `len` entries whose strings are NULL or
/// NUL-terminated and outlive `'a`.
pub(crate) unsafe fn ehts_pairs<'a>(
    entries: *const taap_ehts_entry,
    len: usize,
    what: &'static str,
) -> FfiResult<Vec<(&'a str, &'a [u8])>> {
    // SAFETY: `entries` and `len` are what `ehts_entries` requires: this function has its precondition.
    unsafe { taap_cabi::ehts_entries(entries, len, what) }?.collect()
}

/// Like [`ehts_pairs`], for headers sent over HTTP, whose values must be UTF-8 too.
///
/// # Safety
/// As for [`ehts_pairs`].
#[cfg(feature = "client")]
pub(crate) unsafe fn header_pairs<'a>(
    entries: *const taap_ehts_entry,
    len: usize,
    what: &'static str,
) -> FfiResult<Vec<(&'a str, &'a str)>> {
    // SAFETY: `entries` and `len` are what `ehts_pairs` requires: this function has its precondition.
    let pairs = unsafe { ehts_pairs(entries, len, what) }?;
    pairs
        .into_iter()
        .enumerate()
        .map(|(index, (name, value))| {
            let value = taap_cabi::utf8(value, taap_cabi::ArgName::from(what).item(index).field("value"))?;
            Ok((name, value))
        })
        .collect()
}

/// An HTTP request as C functions take one: method, URL (or request target), headers in
/// order, exact body; borrowed from the caller.
pub(crate) struct RequestArgs<'a> {
    pub(crate) method: &'a str,
    pub(crate) url: &'a str,
    pub(crate) headers: Vec<(&'a str, &'a [u8])>,
    pub(crate) body: &'a [u8],
}

impl<'a> RequestArgs<'a> {
    /// Reads the four arguments, in this order, each failure naming its argument (`url_name`
    /// for the URL: `url` or `target`).
    ///
    /// # Safety
    /// `method` and `url` are NULL or NUL-terminated; `headers` points to `headers_len` entries
    /// as [`ehts_pairs`] requires; `body` points to `body_len` bytes (or is NULL with 0); all
    /// outlive `'a`.
    pub(crate) unsafe fn read(
        method: *const c_char,
        (url, url_name): (*const c_char, &'static str),
        headers: *const taap_ehts_entry,
        headers_len: usize,
        body: *const u8,
        body_len: usize,
    ) -> FfiResult<Self> {
        // SAFETY: each pointer is what its helper requires (this function's precondition).
        unsafe {
            Ok(RequestArgs {
                method: try_c_str!(method),
                url: c_str(url, url_name)?,
                headers: ehts_pairs(headers, headers_len, "headers")?,
                body: try_slice!(body, body_len),
            })
        }
    }
}
