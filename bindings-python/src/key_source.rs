//! `taap.KeySource`: where the middleware finds a client's keys (the core's
//! `taap::validate::KeySource`): a fixed set, a file read again when it changes, or a JWK set
//! URL, so keys rotate without a restart in Python as in `taap serve`.

use pyo3::prelude::*;
use pyo3::types::PyString;
use taap::validate::{JwksOptions, KeySet, KeySource};

use crate::errors::{wrong_type, OrRaise};

/// A client's public keys for the middleware: several at once (each with an optional `kid`
/// and `nbf`/`exp` window), read from text, a file followed as it changes, or a JWK set URL.
#[pyclass(module = "taap", name = "KeySource", frozen)]
pub struct PyKeySource {
    pub(crate) source: KeySource,
}

#[pymethods]
impl PyKeySource {
    /// A fixed set from PEM, JWK or JWK set (`{"keys": [...]}`) text or bytes.
    #[staticmethod]
    fn parse(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes: Vec<u8> = if let Ok(text) = data.cast::<PyString>() {
            text.to_cow()?.as_bytes().to_vec()
        } else {
            data.extract::<Vec<u8>>().map_err(|_| wrong_type("data", "str or bytes", data))?
        };
        let keys = KeySet::parse(&bytes).or_raise(py)?;
        Ok(PyKeySource { source: KeySource::from(keys) })
    }

    /// The keys of the file at `path` (PEM, JWK or JWK set), read again when it changes (a
    /// half-written file keeps the keys in force).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        Ok(PyKeySource { source: KeySource::from_file(path).or_raise(py)? })
    }

    /// The JWK set served at `url`: cached per `Cache-Control: max-age`, fetched again (at most
    /// every few seconds) for a `kid` it lacks; when it cannot be fetched and nothing usable is
    /// cached, requests are refused with 503 `KeySourceUnavailable`.
    #[staticmethod]
    fn from_jwks_url(py: Python<'_>, url: &str) -> PyResult<Self> {
        Ok(PyKeySource { source: KeySource::from_jwks_url(url, JwksOptions::default()).or_raise(py)? })
    }

    /// `"fixed"`, `"file"` or `"jwks"`.
    #[getter]
    fn kind(&self) -> &'static str {
        kind_of(&self.source)
    }

    /// How many keys are in force now (a JWK set URL may be fetched first; may block).
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let keys = py.detach(|| self.source.current()).or_raise(py)?;
        Ok(keys.keys().len())
    }

    fn __repr__(&self) -> String {
        // A file path or the URL as the core shows it (no user info, no query: either may hold
        // a credential).
        let shown = match &self.source {
            KeySource::File(file) => format!(" path={:?}", file.path().display().to_string()),
            KeySource::Jwks(jwks) => format!(" url={:?}", jwks.url()),
            _ => String::new(),
        };
        format!("<KeySource kind={:?}{shown}>", kind_of(&self.source))
    }
}

fn kind_of(source: &KeySource) -> &'static str {
    match source {
        KeySource::File(_) => "file",
        KeySource::Jwks(_) => "jwks",
        _ => "fixed",
    }
}
