//! Core errors as JavaScript errors whose `code` is the core's `TAAP_<KIND>` code.
//!
//! `index.js` turns every such error into the matching `TaapError` subclass.

use napi::bindgen_prelude::{Env, JsObjectValue, Object};
use napi::{JsValue, Status};

/// The `code` a thrown error carries: a core code such as `TAAP_TOKEN_EXPIRED`.
pub struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// A coded error; `#[napi]` functions return `Result<T, Failure>` (spelled out: the macro
/// recognises fallible functions by the name `Result`).
pub type Failure = napi::Error<Code>;

/// The coded error for a core failure; the core's messages carry no secrets.
pub fn to_js(error: taap::Error) -> Failure {
    napi::Error::new(Code(error.code()), error.to_string())
}

/// The error for arguments `index.js` should have rejected before calling in.
pub fn bad_argument(message: &str) -> Failure {
    napi::Error::new(Code("ERR_INVALID_ARG_TYPE"), message.to_owned())
}

/// A failure of the Node-API machinery itself (not of taap's work), keeping napi's code.
pub fn internal(error: napi::Error) -> Failure {
    napi::Error::new(Code("GenericFailure"), error.reason.clone())
}

/// A coded error object for rejecting a promise from a worker task's `resolve`.
///
/// Async tasks can only reject with a plain `napi::Error`; one made from a JS object keeps
/// that object, and so its `code`, all the way to the promise.
pub fn rejection(env: Env, error: taap::Error) -> napi::Error {
    match coded_error_object(&env, &error) {
        Ok(object) => napi::Error::from(object.to_unknown()),
        Err(failure) => failure,
    }
}

fn coded_error_object<'env>(env: &'env Env, error: &taap::Error) -> napi::Result<Object<'env>> {
    let mut object = env.create_error(napi::Error::new(Status::GenericFailure, error.to_string()))?;
    object.set_named_property("code", error.code())?;
    if let Some(status) = error.http_status() {
        object.set_named_property("status", u32::from(status))?;
    }
    Ok(object)
}

/// One row of the core's error table, from which `lib/errors.js` makes the error classes.
#[napi_derive::napi(object)]
pub struct ErrorKindInfo {
    /// The kind's name, e.g. `TokenExpired` (the class adds `Error`).
    pub name: String,
    /// The kind's code, e.g. `TAAP_TOKEN_EXPIRED`.
    pub code: String,
    /// The kind's value of the C `taap_status` enum, e.g. 5.
    pub c_status: u32,
    /// One line saying what went wrong, as the typings' JSDoc shows it.
    pub description: String,
}

/// The core's error table: every error kind it can raise, in the design contract's order.
#[napi_derive::napi]
pub fn error_kinds() -> Vec<ErrorKindInfo> {
    taap::ErrorKind::ALL
        .iter()
        .map(|kind| ErrorKindInfo {
            name: kind.name().to_owned(),
            code: kind.code().to_owned(),
            c_status: kind.c_status(),
            description: kind.description().to_owned(),
        })
        .collect()
}
