//! `taap.TaapClient`: OAuth access tokens and signed API calls, network I/O without the GIL.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBytes, PyDict, PyFloat, PyInt, PyString};
use taap::{ClientConfig, Error, OAuthServer, RetryPolicy, Timeouts};

use crate::convert::{optional_integer, pairs, secret_bytes, Value};
use crate::errors::{to_py_err, wrong_type, OrRaise};
use crate::keys::{PyPrivateKey, SigningKey};
use crate::policy::PySignPolicy;

/// A client warning as a Python `RuntimeWarning` (a store failure must not stop the call, so a
/// warning filter turning it into an error is reported as unraisable instead of raised).
fn python_warning(message: &str) {
    Python::attach(|py| {
        let category = py.get_type::<pyo3::exceptions::PyRuntimeWarning>();
        let text = std::ffi::CString::new(message).unwrap_or_default();
        if let Err(error) = PyErr::warn(py, &category, &text, 1) {
            error.write_unraisable(py, None);
        }
    });
}

/// A TAAP client: gets access tokens (cached, refreshed once for all threads) and sends
/// API calls with `Authorization: Bearer` and a fresh PoP token each.
#[pyclass(module = "taap", name = "TaapClient", frozen)]
pub struct PyTaapClient {
    client: taap::TaapClient,
    key: Arc<taap::PrivateKey>,
}

