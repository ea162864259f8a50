//! `taap_ehts_entry`: one (name, value) pair, as C passes ehts, request headers and the values a
//! validator checks, and as taap hands back response headers.

use std::ffi::c_char;

use crate::boundary::{Failure, FfiResult};
use crate::convert::{c_array, not_utf8, optional_c_bytes};

/// One ehts entry (or HTTP header): a name and its exact value, both NUL-terminated.
/// `name` must be UTF-8; `value` is signed byte for byte, whatever its encoding.
#[repr(C)]
pub struct taap_ehts_entry {
    /// The ehts name, e.g. `"Content-Type"`, `"uri"`, `"http-method"`, `"body"`.
    pub name: *const c_char,
    /// The value, exactly as it is sent.
    pub value: *const c_char,
}

/// One entry's name (checked UTF-8) and value bytes.
///
/// # Safety
/// The entry's strings are NULL or NUL-terminated and outlive `'a`.
unsafe fn entry<'a>(entry: &taap_ehts_entry, index: usize, what: &str) -> FfiResult<(&'a str, &'a [u8])> {
    // SAFETY: per the contract.
    let name = unsafe { optional_c_bytes(entry.name) }
        .ok_or_else(|| Failure::null(&format!("{what}[{index}].name")))?;
    let name =
        std::str::from_utf8(name).map_err(|error| not_utf8(error, &format!("{what}[{index}].name")))?;
    // SAFETY: per the contract.
    let value = unsafe { optional_c_bytes(entry.value) }
        .ok_or_else(|| Failure::null(&format!("{what}[{index}].value")))?;
    Ok((name, value))
}

/// The entries of a C array as ordered (name, value bytes) pairs borrowed from the caller.
///
/// # Safety
/// `entries` is NULL (only with `len` 0) or points to `len` entries whose strings outlive `'a`.
pub(crate) unsafe fn ehts_pairs<'a>(
    entries: *const taap_ehts_entry,
    len: usize,
    what: &str,
) -> FfiResult<Vec<(&'a str, &'a [u8])>> {
    // SAFETY: per the contract.
    let entries = unsafe { c_array(entries, len, what) }?;
    // SAFETY: per the contract.
    entries.iter().enumerate().map(|(index, item)| unsafe { entry(item, index, what) }).collect()
}

/// Like [`ehts_pairs`], for headers sent over HTTP, whose values must be UTF-8 too.
///
/// # Safety
/// As for [`ehts_pairs`].
#[cfg(feature = "client")]
pub(crate) unsafe fn header_pairs<'a>(
    entries: *const taap_ehts_entry,
    len: usize,
    what: &str,
) -> FfiResult<Vec<(&'a str, &'a str)>> {
    // SAFETY: per the contract.
    let pairs = unsafe { ehts_pairs(entries, len, what) }?;
    pairs
        .into_iter()
        .enumerate()
        .map(|(index, (name, value))| {
            let value = std::str::from_utf8(value)
                .map_err(|error| not_utf8(error, &format!("{what}[{index}].value")))?;
            Ok((name, value))
        })
        .collect()
}
