//! Panics abort: bare-metal targets have no unwinding, and a half-finished token must never
//! reach the caller. Core code returns errors for bad input, so this is only ever a bug.

extern "C" {
    /// The C library's `abort` (newlib's raises SIGABRT: semihosting reports it and stops).
    fn abort() -> !;
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: `abort` takes no arguments and never returns.
    unsafe { abort() }
}
