//! `taap.PopTokenValidator`: the gateway-side check of a PoP token.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};
use taap::settings::{validator_options, validator_settings, NameStyle};
use taap::Error;

use crate::convert::{optional_integer, pair_refs, pairs, string};
use crate::errors::{wrong_type, OrRaise};
use crate::keys::PyPublicKey;
use crate::policy::optional_body;
use crate::settings::{options_map, settings_dict};
use crate::token::{token_text, PyPopToken};

/// Checks PoP tokens as an API gateway must: signature, expiry, age, required names, edts, replay.
///
/// Thread-safe; one validator (and its replay cache) can serve every request.
#[pyclass(module = "taap", name = "PopTokenValidator", frozen)]
pub struct PyPopTokenValidator {
    pub(crate) validator: taap::PopTokenValidator,
}

/// A received request's arguments, converted once for `validate_request` and the shared
/// replay store.
pub(crate) struct RequestArgs {
    pub(crate) key: ArgKey,
    method: pyo3::pybacked::PyBackedStr,
    target: pyo3::pybacked::PyBackedStr,
    headers: crate::convert::Pairs,
    body: Option<crate::convert::Value>,
    pub(crate) now: i64,
    form: taap::request::UriForm,
}

/// The key a request is checked against: a `PublicKey`, or (for the middleware's gate) a
/// `KeySource`.
pub(crate) enum ArgKey {
    One(taap::PublicKey),
    Source(taap::validate::KeySource),
}

