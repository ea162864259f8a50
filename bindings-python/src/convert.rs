//! Python arguments to core types: ehts pairs, byte values, passwords, second counts.
//!
//! Values are held as `PyBacked*` handles: they keep the Python object alive and let the core
//! read its bytes after the GIL is released, without copying large bodies.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyMapping, PySequence, PyString};
use taap::Error;
use zeroize::Zeroizing;

use crate::errors::{to_py_err, wrong_type};

/// Bytes to sign or compare: a `bytes`/`bytearray` object, or a `str` as UTF-8.
pub enum Value {
    /// The buffer of a `bytes` (shared) or `bytearray` (copied) object.
    Bytes(PyBackedBytes),
    /// The UTF-8 encoding of a `str`.
    Text(PyBackedStr),
}

impl AsRef<[u8]> for Value {
    fn as_ref(&self) -> &[u8] {
        match self {
            Value::Bytes(bytes) => bytes,
            Value::Text(text) => text.as_bytes(),
        }
    }
}

/// Ordered `(name, value)` entries, ready for the core.
pub type Pairs = Vec<(String, Value)>;

/// Borrowed view of [`Pairs`] in the shape the core's generic APIs take.
pub fn pair_refs(pairs: &Pairs) -> impl Iterator<Item = (&str, &[u8])> + Clone {
    pairs.iter().map(|(name, value)| (name.as_str(), value.as_ref()))
}

/// Reads a `str` as UTF-8; a lone surrogate cannot be sent over HTTP, so it is invalid ehts.
fn text(py: Python<'_>, text: &Bound<'_, PyString>, what: impl FnOnce() -> String) -> PyResult<PyBackedStr> {
    PyBackedStr::try_from(text.clone())
        .map_err(|_| invalid_ehts(py, format!("{} is not valid Unicode (it holds a lone surrogate)", what())))
}

fn invalid_ehts(py: Python<'_>, message: String) -> PyErr {
    to_py_err(py, &Error::InvalidEhts(message))
}

/// A `str`, `bytes` or `bytearray` value; `what` names it in error messages.
pub fn value(py: Python<'_>, object: &Bound<'_, PyAny>, what: impl FnOnce() -> String) -> PyResult<Value> {
    if let Ok(bytes) = object.cast::<PyBytes>() {
        return Ok(Value::Bytes(PyBackedBytes::from(bytes.clone())));
    }
    if let Ok(string) = object.cast::<PyString>() {
        return Ok(Value::Text(text(py, string, what)?));
    }
    if let Ok(array) = object.cast::<PyByteArray>() {
        return Ok(Value::Bytes(PyBackedBytes::from(array.clone())));
    }
    Err(wrong_type(&what(), "str or bytes", object))
}

/// An ehts or header name: a `str`, or `bytes` holding UTF-8 (as HTTP libraries keep them).
fn name(py: Python<'_>, object: &Bound<'_, PyAny>, index: usize, what: &str) -> PyResult<String> {
    if let Ok(string) = object.cast::<PyString>() {
        return Ok(text(py, string, || format!("the name of {what} entry {index}"))?.to_string());
    }
    if let Ok(bytes) = object.cast::<PyBytes>() {
        return std::str::from_utf8(bytes.as_bytes())
            .map(str::to_owned)
            .map_err(|_| invalid_ehts(py, format!("the name of {what} entry {index} is not valid UTF-8")));
    }
    Err(wrong_type(&format!("the name of {what} entry {index}"), "str or bytes", object))
}

/// Ordered entries from a mapping (insertion order) or an iterable of `(name, value)` pairs.
///
/// `what` ("ehts", "headers") names the argument in error messages.
pub fn pairs(py: Python<'_>, object: &Bound<'_, PyAny>, what: &str) -> PyResult<Pairs> {
    let expected = "a dict or a sequence of (name, value) pairs";
    if object.is_instance_of::<PyString>() || object.is_instance_of::<PyBytes>() {
        return Err(wrong_type(what, expected, object));
    }
    let items = match object.cast::<PyMapping>() {
        Ok(mapping) => mapping.items()?.into_any(),
        Err(_) => object.clone(),
    };
    let iterator = items.try_iter().map_err(|_| wrong_type(what, expected, object))?;
    let mut entries = Vec::new();
    for (index, item) in iterator.enumerate() {
        let item = item?;
        let (key, value_object) = pair(&item)
            .map_err(|_| wrong_type(&format!("{what} entry {index}"), "a (name, value) pair", &item))?;
        let key = name(py, &key, index, what)?;
        let value = value(py, &value_object, || format!("the value of {what} entry {index} ({key:?})"))?;
        entries.push((key, value));
    }
    Ok(entries)
}

/// A two-item tuple or list; strings are sequences too, but never pairs.
fn pair<'py>(item: &Bound<'py, PyAny>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    if item.is_instance_of::<PyString>() || item.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err("a string is not a pair"));
    }
    let sequence = item.cast::<PySequence>()?;
    if sequence.len()? != 2 {
        return Err(PyTypeError::new_err("a pair has two items"));
    }
    Ok((sequence.get_item(0)?, sequence.get_item(1)?))
}

/// Key material or a password: `str` (UTF-8) or `bytes`, copied into a buffer cleared on drop.
pub fn secret_bytes(object: &Bound<'_, PyAny>, what: &str) -> PyResult<Zeroizing<Vec<u8>>> {
    if let Ok(bytes) = object.cast::<PyBytes>() {
        return Ok(Zeroizing::new(bytes.as_bytes().to_vec()));
    }
    if let Ok(string) = object.cast::<PyString>() {
        let text = PyBackedStr::try_from(string.clone())
            .map_err(|_| PyTypeError::new_err(format!("{what} must be valid Unicode text")))?;
        return Ok(Zeroizing::new(text.as_bytes().to_vec()));
    }
    Err(wrong_type(what, "str or bytes", object))
}

/// An optional password argument.
pub fn password(object: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Zeroizing<Vec<u8>>>> {
    object.filter(|object| !object.is_none()).map(|object| secret_bytes(object, "password")).transpose()
}

/// An integer argument (never a `bool`); out-of-range values are a configuration error.
pub fn integer(py: Python<'_>, object: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if object.is_instance_of::<pyo3::types::PyBool>() || !object.is_instance_of::<PyInt>() {
        return Err(wrong_type(what, "an int", object));
    }
    object.extract::<i64>().map_err(|_| to_py_err(py, &Error::Config(format!("{what} is out of range"))))
}

/// An optional integer argument; `None` stays `None`.
pub fn optional_integer(
    py: Python<'_>,
    object: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<i64>> {
    object.filter(|object| !object.is_none()).map(|object| integer(py, object, what)).transpose()
}

/// A `str` argument held so the core can read it without the GIL; text that cannot be
/// UTF-8 (a lone surrogate) is reported as the core error `invalid` makes.
pub fn string(
    py: Python<'_>,
    object: &Bound<'_, PyAny>,
    what: &str,
    invalid: fn(String) -> Error,
) -> PyResult<PyBackedStr> {
    let string = object.cast::<PyString>().map_err(|_| wrong_type(what, "a str", object))?;
    PyBackedStr::try_from(string.clone()).map_err(|_| {
        to_py_err(py, &invalid(format!("{what} is not valid Unicode (it holds a lone surrogate)")))
    })
}
