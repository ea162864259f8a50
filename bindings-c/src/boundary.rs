//! The FFI boundary: every call runs inside [`guard`], which turns errors and panics into a
//! `taap_status` plus a thread-local message, so nothing unwinds into C.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{self, AssertUnwindSafe};

use crate::status::taap_status;

/// Why a call failed, on its way to becoming a status and a message.
#[derive(Debug)]
pub(crate) struct Failure {
    status: taap_status,
    message: String,
    /// The HTTP status of an OAuth server's refusal; 0 otherwise.
    http_status: u16,
}

/// What the body of an exported function returns.
pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

impl Failure {
    /// A failure with the given status and message.
    pub(crate) fn new(status: taap_status, message: impl Into<String>) -> Self {
        Failure { status, message: message.into(), http_status: 0 }
    }

    /// `what` was NULL where a value is required.
    pub(crate) fn null(what: &str) -> Self {
        Failure::new(taap_status::TAAP_NULL_ARGUMENT, format!("{what} is NULL"))
    }
}

impl From<taap::Error> for Failure {
    fn from(error: taap::Error) -> Self {
        // The core's messages never carry key material, passwords or tokens.
        let http_status = error.http_status().unwrap_or(0);
        Failure { http_status, ..Failure::new(taap_status::from_kind(error.kind()), error.to_string()) }
    }
}

/// What the last failed call on a thread left for `taap_last_error_*`.
struct LastError {
    message: CString,
    http_status: u16,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

fn set_last_error(message: String, http_status: u16) {
    // A message is text for people; an interior NUL would only truncate it.
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = Some(LastError { message, http_status }));
}

fn clear_last_error() {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = None);
}

/// Runs the body of an exported function: clears the thread's last error, catches panics and
/// records the failure's message.
pub(crate) fn guard(body: impl FnOnce() -> FfiResult) -> taap_status {
    clear_last_error();
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => taap_status::TAAP_OK,
        Ok(Err(failure)) => {
            set_last_error(failure.message, failure.http_status);
            failure.status
        }
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no detail".into());
            set_last_error(format!("internal error in taap ({detail}); please report this bug"), 0);
            taap_status::TAAP_PANIC
        }
    }
}

/// Runs the body of an exported function that returns a plain value; a panic yields `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The message of the last call on this thread that returned a `taap_status` other than
/// `TAAP_OK`, or NULL when that call succeeded. Valid until the next such call on this thread;
/// copy it to keep it. Never contains key material, passwords or tokens.
#[no_mangle]
pub extern "C" fn taap_last_error_message() -> *const c_char {
    guard_value(std::ptr::null(), || {
        LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(std::ptr::null(), |last| last.message.as_ptr()))
    })
}

/// The HTTP status the OAuth server answered when the last call on this thread that returned
/// a `taap_status` failed with `TAAP_OAUTH` (e.g. 401); 0 in every other case.
#[no_mangle]
pub extern "C" fn taap_last_error_http_status() -> u16 {
    guard_value(0, || LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(0, |last| last.http_status)))
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    fn last_error() -> Option<String> {
        let message = taap_last_error_message();
        (!message.is_null()).then(|| unsafe { CStr::from_ptr(message) }.to_str().unwrap().to_owned())
    }

    #[test]
    fn a_panic_becomes_taap_panic_with_a_message() {
        let status = guard(|| panic!("boom"));
        assert_eq!(status, taap_status::TAAP_PANIC);
        assert_eq!(last_error().unwrap(), "internal error in taap (boom); please report this bug");
    }

    #[test]
    fn success_clears_the_previous_message() {
        let status = guard(|| Err(Failure::null("out")));
        assert_eq!(status, taap_status::TAAP_NULL_ARGUMENT);
        assert_eq!(last_error().as_deref(), Some("out is NULL"));
        assert_eq!(guard(|| Ok(())), taap_status::TAAP_OK);
        assert_eq!(last_error(), None);
    }

    #[test]
    fn core_errors_keep_their_kind_and_message() {
        let status = guard(|| Err(taap::Error::Replay("seen".into()).into()));
        assert_eq!(status, taap_status::TAAP_REPLAY);
        assert_eq!(last_error().as_deref(), Some("replayed PoP token: seen"));
    }

    #[test]
    fn oauth_errors_keep_their_http_status_until_the_next_call() {
        let refusal = taap::Error::OAuth { status: 401, message: "invalid_client".into() };
        assert_eq!(guard(|| Err(refusal.into())), taap_status::TAAP_OAUTH);
        assert_eq!(taap_last_error_http_status(), 401);
        assert_eq!(last_error().as_deref(), Some("OAuth server answered HTTP 401: invalid_client"));
        guard(|| Err(Failure::null("key")));
        assert_eq!(taap_last_error_http_status(), 0);
    }

    #[test]
    fn the_message_is_per_thread() {
        guard(|| Err(Failure::null("here")));
        std::thread::spawn(|| assert_eq!(last_error(), None)).join().unwrap();
        assert_eq!(last_error().as_deref(), Some("here is NULL"));
    }
}
