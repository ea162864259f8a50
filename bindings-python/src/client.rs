//! `taap.TaapClient`: OAuth access tokens and signed API calls, network I/O without the GIL.

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBytes, PyDict, PyString};
use taap::settings::NameStyle;
use taap::{client::ClientSettings, Error};

use crate::convert::{pairs, secret_bytes, Value};
use crate::errors::{to_py_err, wrong_type, OrRaise};
use crate::keys::{PyPrivateKey, SigningKey};
use crate::policy::PySignPolicy;
use crate::settings::{options_map, settings_dict};
use crate::signer::PySigner;

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
    key: ClientKey,
}

/// The key a client was given, handed back as it came: a `PrivateKey` (also for PEM) or a `Signer`.
enum ClientKey {
    Private(Arc<taap::PrivateKey>),
    Signer(Arc<dyn taap::keys::Signer>),
}

impl ClientKey {
    fn signer(&self) -> Arc<dyn taap::keys::Signer> {
        match self {
            ClientKey::Private(key) => Arc::clone(key) as Arc<dyn taap::keys::Signer>,
            ClientKey::Signer(signer) => Arc::clone(signer),
        }
    }
}

#[pymethods]
impl PyTaapClient {
    /// A client for these credentials and key; every other keyword is an option of the core's
    /// settings schema (`taap.settings_schema()`), checked there. `sign_policy` (a `SignPolicy`)
    /// is the signing policy to start from; `sign_headers` and `uri_form`, when given, change it.
    #[new]
    #[pyo3(
        signature = (client_id, client_secret, key, server = None, *, password = None, sign_policy = None, **options),
        // BEGIN GENERATED TaapClient signature (scripts/generate_declarations.py)
        text_signature = "(client_id, client_secret, key, server='v2', *, password=None, sign_policy=None, \
                          api=None, store_id=None, dealer_code=None, connect_timeout=10, timeout=30, \
                          max_retries=2, retry_base_delay=0.2, retry_max_delay=10, refresh_margin=60, \
                          pop_ttl=120, max_response_bytes=10485760, correct_clock_skew=True, \
                          token_body=None, token_body_mode=None, pop_claims=None, pop_header=None, \
                          headers=None, sign_headers=['Content-Type', 'Authorization'], \
                          uri_form='decoded', x_authorization_prefix=None, token_store=None)"
        // END GENERATED
    )]
    #[allow(clippy::too_many_arguments)] // Python's signature: credentials, key, server, handles, options
    fn new(
        py: Python<'_>,
        client_id: &Bound<'_, PyAny>,
        client_secret: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        server: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
        sign_policy: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let client_id: String =
            client_id.extract().map_err(|_| wrong_type("client_id", "a str", client_id))?;
        let secret = secret_bytes(client_secret, "client_secret")?;
        let secret = String::from_utf8(secret.to_vec())
            .map_err(|_| to_py_err(py, &Error::Config("client_secret is not valid UTF-8".into())))?;
        let settings = client_settings(py, server, options)?;
        let key = match SigningKey::extract(py, key, password)? {
            SigningKey::Loaded(key) => ClientKey::Private(key),
            SigningKey::Signer(signer) => ClientKey::Signer(signer),
            SigningKey::Encoded(bytes, password) => ClientKey::Private(
                py.detach(|| {
                    taap::PrivateKey::from_bytes_cached(
                        bytes.as_ref(),
                        password.as_deref().map(Vec::as_slice),
                    )
                })
                .or_raise(py)?,
            ),
        };
        let policy = match sign_policy.filter(|policy| !policy.is_none()) {
            Some(policy) => Some(
                policy
                    .cast::<PySignPolicy>()
                    .map_err(|_| wrong_type("sign_policy", "a SignPolicy", policy))?
                    .get()
                    .policy
                    .clone(),
            ),
            None => None,
        };
        // The core builds and checks the configuration (its messages name options as Python does).
        let settings = match policy {
            Some(policy) => settings.with_sign_policy(policy),
            None => settings,
        };
        let mut config = settings.client_config(client_id, secret, key.signer()).or_raise(py)?;
        config.on_warning = taap::client::OnWarning::new(python_warning);
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

    /// The key the client signs with: a `PrivateKey` (also when given as PEM), or the `Signer`
    /// it was given.
    #[getter]
    fn key<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.key {
            ClientKey::Private(key) => Ok(Bound::new(py, PyPrivateKey { key: Arc::clone(key) })?.into_any()),
            ClientKey::Signer(signer) => {
                Ok(Bound::new(py, PySigner { signer: Arc::clone(signer) })?.into_any())
            }
        }
    }

    /// The options in effect under the schema's names and units (seconds as numbers), as a fresh
    /// dict: what the behaviour suite checks. Secret-looking header values are masked; the token
    /// store shows only whether one is set.
    #[getter]
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        settings_dict(py, self.client.settings())
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

/// The keyword options, `server` first when given positionally, checked by the core's schema.
fn client_settings(
    py: Python<'_>,
    server: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<ClientSettings> {
    let given = PyDict::new(py);
    if let Some(server) = server.filter(|server| !server.is_none()) {
        given.set_item("server", server)?;
    }
    if let Some(options) = options {
        given.update(options.as_mapping())?;
    }
    ClientSettings::from_options(&options_map(py, &given)?, NameStyle::Snake).or_raise(py)
}

/// Header names and values as text: the client sends them, so they must be valid text.
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

/// An OAuth 2.0 access token; `repr()` never shows it.
#[pyclass(module = "taap", name = "AccessToken", frozen)]
pub struct PyAccessToken {
    token: taap::client::AccessToken,
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
    response: taap::client::Response,
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
