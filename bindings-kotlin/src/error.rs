//! Core errors as one uniffi error carrying the core's `TAAP_*` code; the Kotlin layer makes
//! the matching `TaapException` subclass from it.

use std::fmt;

/// A core failure crossing to the JVM.
#[derive(Debug, uniffi::Error)]
pub enum FfiError {
    /// Any core error: its code, its message (the core's messages carry no secrets) and the
    /// HTTP status for `OAuth` errors.
    Failed { code: String, detail: String, http_status: Option<u16> },
}

impl fmt::Display for FfiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let FfiError::Failed { code, detail, .. } = self;
        write!(f, "{code}: {detail}")
    }
}

impl From<taap::Error> for FfiError {
    fn from(error: taap::Error) -> Self {
        FfiError::Failed {
            code: error.code().to_owned(),
            detail: error.to_string(),
            http_status: error.http_status(),
        }
    }
}

/// The result type of every fallible export.
pub type FfiResult<T> = Result<T, FfiError>;

/// One row of the core's error table.
#[derive(uniffi::Record)]
pub struct FfiErrorKind {
    /// The kind's name, e.g. `TokenExpired`.
    pub name: String,
    /// The kind's stable code, e.g. `TAAP_TOKEN_EXPIRED`.
    pub code: String,
    /// The kind's C `taap_status` value.
    pub c_status: u32,
    /// One line saying what went wrong.
    pub description: String,
}

/// The core's error table, in the design contract's order.
#[uniffi::export]
pub fn error_kinds() -> Vec<FfiErrorKind> {
    taap::ErrorKind::ALL
        .iter()
        .map(|kind| FfiErrorKind {
            name: kind.name().to_owned(),
            code: kind.code().to_owned(),
            c_status: kind.c_status(),
            description: kind.description().to_owned(),
        })
        .collect()
}

/// Panics on purpose, so the test suite can hold uniffi to turning a panic into a JVM
/// exception instead of a crash.
#[uniffi::export]
pub fn panic_for_test() {
    panic!("deliberate panic from panic_for_test");
}
