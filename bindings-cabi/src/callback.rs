//! What a C signing callback's answer means, for libtaap and libtaap_embedded alike.

use alloc::format;

use taap::Error;

/// The error a non-zero return of a `taap_sign_digest_fn` becomes: the device did not sign
/// (`TAAP_TRANSPORT`), whatever the value, so that a callback's own `return 1` is never read as
/// one of taap's statuses. `signer` names it in the message (its label, or a description).
pub fn callback_failed(signer: &str, code: i32) -> Error {
    Error::Transport(format!("the callback signer ({signer}) returned {code}; no token was made with it"))
}

/// The error for a callback that says it wrote more bytes than the buffer it was given holds.
pub fn callback_overran(signer: &str, written: usize, buffer: usize) -> Error {
    Error::SignatureInvalid(format!(
        "the callback signer ({signer}) claimed {written} bytes in a buffer of {buffer}; no token was made with it"
    ))
}