#[pymethods]
impl PyTaapClient {
    #[new]
    #[pyo3(
        signature = (client_id, client_secret, key, server = None, *, password = None, store_id = None,
                     dealer_code = None, connect_timeout = None, timeout = None, max_retries = None,
                     retry_base_delay = None, retry_max_delay = None, pop_ttl = None,
                     refresh_margin = None, max_response_bytes = None, correct_clock_skew = true,
                     api = None, token_body = None, token_body_mode = None, pop_claims = None,
                     pop_header = None, headers = None, sign_policy = None, uri_form = None,
                     x_authorization_prefix = None, token_store = None),
        text_signature = "(client_id, client_secret, key, server='v2', *, password=None, store_id=None, \
                          dealer_code=None, connect_timeout=10.0, timeout=30.0, max_retries=2, \
                          retry_base_delay=0.2, retry_max_delay=10.0, pop_ttl=120, refresh_margin=60.0, \
                          max_response_bytes=10485760, correct_clock_skew=True, api=None, token_body=None, \
                          token_body_mode=None, pop_claims=None, pop_header=None, headers=None, \
                          sign_policy=None, uri_form=None, x_authorization_prefix=None, token_store=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        client_id: &Bound<'_, PyAny>,
        client_secret: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        server: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
        store_id: Option<String>,
        dealer_code: Option<String>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        retry_base_delay: Option<&Bound<'_, PyAny>>,
        retry_max_delay: Option<&Bound<'_, PyAny>>,
        pop_ttl: Option<&Bound<'_, PyAny>>,
        refresh_margin: Option<&Bound<'_, PyAny>>,
        max_response_bytes: Option<&Bound<'_, PyAny>>,
        correct_clock_skew: bool,
        api: Option<&Bound<'_, PyAny>>,
        token_body: Option<&Bound<'_, PyAny>>,
        token_body_mode: Option<&Bound<'_, PyAny>>,
        pop_claims: Option<&Bound<'_, PyAny>>,
        pop_header: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        sign_policy: Option<&Bound<'_, PyAny>>,
        uri_form: Option<&Bound<'_, PyAny>>,
        x_authorization_prefix: Option<&Bound<'_, PyAny>>,
        token_store: Option<String>,
    ) -> PyResult<Self> {
        let client_id: String =
            client_id.extract().map_err(|_| wrong_type("client_id", "a str", client_id))?;
        let secret = secret_bytes(client_secret, "client_secret")?;
        let secret = String::from_utf8(secret.to_vec())
            .map_err(|_| to_py_err(py, &Error::Config("client_secret is not valid UTF-8".into())))?;
        let key = SigningKey::extract(py, key, password)?;
        let key = py.detach(|| key.resolve()).or_raise(py)?;
        let variants = [
            ("server", server),
            ("api", api),
            ("token_body", token_body),
            ("token_body_mode", token_body_mode),
            ("pop_claims", pop_claims),
            ("pop_header", pop_header),
            ("headers", headers),
            ("uri_form", uri_form),
            ("x_authorization_prefix", x_authorization_prefix),
        ];
        let settings = profile_options(py, &variants)?;
        let mut config = ClientConfig::new(client_id, secret, Arc::clone(&key), OAuthServer::V2);
        if let Some(policy) = sign_policy.filter(|policy| !policy.is_none()) {
            let policy = policy
                .cast::<PySignPolicy>()
                .map_err(|_| wrong_type("sign_policy", "a SignPolicy", policy))?;
            config.sign_policy = policy.get().policy.clone();
        }
        settings.apply_to(&mut config).or_raise(py)?;
        config.store_id = store_id;
        config.dealer_code = dealer_code;
        let defaults = Timeouts::default();
        config.timeouts = Timeouts {
            connect: seconds(py, connect_timeout, "connect_timeout")?.unwrap_or(defaults.connect),
            request: seconds(py, timeout, "timeout")?.unwrap_or(defaults.request),
        };
        if let Some(retries) = optional_integer(py, max_retries, "max_retries")? {
            let retries = u32::try_from(retries).map_err(|_| {
                to_py_err(py, &Error::Config(format!("max_retries is {retries}; choose 0 to 10")))
            })?;
            config.retry = RetryPolicy { max_retries: retries, ..RetryPolicy::default() };
        }
        if let Some(base) = seconds(py, retry_base_delay, "retry_base_delay")? {
            config.retry.base_delay = base;
        }
        if let Some(max) = seconds(py, retry_max_delay, "retry_max_delay")? {
            config.retry.max_delay = max;
        }
        if let Some(ttl) = optional_integer(py, pop_ttl, "pop_ttl")? {
            config.pop_ttl_secs = ttl;
        }
        if let Some(margin) = seconds_or_zero(py, refresh_margin, "refresh_margin")? {
            config.refresh_margin = margin;
        }
        if let Some(limit) = optional_integer(py, max_response_bytes, "max_response_bytes")? {
            // A negative limit is reported as given, not clamped into a different complaint.
            config.max_response_bytes = u64::try_from(limit).map_err(|_| {
                to_py_err(py, &Error::Config(format!("max_response_bytes is {limit}; it must be above 0")))
            })?;
        }
        config.correct_clock_skew = correct_clock_skew;
        if let Some(url) = token_store {
            config.token_store = Some(taap::token_store_from_url(&url).or_raise(py)?);
            config.on_warning = taap::OnWarning::new(python_warning);
        }
        let client = taap::TaapClient::new(config).or_raise(py)?;
        Ok(PyTaapClient { client, key })
    }

    /// The cached access token, or a new one when it is missing or near expiry.
    fn access_token(&self, py: Python<'_>) -> PyResult<PyAccessToken> {
        let token = py.detach(|| self.client.access_token()).or_raise(py)?;
        Ok(PyAccessToken { token })
    }

    /// Fetch a new access token now, replacing the cached one.
    fn refresh_access_token(&self, py: Python<'_>) -> PyResult<PyAccessToken> {
        let token = py.detach(|| self.client.refresh_access_token()).or_raise(py)?;
        Ok(PyAccessToken { token })
    }

    /// Send a signed API call: `Authorization: Bearer`, and a PoP token over the headers (in
    /// order), `uri`, `http-method` and the body. Pass the body as `body` or `json`, not both.
    #[pyo3(signature = (method, url, headers = None, body = None, *, json = None))]
    fn request(
        &self,
        py: Python<'_>,
        method: String,
        url: String,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        json: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyResponse> {
        let headers = match headers.filter(|headers| !headers.is_none()) {
            Some(headers) => text_headers(py, headers)?,
            None => Vec::new(),
        };
        let body = request_body(py, body, json)?;
        let response = py
            .detach(|| {
                let body = body.as_ref().map_or(&b""[..], AsRef::as_ref);
                self.client.send(&method, &url, headers.iter().map(|(name, value)| (name, value)), body)
            })
            .or_raise(py)?;
        Ok(PyResponse { response })
    }

    /// The OAuth client id.
    #[getter]
    fn client_id(&self) -> &str {
        self.client.client_id()
    }

    /// The token endpoint URL.
    #[getter]
    fn token_url(&self) -> &str {
        self.client.token_url()
    }

    /// The token endpoint's flavour, `"v2"` or `"v6"`.
    #[getter]
    fn flavor(&self) -> &'static str {
        self.client.flavor().name()
    }

    /// Seconds added to the local clock for PoP `iat`, learned from the servers' `Date`.
    #[getter]
    fn clock_offset(&self) -> i64 {
        self.client.clock_offset_secs()
    }

    /// The private key the client signs with.
    #[getter]
    fn key(&self) -> PyPrivateKey {
        PyPrivateKey { key: Arc::clone(&self.key) }
    }

    fn __repr__(&self) -> String {
        format!(
            "<TaapClient client_id={:?} token_url={:?} flavor='{}'>",
            self.client.client_id(),
            self.client.token_url(),
            self.client.flavor().name()
        )
    }
}

/// Header names and values as text: the client sends them, so they must be valid text.
/// The variant options as the core's client settings (checked by the core's profile rules):
/// the given ones go through `json.dumps`, so dicts keep their order.
fn profile_options(py: Python<'_>, options: &[(&str, Option<&Bound<'_, PyAny>>)]) -> PyResult<taap::Profile> {
    let given = PyDict::new(py);
    for (name, value) in options {
        if let Some(value) = value.filter(|value| !value.is_none()) {
            let textual = ["server", "api", "token_body_mode", "uri_form", "x_authorization_prefix"];
            if textual.contains(name) && !value.is_instance_of::<PyString>() {
                return Err(wrong_type(name, "a str", value));
            }
            given.set_item(name, value)?;
        }
    }
    let dumps = py.import("json")?.getattr("dumps")?;
    let text: String = dumps
        .call1((given,))
        .map_err(|_| {
            to_py_err(
                py,
                &Error::Config("the client options must be str, dict, list, number or bool values".into()),
            )
        })?
        .extract()?;
    taap::Profile::from_options_json(&text).or_raise(py)
}

