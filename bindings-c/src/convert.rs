//! The conversions of C arguments and results libtaap uses: taap-cabi's checked ones, shared
//! with the microcontroller library, plus the two only libtaap needs.

use std::ffi::{c_char, CString};

pub(crate) use taap_cabi::{
    borrow_handle, c_array, c_bytes, c_str, free_handle, into_c_string, into_handle, optional_c_bytes,
    optional_ref, out_arg, Handle,
};

#[cfg(feature = "client")]
use crate::boundary::FfiResult;

/// `bytes` as UTF-8, or `TAAP_INVALID_UTF8` naming `what`, a name made at run time.
#[cfg(feature = "client")]
pub(crate) fn utf8<'a>(bytes: &'a [u8], what: &str) -> FfiResult<&'a str> {
    taap_cabi::utf8(bytes, what.to_owned())
}

/// Secret text (a private key PEM, an access token) handed to C without leaving an unwiped
/// copy behind: the string is built in a buffer of its final size, never reallocated.
pub(crate) fn secret_into_c_string(text: &str) -> *mut c_char {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(0);
    CString::from_vec_with_nul(bytes).expect("taap never makes text with a NUL byte").into_raw()
}
