//! `taap.SignPolicy`, `taap.request_uri`, `taap.request_method`: the core's request rules.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};
use taap::Error;

use crate::convert::{pair_refs, pairs, string, value, Pairs, Value};
use crate::errors::{to_py_err, wrong_type, OrRaise};
use crate::keys::SigningKey;
use crate::token::build_options;

/// Which headers of an outgoing request a PoP token signs (the core's one signing policy).
///
/// The default follows T-Mobile's docs: `Content-Type`, then `Authorization`, each when the
/// request has it. Names match ignoring ASCII case; `X-Authorization` is never signed.
#[pyclass(module = "taap", name = "SignPolicy", frozen, eq)]
#[derive(PartialEq)]
pub struct PySignPolicy {
    pub(crate) policy: taap::SignPolicy,
}

#[pymethods]
impl PySignPolicy {
    /// The docs' policy: `Content-Type` and `Authorization` when present.
    #[new]
    fn new() -> Self {
        PySignPolicy { policy: taap::SignPolicy::new() }
    }

    /// Sign exactly these headers, in this order, each when the request has it.
    #[staticmethod]
    fn headers(py: Python<'_>, names: &Bound<'_, PyAny>) -> PyResult<Self> {
        let names = header_names(names, "names")?;
        Ok(PySignPolicy { policy: taap::SignPolicy::headers(names).or_raise(py)? })
    }

    /// Sign every header the request carries, in the request's order.
    #[staticmethod]
    fn all_headers() -> Self {
        PySignPolicy { policy: taap::SignPolicy::all_headers() }
    }

    /// A copy that also signs header `name`.
    fn with_header(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<Self> {
        let name = header_name(name, "name")?;
        Ok(PySignPolicy { policy: self.policy.clone().with_header(&name).or_raise(py)? })
    }

    /// A copy that never signs header `name`.
    fn without_header(&self, py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<Self> {
        let name = header_name(name, "name")?;
        Ok(PySignPolicy { policy: self.policy.clone().without_header(&name).or_raise(py)? })
    }

    /// The `(name, value)` pairs of `headers` this policy signs, in signing order, as sent.
    fn select<'py>(&self, py: Python<'py>, headers: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let headers = pairs(py, headers, "headers")?;
        let refs: Vec<(&str, &[u8])> = pair_refs(&headers).collect();
        let chosen = PyList::empty(py);
        for (name, selected) in self.policy.select(&refs) {
            // The core hands back sub-slices of the input, so the entry they came from tells
            // whether the caller gave text or bytes.
            let (_, original) = headers
                .iter()
                .find(|(known, _)| std::ptr::eq(known.as_str(), name))
                .expect("the policy selects only the headers it was given");
            let value = match original {
                Value::Text(_) => PyString::new(py, &String::from_utf8_lossy(selected)).into_any(),
                Value::Bytes(_) => PyBytes::new(py, selected).into_any(),
            };
            chosen.append(PyTuple::new(py, [PyString::new(py, name).into_any(), value])?)?;
        }
        Ok(chosen)
    }

    /// The PoP token for a request as this policy signs it: the selected headers, `uri`,
    /// `http-method`, `body`.
    #[pyo3(
        signature = (key, method, url, headers = None, body = None, *, ttl = None, iat = None, jti = None, password = None),
        text_signature = "(self, key, method, url, headers=None, body=None, *, ttl=120, iat=None, jti=None, password=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        method: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        ttl: Option<&Bound<'_, PyAny>>,
        iat: Option<&Bound<'_, PyAny>>,
        jti: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let key = SigningKey::extract(py, key, password)?;
        let method = string(py, method, "method", Error::InvalidEhts)?;
        let url = string(py, url, "url", Error::InvalidEhts)?;
        let headers: Pairs = match headers.filter(|headers| !headers.is_none()) {
            Some(headers) => pairs(py, headers, "headers")?,
            None => Vec::new(),
        };
        let body = optional_body(py, body)?;
        let options = build_options(py, ttl, iat, jti)?;
        py.detach(|| {
            let refs: Vec<(&str, &[u8])> = pair_refs(&headers).collect();
            let body = body.as_ref().map_or(&b""[..], AsRef::as_ref);
            self.policy.sign(&*key.resolve()?, &method, &url, &refs, body, &options)
        })
        .or_raise(py)
    }

    fn __repr__(&self) -> String {
        let described = self.policy.describe();
        format!("<SignPolicy {}>", if described.is_empty() { "signs no headers" } else { &described })
    }
}

/// An optional body argument: `str` (UTF-8), `bytes` or `bytearray`.
pub fn optional_body(py: Python<'_>, body: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Value>> {
    body.filter(|body| !body.is_none()).map(|body| value(py, body, || "body".to_owned())).transpose()
}

fn header_name(name: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    name.extract::<String>().map_err(|_| wrong_type(what, "a str", name))
}

/// Header names from an iterable of `str`; a bare string would be read letter by letter.
fn header_names(names: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    let expected = "an iterable of header names (str)";
    if names.is_instance_of::<PyString>() || names.is_instance_of::<PyBytes>() {
        return Err(wrong_type(what, expected, names));
    }
    let items = names.try_iter().map_err(|_| wrong_type(what, expected, names))?;
    items.map(|name| header_name(&name?, "each header name")).collect()
}

/// The `uri` value of a request URL or path: path plus percent-decoded query, as the gateway
/// compares it. Bytes that are not UTF-8 come back as surrogate escapes, so
/// `.encode("utf-8", "surrogateescape")` gives the exact bytes.
#[pyfunction]
pub fn request_uri<'py>(py: Python<'py>, url: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let url = string(py, url, "url", Error::InvalidEhts)?;
    let uri = taap::request::request_uri(&url).or_raise(py)?;
    PyBytes::new(py, &uri).call_method1("decode", ("utf-8", "surrogateescape"))
}

/// The `http-method` value: the method upper-cased, which must be an HTTP token.
#[pyfunction]
pub fn request_method(py: Python<'_>, method: &Bound<'_, PyAny>) -> PyResult<String> {
    let method = string(py, method, "method", Error::InvalidEhts)?;
    taap::request::request_method(&method).map_err(|error| to_py_err(py, &error))
}
