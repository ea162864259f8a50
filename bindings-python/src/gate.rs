//! `taap._taap.PopGate`: the core's middleware check (`taap::validate::PopGate`) for
//! `taap.asgi` and `taap.wsgi`. Its options, the client id rule, the body limit and every
//! answer (status, headers, JSON body) come from the core; this only converts values. A check
//! runs without the GIL: with a shared replay store it waits on the network.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyDict, PyString};
use taap::settings::NameStyle;
use taap::validate::{Answer, PopGate};

use crate::convert::{pair_refs, pairs};
use crate::errors::{to_py_err, wrong_type, OrRaise};
use crate::keys::PyPublicKey;
use crate::settings::options_map;
use crate::validator::RequestArgs;

/// An answer as `taap._middleware.Answer`: `(status, [(name, value)], body)`.
type PyAnswer<'py> = (u16, Vec<(&'static str, String)>, Bound<'py, PyBytes>);

fn to_python(py: Python<'_>, answer: Answer) -> PyAnswer<'_> {
    (answer.status, answer.headers, PyBytes::new(py, answer.body.as_bytes()))
}

/// A middleware's check: options read once, one replay cache (or a shared redis store) for
/// every request it guards; thread-safe.
#[pyclass(module = "taap._taap", name = "PopGate", frozen)]
pub struct PyPopGate {
    gate: PopGate,
}

/// A key as given to the middleware or returned by its lookup: a `PublicKey` as it is, text as
/// a JWK when it starts with `{`, else as PEM.
fn parse_key(py: Python<'_>, found: &Bound<'_, PyAny>) -> PyResult<taap::Result<taap::PublicKey>> {
    if let Ok(key) = found.cast::<PyPublicKey>() {
        return Ok(Ok(key.get().key.clone()));
    }
    let text = found
        .cast::<PyString>()
        .map_err(|_| wrong_type("public_key", "a PublicKey, PEM or JWK text", found))?;
    let text = PyBackedStr::try_from(text.clone())
        .map_err(|_| to_py_err(py, &taap::Error::InvalidKey("the key text holds a lone surrogate".into())))?;
    let text = text.trim();
    Ok(if text.starts_with('{') {
        taap::PublicKey::from_jwk(text)
    } else {
        taap::PublicKey::from_pem(text.as_bytes())
    })
}

#[pymethods]
impl PyPopGate {
    /// A gate from the middleware's options under the settings schema's `snake_case` names
    /// (`required`, `leeway`, `max_age`, `max_body`, `client_id_header`, `replay_store`), each
    /// checked by the core.
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let given = match options {
            Some(options) => options_map(py, options)?,
            None => serde_json::Map::new(),
        };
        Ok(PyPopGate { gate: PopGate::new(&given, NameStyle::Snake).or_raise(py)? })
    }

    /// The key `found` stands for (a `PublicKey`, PEM or JWK text); raises the `TaapError`
    /// subclass when the text is not a key.
    #[staticmethod]
    fn key(py: Python<'_>, found: &Bound<'_, PyAny>) -> PyResult<PyPublicKey> {
        Ok(PyPublicKey { key: parse_key(py, found)?.or_raise(py)? })
    }

    /// The key a client id lookup returned (a `PublicKey`, PEM or JWK text), or the answer
    /// refusing the request when the text is not a key.
    fn key_of<'py>(&self, py: Python<'py>, found: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match parse_key(py, found)? {
            Ok(key) => Bound::new(py, PyPublicKey { key })?.into_any(),
            Err(error) => to_python(py, Answer::unauthorized(&error)).into_pyobject(py)?.into_any(),
        })
    }

    /// The largest body read and hashed, in bytes.
    #[getter]
    fn max_body(&self) -> u64 {
        self.gate.max_body()
    }

    /// Whether a check waits on the network (a shared replay store): async servers run it in a
    /// thread.
    #[getter]
    fn blocking(&self) -> bool {
        self.gate.blocking()
    }

    /// The header naming the client (lower case).
    #[getter]
    fn client_id_header(&self) -> &str {
        self.gate.client_id_header()
    }

    /// The client id the headers (pairs as received) carry, or the answer refusing the request.
    fn client_id<'py>(&self, py: Python<'py>, headers: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let headers = pairs(py, headers, "headers")?;
        Ok(match self.gate.client_id(pair_refs(&headers)) {
            Ok(id) => PyString::new(py, &id).into_any(),
            Err(answer) => to_python(py, answer).into_pyobject(py)?.into_any(),
        })
    }

    /// The answer for a client id no key is registered for.
    fn unknown_client<'py>(&self, py: Python<'py>) -> PyAnswer<'py> {
        to_python(py, self.gate.unknown_client())
    }

    /// The answer for a body longer than `max_body`, for a door that stops reading there.
    fn too_large<'py>(&self, py: Python<'py>) -> PyAnswer<'py> {
        to_python(py, Answer::too_large(self.gate.max_body()))
    }

    /// None when the request as received (method, target, headers as pairs, exact body) carries
    /// a valid, unreplayed PoP token signed by `public_key`; else the answer to send. Runs
    /// without the GIL.
    #[pyo3(signature = (public_key, method, target, headers, body, *, uri_form = None))]
    #[allow(clippy::too_many_arguments)]
    fn check<'py>(
        &self,
        py: Python<'py>,
        public_key: &Bound<'py, PyAny>,
        method: &Bound<'py, PyAny>,
        target: &Bound<'py, PyAny>,
        headers: &Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
        uri_form: Option<String>,
    ) -> PyResult<Option<PyAnswer<'py>>> {
        let args =
            RequestArgs::extract(py, public_key, method, target, Some(headers), Some(body), None, uri_form)?;
        let answer = py.detach(|| args.check(&self.gate));
        Ok(answer.map(|answer| to_python(py, answer)))
    }

    /// Whether checking with `public_key` (a `PublicKey` or `KeySource`) and `headers` may wait
    /// on the network (a shared store, or a key source that must fetch): ASGI then runs the
    /// check in a thread.
    fn waits(
        &self,
        py: Python<'_>,
        public_key: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let headers = pairs(py, headers, "headers")?;
        if let Ok(source) = public_key.cast::<crate::key_source::PyKeySource>() {
            return Ok(self.gate.waits(&source.get().source, pair_refs(&headers)));
        }
        Ok(self.gate.blocking())
    }

    fn __repr__(&self) -> String {
        // The options may hold a redis URL with its password.
        format!("PopGate(max_body={}, blocking={})", self.gate.max_body(), self.gate.blocking())
    }
}
