//! Opaque handles: a C `taap_*` pointer is a `Box` of the Rust value it stands for, made by
//! [`into_handle`], borrowed by [`borrow_handle`] and dropped once by [`free_handle`].

use alloc::boxed::Box;

use crate::failure::{ArgName, Failure, FfiResult};

/// An opaque C handle type and the Rust value each handle owns (behind a `Box`). The C type is
/// a zero-sized struct the header declares without fields, so C cannot look inside.
pub trait Handle {
    /// The value behind the handle.
    type Target;
}

/// Moves `value` to the heap and hands out its handle; the caller frees it with the type's
/// `_free` function, which calls [`free_handle`].
pub fn into_handle<H: Handle>(value: H::Target) -> *mut H {
    Box::into_raw(Box::new(value)).cast()
}

/// Borrows the value behind a handle; NULL is `TAAP_NULL_ARGUMENT` naming `name`.
///
/// # Safety
/// `handle` is NULL or came from [`into_handle`] for `H`, and is not freed during `'a`.
pub unsafe fn borrow_handle<'a, H: Handle>(
    handle: *const H,
    name: impl Into<ArgName>,
) -> FfiResult<&'a H::Target> {
    // SAFETY: `as_ref` maps NULL to `None`; any other handle is the pointer `Box::into_raw`
    // returned in `into_handle::<H>` (the precondition), so it points to an aligned, live
    // `H::Target` that stays allocated during `'a`.
    unsafe { handle.cast::<H::Target>().as_ref() }.ok_or_else(|| Failure::null(name))
}

/// Drops the value behind a handle; NULL is ignored.
///
/// # Safety
/// `handle` is NULL or came from [`into_handle`] for `H`, has not been freed, and is not used
/// again afterwards.
pub unsafe fn free_handle<H: Handle>(handle: *mut H) {
    if !handle.is_null() {
        // SAFETY: `handle` is not NULL (checked above), so by the precondition it is the
        // pointer `Box::into_raw` returned in `into_handle::<H>`, not freed before and not
        // used after: `Box::from_raw` takes that ownership back exactly once.
        drop(unsafe { Box::from_raw(handle.cast::<H::Target>()) });
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::{String, ToString};

    use super::*;
    use crate::status::taap_status;

    struct taap_thing {
        _opaque: [u8; 0],
    }

    impl Handle for taap_thing {
        type Target = String;
    }

    #[test]
    fn a_handle_lends_its_value_until_freed() {
        let handle = into_handle::<taap_thing>("kept".into());
        assert_eq!(unsafe { borrow_handle(handle, "thing") }.unwrap(), "kept");
        unsafe { free_handle(handle) };
        unsafe { free_handle(core::ptr::null_mut::<taap_thing>()) };
        let null = unsafe { borrow_handle(core::ptr::null::<taap_thing>(), "thing") }.unwrap_err();
        assert_eq!(
            (null.status(), null.to_string()),
            (taap_status::TAAP_NULL_ARGUMENT, "thing is NULL".into())
        );
    }
}
