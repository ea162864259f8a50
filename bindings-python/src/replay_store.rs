//! `taap.RedisReplayStore`: the replay store a fleet shares, for a service that checks requests
//! itself (the ASGI/WSGI middleware opens its own through the core's `PopGate`). The core's
//! blocking store, with the key scheme and fail-closed rule of `taap serve --replay-store`.

use std::time::Duration;

use pyo3::prelude::*;

use crate::errors::{to_py_err, OrRaise};
use crate::validator::{PyPopTokenValidator, RequestArgs};

/// A replay store in Redis, shared with every gateway and middleware that opens the same
/// database; thread-safe.
#[pyclass(module = "taap", name = "RedisReplayStore", frozen)]
pub struct PyRedisReplayStore {
    store: taap::validate::RedisReplayStore,
}

#[pymethods]
impl PyRedisReplayStore {
    #[new]
    #[pyo3(signature = (url, *, deadline = None), text_signature = "(url, *, deadline=0.05)")]
    fn new(py: Python<'_>, url: &str, deadline: Option<f64>) -> PyResult<Self> {
        let deadline = match deadline {
            Some(seconds) => Duration::try_from_secs_f64(seconds).map_err(|_| {
                to_py_err(
                    py,
                    &taap::Error::Config("the replay store deadline must be above 0 and at most 1 s".into()),
                )
            })?,
            None => taap::validate::DEFAULT_REPLAY_STORE_DEADLINE,
        };
        Ok(PyRedisReplayStore { store: taap::validate::RedisReplayStore::open(url, deadline).or_raise(py)? })
    }

    /// Check the request's PoP token with `validator` (its own replay cache unused) and admit
    /// its `jti` here. Returns None when the request may go through, or the reason the store
    /// could not answer (fail closed: refuse with 503); raises the `TaapError` subclass for an
    /// invalid token, `ReplayError` for one seen before.
    #[pyo3(
        signature = (validator, public_key, method, target, headers = None, body = None, *, now = None, uri_form = None),
        text_signature = "(self, validator, public_key, method, target, headers=None, body=None, *, now=None, uri_form=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn check_request(
        &self,
        py: Python<'_>,
        validator: &Bound<'_, PyPopTokenValidator>,
        public_key: &Bound<'_, PyAny>,
        method: &Bound<'_, PyAny>,
        target: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        uri_form: Option<String>,
    ) -> PyResult<Option<String>> {
        let args = RequestArgs::extract(py, public_key, method, target, headers, body, now, uri_form)?;
        let validator = &validator.get().validator;
        let key = args.one_key()?;
        let outcome = py.detach(|| {
            let request = args.received().map_err(taap::validate::SharedRefusal::Invalid)?;
            self.store.validate_request_at(validator, key, &request, args.now)
        });
        match outcome {
            Ok(_) => Ok(None),
            Err(taap::validate::SharedRefusal::Invalid(error)) => Err(to_py_err(py, &error)),
            Err(taap::validate::SharedRefusal::Unavailable(reason)) => Ok(Some(reason)),
        }
    }

    /// The store's name, for refusals: `"redis"`.
    #[getter]
    fn name(&self) -> &'static str {
        self.store.name()
    }

    fn __repr__(&self) -> String {
        // The URL may hold a password.
        "RedisReplayStore(<redis>)".to_owned()
    }
}
