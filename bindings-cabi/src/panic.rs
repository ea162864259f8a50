//! The panic boundary: nothing unwinds into C.
//!
//! With the `std` feature (libtaap, built with unwinding; and in this crate's tests) a panic is
//! caught where it would leave Rust and becomes `TAAP_PANIC`, or the function's default value. Without it (bare
//! metal, `panic = "abort"`) the target's panic handler aborts before anything returns, so
//! there is nothing to catch. The core returns errors for bad input: a panic is a bug.

use crate::failure::{Failure, FfiResult};
use crate::status::taap_status;

/// What an exported function returns when its body panicked: `TAAP_PANIC` for a status, NULL
/// for a pointer, 0 for a number (rustls-ffi's `PanicOrDefault`).
pub trait PanicOrDefault {
    /// The value to return instead of unwinding.
    fn value() -> Self;
}

impl PanicOrDefault for taap_status {
    fn value() -> Self {
        taap_status::TAAP_PANIC
    }
}

impl<T> PanicOrDefault for *const T {
    fn value() -> Self {
        core::ptr::null()
    }
}

impl<T> PanicOrDefault for *mut T {
    fn value() -> Self {
        core::ptr::null_mut()
    }
}

/// Implements [`PanicOrDefault`] as `Default::default()` for the plain return types.
macro_rules! default_on_panic {
    ($($type:ty),*) => {
        $(impl PanicOrDefault for $type {
            fn value() -> Self {
                <$type>::default()
            }
        })*
    };
}

default_on_panic!((), u16, u32, u64, usize);

/// Runs `body`; a panic comes back as the `TAAP_PANIC` failure carrying the panic's text.
pub fn catch_panic<T>(body: impl FnOnce() -> T) -> Result<T, Failure> {
    #[cfg(any(test, feature = "std"))]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
            .map_err(|payload| Failure::panicked(panic_text(payload.as_ref())))
    }
    #[cfg(not(any(test, feature = "std")))]
    {
        Ok(body())
    }
}

/// The text a panic was raised with, or "no detail".
#[cfg(any(test, feature = "std"))]
fn panic_text(payload: &(dyn core::any::Any + Send)) -> alloc::string::String {
    use alloc::string::{String, ToString};
    payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no detail".into())
}

/// Runs the body of a function that returns a status: its failure, or its panic as a
/// `TAAP_PANIC` failure.
pub fn run(body: impl FnOnce() -> FfiResult) -> FfiResult {
    catch_panic(body).and_then(|outcome| outcome)
}

/// Runs the body of an exported function that returns a status: its failure, or its panic,
/// becomes the status; with std the failure's message also becomes the thread's last error
/// (a success clears it), for `taap_last_error_message()`.
pub fn status_of(body: impl FnOnce() -> FfiResult) -> taap_status {
    let outcome = run(body);
    #[cfg(any(test, feature = "std"))]
    crate::last_error::record(outcome.as_ref().err());
    match outcome {
        Ok(()) => taap_status::TAAP_OK,
        Err(failure) => failure.status(),
    }
}

/// Runs the body of a function that returns a plain value; a panic yields `fallback`.
pub fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_panic(body).unwrap_or(fallback)
}

/// Runs the body of an exported function that returns a plain value (a pointer, a number,
/// nothing); a panic returns the type's [`PanicOrDefault`] value instead of unwinding into C.
#[macro_export]
macro_rules! ffi_panic_boundary {
    ($($body:tt)*) => {
        $crate::guard_value($crate::PanicOrDefault::value(), || { $($body)* })
    };
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn failures_and_successes_keep_their_status() {
        assert_eq!(status_of(|| Ok(())), taap_status::TAAP_OK);
        assert_eq!(status_of(|| Err(Failure::null("key"))), taap_status::TAAP_NULL_ARGUMENT);
        let core_error = || Err(taap::Error::Config("ttl".into()).into());
        assert_eq!(status_of(core_error), taap_status::TAAP_CONFIG);
    }

    #[test]
    fn a_panic_becomes_taap_panic_or_the_default_value() {
        let failure = run(|| panic!("boom")).unwrap_err();
        assert_eq!(failure.status(), taap_status::TAAP_PANIC);
        assert_eq!(failure.to_string(), "internal error in taap (boom); please report this bug");
        let number: u32 = ffi_panic_boundary! { panic!("{}", 7) };
        assert_eq!(number, 0);
        let pointer: *const u8 = ffi_panic_boundary! { panic!() };
        assert!(pointer.is_null());
        assert_eq!(guard_value(5u16, || 9), 9);
    }
}