impl RequestArgs {
    /// The one key, for calls that take no key source.
    pub(crate) fn one_key(&self) -> PyResult<&taap::PublicKey> {
        match &self.key {
            ArgKey::One(key) => Ok(key),
            ArgKey::Source(_) => Err(pyo3::exceptions::PyTypeError::new_err(
                "public_key must be a PublicKey here; a KeySource is for taap.asgi and taap.wsgi",
            )),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn extract(
        py: Python<'_>,
        public_key: &Bound<'_, PyAny>,
        method: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        uri_form: Option<String>,
    ) -> PyResult<Self> {
        let form = taap::request::UriForm::parse_or_default(uri_form.as_deref()).or_raise(py)?;
        let key = if let Ok(key) = public_key.cast::<PyPublicKey>() {
            ArgKey::One(key.get().key.clone())
        } else if let Ok(source) = public_key.cast::<crate::key_source::PyKeySource>() {
            ArgKey::Source(source.get().source.clone())
        } else {
            return Err(wrong_type("public_key", "a PublicKey or KeySource", public_key));
        };
        let method = string(py, method, "method", Error::InvalidEhts)?;
        let target = string(py, target, "target", Error::InvalidEhts)?;
        let headers = match headers.filter(|headers| !headers.is_none()) {
            Some(headers) => pairs(py, headers, "headers")?,
            None => Vec::new(),
        };
        let body = optional_body(py, body)?;
        let now = optional_integer(py, now, "now")?.unwrap_or_else(taap::now_unix);
        Ok(RequestArgs { key, method, target, headers, body, now, form })
    }

    /// The core's middleware check of the request: `None` to pass it on, else the answer.
    pub(crate) fn check(&self, gate: &taap::validate::PopGate) -> Option<taap::validate::Answer> {
        let body = self.body.as_ref().map_or(&b""[..], AsRef::as_ref);
        let keys = match &self.key {
            ArgKey::One(key) => taap::validate::Keys::One(key),
            ArgKey::Source(source) => taap::validate::Keys::Source(source),
        };
        gate.check(keys, &self.method, &self.target, pair_refs(&self.headers), body, self.form)
    }

    /// The request as the core reads it.
    pub(crate) fn received(&self) -> taap::Result<taap::request::ReceivedRequest<'_>> {
        let body = self.body.as_ref().map_or(&b""[..], AsRef::as_ref);
        taap::request::ReceivedRequest::with_uri_form(
            &self.method,
            &self.target,
            pair_refs(&self.headers),
            body,
            self.form,
        )
    }
}

#[pymethods]
impl PyPopTokenValidator {
    /// A validator with these options of the core's settings schema (group `validator` of
    /// `taap.settings_schema()`), checked there; `replay_cache=True` is the core's default
    /// capacity and `False` is off, as `None` is (Python's own meaning, kept).
    #[new]
    #[pyo3(
        signature = (**options),
        // BEGIN GENERATED PopTokenValidator signature (scripts/generate_declarations.py)
        text_signature = "(*, leeway=10, max_age=60, required=[], replay_cache=None)"
        // END GENERATED
    )]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let given = PyDict::new(py);
        if let Some(options) = options {
            given.update(options.as_mapping())?;
        }
        replay_cache_flag_as_capacity(&given)?;
        let options = validator_options(&options_map(py, &given)?, NameStyle::Snake).or_raise(py)?;
        let validator = taap::PopTokenValidator::new(options).or_raise(py)?;
        Ok(PyPopTokenValidator { validator })
    }

    /// Validate `token` against `public_key` and the request's values (a dict or pairs);
    /// returns the decoded token, or raises the `TaapError` subclass saying what failed.
    #[pyo3(signature = (token, public_key, ehts, *, now = None))]
    fn validate(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        public_key: &Bound<'_, PyAny>,
        ehts: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyPopToken> {
        let token = token_text(py, token)?;
        let key = public_key
            .cast::<PyPublicKey>()
            .map_err(|_| wrong_type("public_key", "a PublicKey", public_key))?;
        let key = &key.get().key;
        let values = pairs(py, ehts, "ehts")?;
        let now = optional_integer(py, now, "now")?.unwrap_or_else(taap::now_unix);
        let token = py.detach(|| self.validator.validate_at(&token, key, &values, now)).or_raise(py)?;
        Ok(PyPopToken { token })
    }

    /// Validate the PoP token a request carries in `X-Authorization` against `public_key`:
    /// the request as received (method, path and query or full URL, headers as a dict or
    /// pairs, exact body), its `uri` and `http-method` derived by the core's rules.
    #[pyo3(
        signature = (public_key, method, target, headers = None, body = None, *, now = None, uri_form = None),
        text_signature = "(self, public_key, method, target, headers=None, body=None, *, now=None, uri_form=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn validate_request(
        &self,
        py: Python<'_>,
        public_key: &Bound<'_, PyAny>,
        method: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        uri_form: Option<String>,
    ) -> PyResult<PyPopToken> {
        let args = RequestArgs::extract(py, public_key, method, target, headers, body, now, uri_form)?;
        let key = args.one_key()?;
        let token = py
            .detach(|| self.validator.validate_request_at(key, &args.received()?, args.now))
            .or_raise(py)?;
        Ok(PyPopToken { token })
    }

    /// The options in effect under the schema's names, as a fresh dict: what the behaviour suite
    /// checks.
    #[getter]
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        settings_dict(py, &validator_settings(self.validator.options()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let shown: PyResult<Vec<String>> =
            self.settings(py)?.iter().map(|(name, value)| Ok(format!("{name}={}", value.repr()?))).collect();
        Ok(format!("PopTokenValidator({})", shown?.join(", ")))
    }
}

/// Python's own meaning of `replay_cache`, kept: `True` is the core's default capacity, `False`
/// is off (`None`); a number goes to the schema as given.
fn replay_cache_flag_as_capacity(options: &Bound<'_, PyDict>) -> PyResult<()> {
    let Some(flag) = options.get_item("replay_cache")? else {
        return Ok(());
    };
    if let Ok(flag) = flag.cast::<PyBool>() {
        let capacity = flag.is_true().then_some(taap::validate::DEFAULT_REPLAY_CAPACITY);
        options.set_item("replay_cache", capacity)?;
    }
    Ok(())
}
