//! The last failure of each thread, for libtaap's `taap_last_error_message()` and
//! `taap_last_error_http_status()`. Thread-local storage needs std: the microcontroller
//! library keeps statuses only (and its messages would cost flash).

use core::cell::RefCell;
use core::ffi::c_char;
use std::ffi::CString;
use std::string::ToString;

use crate::failure::Failure;

/// What the last failed call on a thread left behind.
struct LastError {
    message: CString,
    http_status: u16,
}

std::thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// Keeps `failure` as the thread's last error, or forgets the last one after a success.
pub(crate) fn record(failure: Option<&Failure>) {
    let last = failure.map(|failure| LastError {
        // A message is text for people; an interior NUL would only truncate it.
        message: CString::new(failure.to_string().replace('\0', "\\0")).unwrap_or_default(),
        http_status: failure.http_status(),
    });
    LAST_ERROR.with(|slot| *slot.borrow_mut() = last);
}

/// The message of the thread's last failed call, as a C string valid until the thread's next
/// call that returns a status; NULL when that call succeeded.
pub fn last_error_message() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(core::ptr::null(), |last| last.message.as_ptr()))
}

/// The HTTP status of the thread's last failure when an OAuth server refused; 0 otherwise.
pub fn last_error_http_status() -> u16 {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(0, |last| last.http_status))
}

#[cfg(test)]
mod tests {
    use std::borrow::ToOwned;
    use std::ffi::CStr;
    use std::string::String;

    use super::*;
    use crate::panic::status_of;
    use crate::status::taap_status;

    fn last_error() -> Option<String> {
        let message = last_error_message();
        (!message.is_null()).then(|| unsafe { CStr::from_ptr(message) }.to_str().unwrap().to_owned())
    }

    #[test]
    fn a_panic_becomes_taap_panic_with_a_message() {
        assert_eq!(status_of(|| panic!("boom")), taap_status::TAAP_PANIC);
        assert_eq!(last_error().unwrap(), "internal error in taap (boom); please report this bug");
    }

    #[test]
    fn success_clears_the_previous_message() {
        assert_eq!(status_of(|| Err(Failure::null("out"))), taap_status::TAAP_NULL_ARGUMENT);
        assert_eq!(last_error().as_deref(), Some("out is NULL"));
        assert_eq!(status_of(|| Ok(())), taap_status::TAAP_OK);
        assert_eq!(last_error(), None);
    }

    #[test]
    fn oauth_errors_keep_their_http_status_until_the_next_call() {
        let refusal =
            taap::Error::OAuth { status: 401, message: "invalid_client".into(), answer: Default::default() };
        assert_eq!(status_of(|| Err(refusal.into())), taap_status::TAAP_OAUTH);
        assert_eq!(last_error_http_status(), 401);
        assert_eq!(last_error().as_deref(), Some("OAuth server answered HTTP 401: invalid_client"));
        status_of(|| Err(Failure::null("key")));
        assert_eq!(last_error_http_status(), 0);
    }

    #[test]
    fn the_message_is_per_thread() {
        status_of(|| Err(Failure::null("here")));
        std::thread::spawn(|| assert_eq!(last_error(), None)).join().unwrap();
        assert_eq!(last_error().as_deref(), Some("here is NULL"));
    }
}
