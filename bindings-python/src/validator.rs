//! `taap.PopTokenValidator`: the gateway-side check of a PoP token.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString, PyTuple};
use taap::{Error, ValidatorOptions};

use crate::convert::{integer, optional_integer, pair_refs, pairs, string};
use crate::errors::{to_py_err, wrong_type, OrRaise};
use crate::keys::PyPublicKey;
use crate::policy::optional_body;
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
    pub(crate) key: taap::PublicKey,
    method: pyo3::pybacked::PyBackedStr,
    target: pyo3::pybacked::PyBackedStr,
    headers: crate::convert::Pairs,
    body: Option<crate::convert::Value>,
    pub(crate) now: i64,
    form: taap::UriForm,
}

impl RequestArgs {
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
        let form =
            uri_form.as_deref().map(taap::UriForm::parse).transpose().or_raise(py)?.unwrap_or_default();
        let key = public_key
            .cast::<PyPublicKey>()
            .map_err(|_| wrong_type("public_key", "a PublicKey", public_key))?;
        let key = key.get().key.clone();
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

    /// The request as the core reads it.
    pub(crate) fn received(&self) -> taap::Result<taap::ReceivedRequest<'_>> {
        let body = self.body.as_ref().map_or(&b""[..], AsRef::as_ref);
        taap::ReceivedRequest::with_uri_form(
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
    #[new]
    #[pyo3(
        signature = (*, leeway = None, max_age = None, required = None, replay_cache = None),
        text_signature = "(*, leeway=10, max_age=60, required=(), replay_cache=False)"
    )]
    fn new(
        py: Python<'_>,
        leeway: Option<&Bound<'_, PyAny>>,
        max_age: Option<&Bound<'_, PyAny>>,
        required: Option<&Bound<'_, PyAny>>,
        replay_cache: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let options = ValidatorOptions {
            leeway_secs: optional_integer(py, leeway, "leeway")?.unwrap_or(taap::DEFAULT_LEEWAY_SECS),
            max_age_secs: optional_integer(py, max_age, "max_age")?.unwrap_or(taap::DEFAULT_MAX_AGE_SECS),
            required: required_names(required)?,
            replay_cache: replay_capacity(py, replay_cache)?,
        };
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
        let token = py
            .detach(|| self.validator.validate_request_at(&args.key, &args.received()?, args.now))
            .or_raise(py)?;
        Ok(PyPopToken { token })
    }

    /// Seconds of clock skew tolerated.
    #[getter]
    fn leeway(&self) -> i64 {
        self.validator.options().leeway_secs
    }

    /// Oldest accepted token age in seconds, from `iat`.
    #[getter]
    fn max_age(&self) -> i64 {
        self.validator.options().max_age_secs
    }

    /// Names every token must sign.
    #[getter]
    fn required<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.validator.options().required)
    }

    /// How many `jti`s the replay cache remembers, or `None` when replay detection is off.
    #[getter]
    fn replay_cache(&self) -> Option<usize> {
        self.validator.options().replay_cache
    }

    fn __repr__(&self) -> String {
        let options = self.validator.options();
        format!(
            "PopTokenValidator(leeway={}, max_age={}, required={:?}, replay_cache={})",
            options.leeway_secs,
            options.max_age_secs,
            options.required,
            options.replay_cache.map_or_else(|| "None".to_owned(), |capacity| capacity.to_string()),
        )
    }
}

fn required_names(required: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(required) = required.filter(|required| !required.is_none()) else {
        return Ok(Vec::new());
    };
    let expected = "an iterable of str";
    if required.is_instance_of::<PyString>() {
        return Err(wrong_type("required", expected, required));
    }
    let names = required.try_iter().map_err(|_| wrong_type("required", expected, required))?;
    names
        .map(|name| {
            let name = name?;
            name.extract::<String>().map_err(|_| wrong_type("each required name", "a str", &name))
        })
        .collect()
}

/// `False`/`None`: off; `True`: the core's default capacity; an int: that capacity.
fn replay_capacity(py: Python<'_>, replay_cache: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(replay_cache) = replay_cache.filter(|value| !value.is_none()) else {
        return Ok(None);
    };
    if let Ok(enabled) = replay_cache.cast::<PyBool>() {
        return Ok(enabled.is_true().then_some(taap::DEFAULT_REPLAY_CAPACITY));
    }
    let capacity = integer(py, replay_cache, "replay_cache")
        .map_err(|_| wrong_type("replay_cache", "a bool or an int", replay_cache))?;
    usize::try_from(capacity).map(Some).map_err(|_| {
        to_py_err(py, &Error::Config(format!("replay_cache is {capacity}; give a capacity above 0")))
    })
}
