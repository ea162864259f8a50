//! `taap_ehts_entry`: one (name, value) pair, as C passes ehts, request headers and the values a
//! validator checks (and as libtaap hands back response headers).

use core::ffi::c_char;

use crate::arg::{c_array, c_bytes, utf8};
use crate::failure::{ArgName, FfiResult};

/// One ehts entry (or HTTP header): a name and its exact value, both NUL-terminated.
/// `name` must be UTF-8; `value` is signed byte for byte, whatever its encoding.
#[repr(C)]
pub struct taap_ehts_entry {
    /// The ehts name, e.g. `"Content-Type"`, `"uri"`, `"http-method"`, `"body"`.
    pub name: *const c_char,
    /// The value, exactly as it is sent.
    pub value: *const c_char,
}

/// The entries of C array argument `list` as (UTF-8 name, value bytes) pairs borrowed from the
/// caller, read one at a time, so that a caller can hash them without copying. A NULL array
/// with a length, a NULL name or value, or a name that is not UTF-8 is a failure naming the
/// entry (`ehts[1].name`).
///
/// # Safety
/// `entries` is NULL or points to a C array of at least `len` entries whose strings are NULL
/// or NUL-terminated, all alive and unchanged during `'a`.
pub unsafe fn ehts_entries<'a>(
    entries: *const taap_ehts_entry,
    len: usize,
    list: &'static str,
) -> FfiResult<impl Iterator<Item = FfiResult<(&'a str, &'a [u8])>> + 'a> {
    // SAFETY: `entries` and `len` are what `c_array` requires: this function has its precondition.
    let entries = unsafe { c_array(entries, len, list) }?;
    Ok(entries.iter().enumerate().map(move |(index, entry)| {
        let entry_name = ArgName::from(list).item(index);
        // SAFETY: the entry is one of the array's, whose strings are NULL or NUL-terminated and
        // stay alive and unchanged during `'a` (the precondition): what `c_bytes` requires.
        let name = unsafe { c_bytes(entry.name, entry_name.clone().field("name")) }?;
        let name = utf8(name, entry_name.clone().field("name"))?;
        // SAFETY: as for the name just above.
        let value = unsafe { c_bytes(entry.value, entry_name.field("value")) }?;
        Ok((name, value))
    }))
}

#[cfg(test)]
mod tests {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    use super::*;
    use crate::status::taap_status;

    /// The entries read, or the failure's status and message.
    type Read<'a> = Result<Vec<(&'a str, &'a [u8])>, (taap_status, String)>;

    fn read(entries: &[taap_ehts_entry], len: usize) -> Read<'_> {
        let pairs = unsafe { ehts_entries(entries.as_ptr(), len, "ehts") }
            .and_then(|pairs| pairs.collect::<FfiResult<Vec<_>>>());
        pairs.map_err(|failure| (failure.status(), failure.to_string()))
    }

    #[test]
    fn entries_come_in_order_with_their_exact_bytes() {
        let entries = [
            taap_ehts_entry { name: c"uri".as_ptr(), value: c"/a".as_ptr() },
            taap_ehts_entry { name: c"body".as_ptr(), value: c"\xff".as_ptr() },
        ];
        assert_eq!(read(&entries, 2).unwrap(), [("uri", &b"/a"[..]), ("body", &b"\xff"[..])]);
        assert_eq!(read(&entries, 0).unwrap(), []);
    }

    #[test]
    fn a_bad_entry_is_named_by_its_index() {
        let null = core::ptr::null();
        let cases = [
            (
                taap_ehts_entry { name: null, value: c"v".as_ptr() },
                taap_status::TAAP_NULL_ARGUMENT,
                "ehts[1].name is NULL",
            ),
            (
                taap_ehts_entry { name: c"n".as_ptr(), value: null },
                taap_status::TAAP_NULL_ARGUMENT,
                "ehts[1].value is NULL",
            ),
            (
                taap_ehts_entry { name: c"\xc3".as_ptr(), value: null },
                taap_status::TAAP_INVALID_UTF8,
                "ehts[1].name is not valid UTF-8 (first bad byte at offset 0)",
            ),
        ];
        for (bad, status, message) in cases {
            let entries = [taap_ehts_entry { name: c"uri".as_ptr(), value: c"/".as_ptr() }, bad];
            assert_eq!(read(&entries, 2).unwrap_err(), (status, message.to_string()));
        }
        let missing = unsafe { ehts_entries(core::ptr::null(), 3, "headers") }.err().unwrap();
        assert_eq!(missing.to_string(), "headers (with headers_len 3) is NULL");
    }
}
