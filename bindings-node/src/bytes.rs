//! Byte-like JavaScript arguments: a string (sent as its UTF-8) or any `Uint8Array`.

use napi::bindgen_prelude::{Either, Uint8Array};

use crate::error::{bad_argument, Failure};

/// A value JavaScript may pass as text or as bytes.
pub type BytesArg = Either<String, Uint8Array>;

/// The bytes of a [`BytesArg`] without copying.
pub fn as_bytes(value: &BytesArg) -> &[u8] {
    match value {
        Either::A(text) => text.as_bytes(),
        Either::B(bytes) => bytes,
    }
}

/// An owned copy that may cross to a worker thread.
pub fn into_owned(value: BytesArg) -> Vec<u8> {
    match value {
        Either::A(text) => text.into_bytes(),
        Either::B(bytes) => bytes.to_vec(),
    }
}

/// Parallel name and value arrays, as `index.js` flattens every ehts input.
pub fn check_parallel(names: &[String], values: &[BytesArg]) -> Result<(), Failure> {
    if names.len() == values.len() {
        Ok(())
    } else {
        Err(bad_argument("ehts names and values must be parallel arrays"))
    }
}

/// Parallel name and value arrays of text (header values the core sends as given).
pub fn check_parallel_text(names: &[String], values: &[String]) -> Result<(), Failure> {
    if names.len() == values.len() {
        Ok(())
    } else {
        Err(bad_argument("header names and values must be parallel arrays"))
    }
}

/// Zips parallel name and value arrays into the `(name, value)` pairs the core takes.
pub fn pairs<'a>(names: &'a [String], values: &'a [BytesArg]) -> impl Iterator<Item = (&'a str, &'a [u8])> {
    names.iter().map(String::as_str).zip(values.iter().map(as_bytes))
}

/// Owned `(name, value)` pairs for work done on the libuv pool.
pub fn owned_pairs(names: Vec<String>, values: Vec<BytesArg>) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    check_parallel(&names, &values)?;
    Ok(names.into_iter().zip(values.into_iter().map(into_owned)).collect())
}
