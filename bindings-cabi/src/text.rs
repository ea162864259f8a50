//! Strings handed to C: made by [`into_c_string`], freed (and wiped) by `taap_string_free`.

use alloc::ffi::CString;
use alloc::string::String;
use core::ffi::c_char;

use zeroize::Zeroize;

use crate::failure::{Failure, FfiResult};
use crate::ffi_panic_boundary;
use crate::status::taap_status;

/// Text taap made (a token, PEM, JWK, JSON), handed to C as a new string the caller frees
/// with `taap_string_free`.
pub fn into_c_string(text: String) -> FfiResult<*mut c_char> {
    CString::new(text).map(CString::into_raw).map_err(|_| {
        // Tokens are base64url, PEM and JSON escape control characters: never an interior NUL.
        Failure::new(taap_status::TAAP_PANIC, "taap made text with a NUL byte; please report this bug")
    })
}

/// Frees (and wipes) a string taap returned: tokens, PEM, JWK, thumbprints, JSON. NULL is
/// ignored.
///
/// # Safety
/// `s` is NULL or a string from this library, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_string_free(s: *mut c_char) {
    ffi_panic_boundary! {
        if !s.is_null() {
            // SAFETY: `s` is not NULL (checked above); the header makes the caller pass a string
            // this library returned and not use it again, and every such string comes from
            // `CString::into_raw`, so `CString::from_raw` takes it back exactly once.
            let mut bytes = unsafe { CString::from_raw(s) }.into_bytes();
            // Private key PEM and access tokens come back through here too: wipe them all.
            bytes.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn strings_go_out_and_come_back() {
        let text = into_c_string("eyJ.x.y".into()).unwrap();
        assert_eq!(unsafe { core::ffi::CStr::from_ptr(text) }.to_str().unwrap(), "eyJ.x.y");
        unsafe { taap_string_free(text) };
        unsafe { taap_string_free(core::ptr::null_mut()) };
        let refused = into_c_string("a\0b".into()).unwrap_err();
        assert_eq!(refused.status(), taap_status::TAAP_PANIC);
        assert_eq!(refused.to_string(), "taap made text with a NUL byte; please report this bug");
    }
}
