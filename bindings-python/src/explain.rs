//! `taap.explain`: why a gateway would refuse a PoP token, as a dict (the core's `Explanation`,
//! the same JSON `taap doctor --json` prints).

use pyo3::prelude::*;
use pyo3::types::PyString;
use taap::{diagnose::ExplainOptions, diagnose::ExplainRequest, Error};

use crate::convert::{optional_integer, pairs, string};
use crate::errors::{to_py_err, wrong_type, OrRaise};
use crate::keys::PyPublicKey;
use crate::policy::optional_body;

/// Explains `token` against the request as sent: claims, time window, each hashed value
/// (secrets masked), the edts recomputed, the signature when a key is given, and the signer
/// variant that reproduces the edts (`uri-encoded`, `header-order`, …).
#[pyfunction]
#[pyo3(signature = (token, method, url, headers = None, body = None, *, public_key = None, now = None))]
#[allow(clippy::too_many_arguments)]
pub fn explain<'py>(
    py: Python<'py>,
    token: &Bound<'py, PyAny>,
    method: &Bound<'py, PyAny>,
    url: &Bound<'py, PyAny>,
    headers: Option<&Bound<'py, PyAny>>,
    body: Option<&Bound<'py, PyAny>>,
    public_key: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let token = string(py, token, "token", Error::InvalidToken)?;
    let mut request = ExplainRequest::new(
        string(py, method, "method", Error::InvalidEhts)?.to_string(),
        string(py, url, "url", Error::InvalidEhts)?.to_string(),
    );
    if let Some(headers) = headers.filter(|headers| !headers.is_none()) {
        let headers = pairs(py, headers, "headers")?;
        request.headers = headers.into_iter().map(|(name, value)| (name, value.as_ref().to_vec())).collect();
    }
    if let Some(body) = optional_body(py, body)? {
        request.body = body.as_ref().to_vec();
    }
    let key = match public_key.filter(|key| !key.is_none()) {
        Some(key) => {
            Some(key.cast::<PyPublicKey>().map_err(|_| wrong_type("public_key", "a PublicKey", key))?)
        }
        None => None,
    };
    let options = ExplainOptions {
        public_key: key.as_ref().map(|key| &key.get().key),
        now: optional_integer(py, now, "now")?,
    };
    let explanation = py.detach(|| taap::diagnose::explain(&token, &request, &options)).or_raise(py)?;
    let json = serde_json::to_string(&explanation).map_err(|error| {
        to_py_err(py, &Error::Config(format!("the explanation does not serialise: {error}")))
    })?;
    py.import("json")?.call_method1("loads", (PyString::new(py, &json),))
}
