//! `taap._testing`: hooks for taap's own tests, kept off the public modules (`taap`,
//! `taap._taap`). Tests `import taap._testing`; nothing else should.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use taap::{Error, ErrorKind};

/// Raises the exception a core error of `kind` maps to, so that the mapping of kinds the tests
/// cannot easily trigger (OAuth, Transport) is testable; `status` is an OAuth error's HTTP status.
#[pyfunction]
#[pyo3(signature = (kind, message, status = None))]
fn raise_error(py: Python<'_>, kind: &str, message: String, status: Option<u16>) -> PyResult<()> {
    let kind = ErrorKind::parse(kind)
        .ok_or_else(|| PyValueError::new_err(format!("unknown error kind {kind:?}")))?;
    let error = match kind {
        ErrorKind::InvalidKey => Error::InvalidKey(message),
        ErrorKind::KeyDecrypt => Error::KeyDecrypt(message),
        ErrorKind::InvalidEhts => Error::InvalidEhts(message),
        ErrorKind::InvalidToken => Error::InvalidToken(message),
        ErrorKind::TokenExpired => Error::TokenExpired(message),
        ErrorKind::TokenTooOld => Error::TokenTooOld(message),
        ErrorKind::SignatureInvalid => Error::SignatureInvalid(message),
        ErrorKind::EdtsMismatch => Error::EdtsMismatch(message),
        ErrorKind::MissingEhtsValue => Error::MissingEhtsValue(message),
        ErrorKind::Replay => Error::Replay(message),
        ErrorKind::OAuth => {
            Error::OAuth { status: status.unwrap_or(500), message, answer: Default::default() }
        }
        ErrorKind::Transport => Error::Transport(message),
        ErrorKind::Config => Error::Config(message),
        ErrorKind::KeySourceUnavailable => Error::KeySourceUnavailable(message),
        // A kind newer than this binding: the tests' loop over ERROR_KINDS then fails loudly.
        _ => return Err(PyValueError::new_err(format!("no test hook for error kind {kind}"))),
    };
    Err(crate::errors::to_py_err(py, &error))
}

/// Creates `taap._testing` and registers it in `sys.modules`, where `import taap._testing`
/// finds it; it is deliberately not an attribute of `taap._taap`.
pub fn register(parent: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = parent.py();
    let testing = PyModule::new(py, "taap._testing")?;
    testing.add_function(wrap_pyfunction!(raise_error, &testing)?)?;
    py.import("sys")?.getattr("modules")?.set_item("taap._testing", testing)?;
    Ok(())
}