fn text_headers(py: Python<'_>, headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    pairs(py, headers, "headers")?
        .into_iter()
        .enumerate()
        .map(|(index, (name, value))| match String::from_utf8(value.as_ref().to_vec()) {
            Ok(text) => Ok((name, text)),
            Err(_) => Err(to_py_err(
                py,
                &Error::InvalidEhts(format!(
                    "the value of headers entry {index} ({name:?}) is not valid UTF-8"
                )),
            )),
        })
        .collect()
}

/// The request body from `body` (bytes or str) or `json` (compact JSON), never both.
fn request_body(
    py: Python<'_>,
    body: Option<&Bound<'_, PyAny>>,
    json: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Value>> {
    let body = body.filter(|body| !body.is_none());
    let json = json.filter(|json| !json.is_none());
    match (body, json) {
        (Some(_), Some(_)) => Err(PyValueError::new_err("pass the body as body or as json, not both")),
        (Some(body), None) => crate::convert::value(py, body, || "body".to_owned()).map(Some),
        (None, Some(json)) => {
            let text = py.import("json")?.call_method(
                "dumps",
                (json,),
                Some(&[("separators", (",", ":"))].into_py_dict(py)?),
            )?;
            crate::convert::value(py, &text, || "json".to_owned()).map(Some)
        }
        (None, None) => Ok(None),
    }
}

/// A duration in seconds (int or float) above zero; `None` keeps the default.
fn seconds(py: Python<'_>, value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Duration>> {
    let duration = seconds_or_zero(py, value, what)?;
    if duration.is_some_and(|duration| duration.is_zero()) {
        return Err(to_py_err(py, &Error::Config(format!("{what} must be above 0 seconds"))));
    }
    Ok(duration)
}

fn seconds_or_zero(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<Duration>> {
    let Some(value) = value.filter(|value| !value.is_none()) else {
        return Ok(None);
    };
    let is_number = (value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>())
        && !value.is_instance_of::<pyo3::types::PyBool>();
    if !is_number {
        return Err(wrong_type(what, "a number of seconds", value));
    }
    let seconds: f64 = value.extract()?;
    Duration::try_from_secs_f64(seconds).map(Some).map_err(|_| {
        to_py_err(py, &Error::Config(format!("{what} is {seconds}; give a positive number of seconds")))
    })
}

/// An OAuth 2.0 access token; `repr()` never shows it.
#[pyclass(module = "taap", name = "AccessToken", frozen)]
pub struct PyAccessToken {
    token: taap::AccessToken,
}

#[pymethods]
impl PyAccessToken {
    /// The token, for the `Authorization: Bearer` header (a secret: do not log it).
    #[getter]
    fn secret(&self) -> &str {
        self.token.secret()
    }

    /// The OpenID Connect id token, when the server sent one.
    #[getter]
    fn id_token(&self) -> Option<&str> {
        self.token.id_token()
    }

    /// Lifetime in seconds as the server gave it.
    #[getter]
    fn expires_in(&self) -> u64 {
        self.token.expires_in()
    }

    /// Seconds of validity left now.
    #[getter]
    fn remaining(&self) -> f64 {
        self.token.remaining().as_secs_f64()
    }

    /// The granted scope, when the server sent one.
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.token.scope()
    }

    /// The answer's `status` member (T-Mobile sends `"success"`), when present.
    #[getter]
    fn status(&self) -> Option<&str> {
        self.token.status()
    }

    /// The answer's `token_type` member, when present.
    #[getter]
    fn token_type(&self) -> Option<&str> {
        self.token.token_type()
    }

    fn __repr__(&self) -> String {
        format!("<AccessToken expires_in={} scope={:?}>", self.token.expires_in(), self.token.scope())
    }
}

/// An HTTP response of a signed API call: any status is returned, not raised.
#[pyclass(module = "taap", name = "Response", frozen)]
pub struct PyResponse {
    response: taap::Response,
}

#[pymethods]
impl PyResponse {
    /// The HTTP status code.
    #[getter]
    fn status(&self) -> u16 {
        self.response.status
    }

    /// Whether the status is 2xx.
    #[getter]
    fn ok(&self) -> bool {
        self.response.is_success()
    }

    /// The headers as `(lower-case name, value)` pairs, in arrival order.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.response.headers.clone()
    }

    /// The first value of header `name` (any case), or `None`.
    fn header(&self, name: &str) -> Option<&str> {
        self.response.header(name)
    }

    /// The body bytes.
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.response.body)
    }

    /// The body as text (invalid UTF-8 replaced).
    #[getter]
    fn text<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        PyString::new(py, &self.response.text())
    }

    /// The body parsed as JSON.
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (PyBytes::new(py, &self.response.body),))
    }

    fn __repr__(&self) -> String {
        format!("<Response status={} body_bytes={}>", self.response.status, self.response.body.len())
    }
}
