//! Core errors as JavaScript `Error`s whose `code` is the core's `TAAP_<KIND>` code;
//! `index.js` turns each into the matching `TaapError` subclass.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::{wasm_bindgen, JsValue};

/// What every fallible export throws: a JavaScript `Error` with a `code`.
pub type Failure = JsValue;

fn coded(message: &str, code: &str) -> js_sys::Error {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&error, &"code".into(), &code.into());
    error
}

/// The coded error for a core failure; the core's messages carry no secrets.
pub fn to_js(error: taap::Error) -> Failure {
    let object = coded(&error.to_string(), error.code());
    if let Some(status) = error.http_status() {
        let _ = Reflect::set(&object, &"status".into(), &f64::from(status).into());
    }
    object.into()
}

/// The error for arguments `index.js` should have rejected before calling in.
pub fn bad_argument(message: &str) -> Failure {
    coded(message, "ERR_INVALID_ARG_TYPE").into()
}

/// The core's error table, rows of `{ name, code, description }`, from which `index.js`
/// makes the error classes.
#[wasm_bindgen(js_name = errorKinds)]
pub fn error_kinds() -> Array {
    taap::ErrorKind::ALL
        .iter()
        .map(|kind| {
            let row = Object::new();
            let _ = Reflect::set(&row, &"name".into(), &kind.name().into());
            let _ = Reflect::set(&row, &"code".into(), &kind.code().into());
            let _ = Reflect::set(&row, &"description".into(), &kind.description().into());
            JsValue::from(row)
        })
        .collect()
}
