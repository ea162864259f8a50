//! Core errors become instances of the exception classes defined in `taap._errors`.
//!
//! The classes live in Python so that one of them can also be a `ValueError` (multiple
//! inheritance); `taap._errors` makes them from the table [`error_kinds`] exports.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};
use taap::{Error, ErrorKind};

/// One exception class per `ErrorKind::ALL` entry, in the same order.
static CLASSES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Vec<Py<PyType>>> {
    CLASSES.get_or_try_init(py, || {
        let module = py.import("taap._errors")?;
        ErrorKind::ALL
            .iter()
            .map(|kind| {
                let class = module.getattr(class_name(*kind))?;
                Ok(class.cast_into::<PyType>()?.unbind())
            })
            .collect()
    })
}

/// The Python class name of an error kind: `TokenExpired` -> `TokenExpiredError`.
pub fn class_name(kind: ErrorKind) -> String {
    format!("{}Error", kind.name())
}

/// The core's error table as `taap._taap.ERROR_KINDS`: `(name, code, C status, description)` of
/// every kind, in the core's order; `taap._errors` makes the exception classes from it.
pub fn error_kinds() -> Vec<(&'static str, &'static str, u32, &'static str)> {
    ErrorKind::ALL
        .iter()
        .map(|kind| (kind.name(), kind.code(), kind.c_status(), kind.description()))
        .collect()
}

/// Converts a core error into the matching `taap.TaapError` subclass.
pub fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    instantiate(py, error).unwrap_or_else(|failure| failure)
}

fn instantiate(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let index = ErrorKind::ALL
        .iter()
        .position(|kind| *kind == error.kind())
        .expect("every error kind is listed in ErrorKind::ALL");
    let class = classes(py)?[index].bind(py);
    let message = error.to_string();
    let raised = crate::signer::raised_by_callback(&message);
    if let Some(raised) = &raised {
        // KeyboardInterrupt, SystemExit: not the signer's failure; they go on as they are.
        if !raised.is_instance_of::<pyo3::exceptions::PyException>(py) {
            return Ok(raised.clone_ref(py));
        }
    }
    let arguments = match error.http_status() {
        Some(status) => {
            PyTuple::new(py, [message.into_pyobject(py)?.into_any(), status.into_pyobject(py)?.into_any()])?
        }
        None => PyTuple::new(py, [message])?,
    };
    let converted = PyErr::from_value(class.call1(arguments)?);
    if let Some(raised) = raised {
        converted.set_cause(py, Some(raised));
    }
    Ok(converted)
}

/// Turns a core result into a Python result, raising the matching exception on error.
pub trait OrRaise<T> {
    /// The value, or the core error converted with [`to_py_err`].
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for taap::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|error| to_py_err(py, &error))
    }
}

/// `TypeError("{what} must be {expected}, not {type}")`, the message Python's builtins use.
pub fn wrong_type(what: &str, expected: &str, found: &Bound<'_, PyAny>) -> PyErr {
    let found =
        found.get_type().name().map_or_else(|_| "an unknown type".to_owned(), |name| name.to_string());
    PyTypeError::new_err(format!("{what} must be {expected}, not {found}"))
}
