//! Why a call failed, on its way to becoming a `taap_status` (and, in libtaap, the message of
//! `taap_last_error_message()`). The message is only formatted when asked for, so a library
//! that keeps statuses only pays for none of it.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;
use core::str::Utf8Error;

use crate::status::taap_status;

/// What the body of an exported function returns.
pub type FfiResult<T = ()> = Result<T, Failure>;

/// The argument a failure is about, as its message names it: `pem`, `ehts[1].name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgName {
    name: Cow<'static, str>,
    index: Option<usize>,
    field: Option<&'static str>,
}

impl ArgName {
    /// Item `index` of this array argument, e.g. `ehts[1]`.
    pub fn item(self, index: usize) -> Self {
        ArgName { index: Some(index), ..self }
    }

    /// Field `field` of this argument, e.g. `ehts[1].name`.
    pub fn field(self, field: &'static str) -> Self {
        ArgName { field: Some(field), ..self }
    }
}

impl From<&'static str> for ArgName {
    fn from(name: &'static str) -> Self {
        ArgName { name: Cow::Borrowed(name), index: None, field: None }
    }
}

impl From<String> for ArgName {
    fn from(name: String) -> Self {
        ArgName { name: Cow::Owned(name), index: None, field: None }
    }
}

impl fmt::Display for ArgName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(index) = self.index {
            write!(f, "[{index}]")?;
        }
        if let Some(field) = self.field {
            write!(f, ".{field}")?;
        }
        Ok(())
    }
}

/// Why a call failed: the status C gets and what the message says.
#[derive(Debug)]
pub struct Failure {
    status: taap_status,
    reason: Reason,
}

/// The message of a [`Failure`], kept unformatted.
#[derive(Debug)]
enum Reason {
    Null(ArgName),
    NullArray { name: ArgName, len: usize },
    TooLong { name: ArgName, len: usize },
    NotUtf8 { name: ArgName, valid_up_to: usize },
    Core(taap::Error),
    Panicked(String),
    Text(Cow<'static, str>),
}

impl Failure {
    /// A failure with the given status and message.
    pub fn new(status: taap_status, message: impl Into<Cow<'static, str>>) -> Self {
        Failure { status, reason: Reason::Text(message.into()) }
    }

    /// `name` was NULL where a value is required (`TAAP_NULL_ARGUMENT`).
    pub fn null(name: impl Into<ArgName>) -> Self {
        Failure { status: taap_status::TAAP_NULL_ARGUMENT, reason: Reason::Null(name.into()) }
    }

    /// Array `name` was NULL although its length `len` is not 0 (`TAAP_NULL_ARGUMENT`).
    pub(crate) fn null_array(name: ArgName, len: usize) -> Self {
        Failure { status: taap_status::TAAP_NULL_ARGUMENT, reason: Reason::NullArray { name, len } }
    }

    /// Array `name` claims more items than memory can hold (`TAAP_CONFIG`).
    pub(crate) fn too_long(name: ArgName, len: usize) -> Self {
        Failure { status: taap_status::TAAP_CONFIG, reason: Reason::TooLong { name, len } }
    }

    /// `name` is not UTF-8 (`TAAP_INVALID_UTF8`), saying where its first bad byte is.
    pub fn not_utf8(name: impl Into<ArgName>, error: Utf8Error) -> Self {
        let reason = Reason::NotUtf8 { name: name.into(), valid_up_to: error.valid_up_to() };
        Failure { status: taap_status::TAAP_INVALID_UTF8, reason }
    }

    /// A panic caught at the boundary, with the panic's own text (`TAAP_PANIC`).
    pub fn panicked(detail: String) -> Self {
        Failure { status: taap_status::TAAP_PANIC, reason: Reason::Panicked(detail) }
    }

    /// The status C gets.
    pub fn status(&self) -> taap_status {
        self.status
    }

    /// The HTTP status of an OAuth server's refusal; 0 for every other failure.
    pub fn http_status(&self) -> u16 {
        match &self.reason {
            Reason::Core(error) => error.http_status().unwrap_or(0),
            _ => 0,
        }
    }
}

impl From<taap::Error> for Failure {
    fn from(error: taap::Error) -> Self {
        Failure { status: taap_status::from_kind(error.kind()), reason: Reason::Core(error) }
    }
}

/// The message for people; never key material, passwords or tokens (the core's messages
/// carry none, and the C-side messages name arguments, not their values).
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Reason::Null(name) => write!(f, "{name} is NULL"),
            Reason::NullArray { name, len } => write!(f, "{name} (with {name}_len {len}) is NULL"),
            Reason::TooLong { name, len } => write!(f, "{name}_len {len} is impossibly large"),
            Reason::NotUtf8 { name, valid_up_to } => {
                write!(f, "{name} is not valid UTF-8 (first bad byte at offset {valid_up_to})")
            }
            Reason::Core(error) => write!(f, "{error}"),
            Reason::Panicked(detail) => {
                write!(f, "internal error in taap ({detail}); please report this bug")
            }
            Reason::Text(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::string::ToString;

    use super::*;

    #[test]
    fn argument_names_show_item_and_field() {
        assert_eq!(ArgName::from("ehts").item(1).field("name").to_string(), "ehts[1].name");
        assert_eq!(ArgName::from("options->required").item(0).to_string(), "options->required[0]");
        assert_eq!(ArgName::from(String::from("store_id")).to_string(), "store_id");
    }

    #[test]
    fn each_failure_has_its_status_and_message() {
        let bad = core::str::from_utf8(std::hint::black_box(b"ab\xffc")).unwrap_err();
        let refusal: Failure = taap::Error::Replay("seen".into()).into();
        let cases = [
            (Failure::null("pem"), taap_status::TAAP_NULL_ARGUMENT, "pem is NULL".into()),
            (
                Failure::null_array("headers".into(), 3),
                taap_status::TAAP_NULL_ARGUMENT,
                "headers (with headers_len 3) is NULL".into(),
            ),
            (
                Failure::too_long("der".into(), usize::MAX),
                taap_status::TAAP_CONFIG,
                std::format!("der_len {} is impossibly large", usize::MAX),
            ),
            (
                Failure::not_utf8("url", bad),
                taap_status::TAAP_INVALID_UTF8,
                "url is not valid UTF-8 (first bad byte at offset 2)".into(),
            ),
            (refusal, taap_status::TAAP_REPLAY, "replayed PoP token: seen".into()),
            (
                Failure::panicked("boom".into()),
                taap_status::TAAP_PANIC,
                "internal error in taap (boom); please report this bug".into(),
            ),
            (Failure::new(taap_status::TAAP_CONFIG, "no rng"), taap_status::TAAP_CONFIG, "no rng".into()),
        ];
        for (failure, status, message) in cases {
            assert_eq!((failure.status(), failure.to_string()), (status, message));
        }
    }

    #[test]
    fn only_oauth_refusals_carry_an_http_status() {
        let refusal =
            taap::Error::OAuth { status: 401, message: "invalid_client".into(), answer: Default::default() };
        assert_eq!(Failure::from(refusal).http_status(), 401);
        assert_eq!(Failure::from(taap::Error::Config("x".into())).http_status(), 0);
        assert_eq!(Failure::null("key").http_status(), 0);
    }
}
