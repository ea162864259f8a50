//! `taap.PopToken`: build (signer), build for an HTTP request, decode.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyTuple};
use taap::{token::BuildOptions, Error};

use crate::convert::{optional_integer, pair_refs, pairs, string, value, Pairs, Value};
use crate::errors::{wrong_type, OrRaise};
use crate::keys::SigningKey;

/// A decoded (not verified) PoP token; also the namespace of the functions that build one.
#[pyclass(module = "taap", name = "PopToken", frozen)]
pub struct PyPopToken {
    pub(crate) token: taap::PopToken,
}

#[pymethods]
impl PyPopToken {
    /// Build a PoP token over ordered ehts: a dict (insertion order) or `(name, value)` pairs.
    #[staticmethod]
    #[pyo3(
        signature = (key, ehts, *, ttl = None, iat = None, jti = None, password = None),
        text_signature = "(key, ehts, *, ttl=120, iat=None, jti=None, password=None)"
    )]
    fn build(
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        ehts: &Bound<'_, PyAny>,
        ttl: Option<&Bound<'_, PyAny>>,
        iat: Option<&Bound<'_, PyAny>>,
        jti: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let key = SigningKey::extract(py, key, password)?;
        let ehts = pairs(py, ehts, "ehts")?;
        let options = build_options(py, ttl, iat, jti)?;
        py.detach(|| taap::PopToken::build_with(&*key.resolve()?, pair_refs(&ehts), &options)).or_raise(py)
    }

    /// Build the PoP token for one HTTP request: headers (in order), `uri`, `http-method`, `body`.
    #[staticmethod]
    #[pyo3(
        signature = (key, method, url, headers = None, body = None, *, ttl = None, iat = None, jti = None, password = None),
        text_signature = "(key, method, url, headers=None, body=None, *, ttl=120, iat=None, jti=None, password=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn for_request(
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
        let body: Option<Value> = body
            .filter(|body| !body.is_none())
            .map(|body| value(py, body, || "body".to_owned()))
            .transpose()?;
        let options = build_options(py, ttl, iat, jti)?;
        py.detach(|| {
            let body = body.as_ref().map_or(&b""[..], AsRef::as_ref);
            taap::PopToken::for_request_with(
                &*key.resolve()?,
                &method,
                &url,
                pair_refs(&headers),
                body,
                &options,
            )
        })
        .or_raise(py)
    }

    /// Decode a token's header and claims without verifying its signature.
    #[staticmethod]
    fn decode(py: Python<'_>, token: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = token_text(py, token)?;
        let token = taap::PopToken::decode(&text).or_raise(py)?;
        Ok(PyPopToken { token })
    }

    /// base64url SHA-256 of the concatenated ehts values.
    #[getter]
    fn edts(&self) -> &str {
        &self.token.claims().edts
    }

    /// The version claim, `"1"`.
    #[getter]
    fn v(&self) -> &str {
        &self.token.claims().v
    }

    /// Expiry, epoch seconds.
    #[getter]
    fn exp(&self) -> i64 {
        self.token.claims().exp
    }

    /// Issued-at, epoch seconds.
    #[getter]
    fn iat(&self) -> i64 {
        self.token.claims().iat
    }

    /// The unique token id.
    #[getter]
    fn jti(&self) -> &str {
        &self.token.claims().jti
    }

    /// The signed names, in signing order.
    #[getter]
    fn ehts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.token.claims().ehts)
    }

    /// The JOSE `alg` header, always `"RS256"`.
    #[getter]
    fn alg(&self) -> &str {
        &self.token.header().alg
    }

    /// The JOSE `typ` header, usually `"JWT"`, or `None` when absent.
    #[getter]
    fn typ(&self) -> Option<&str> {
        self.token.header().typ.as_deref()
    }

    /// The token text.
    #[getter]
    fn token(&self) -> &str {
        self.token.as_str()
    }

    /// Seconds from `now` (default: the system clock) until `exp`; negative once expired.
    #[pyo3(signature = (now = None))]
    fn expires_in(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
        let now = optional_integer(py, now, "now")?.unwrap_or_else(taap::now_unix);
        Ok(self.token.expires_in(now))
    }

    fn __str__(&self) -> &str {
        self.token.as_str()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyPopToken>().is_ok_and(|other| other.get().token == self.token)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.token.as_str().hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        let claims = self.token.claims();
        format!(
            "<PopToken ehts={:?} iat={} exp={} jti={:?}>",
            claims.ehts.join(";"),
            claims.iat,
            claims.exp,
            claims.jti
        )
    }
}

/// Token options from the `ttl`, `iat` and `jti` keyword arguments.
pub fn build_options(
    py: Python<'_>,
    ttl: Option<&Bound<'_, PyAny>>,
    iat: Option<&Bound<'_, PyAny>>,
    jti: Option<&Bound<'_, PyAny>>,
) -> PyResult<BuildOptions> {
    let jti = match jti.filter(|jti| !jti.is_none()) {
        Some(jti) => Some(string(py, jti, "jti", Error::Config)?.to_string()),
        None => None,
    };
    let ttl_secs = optional_integer(py, ttl, "ttl")?.unwrap_or(taap::token::DEFAULT_TTL_SECS);
    Ok(BuildOptions { ttl_secs, iat: optional_integer(py, iat, "iat")?, jti })
}

/// Token text from `str` or ASCII `bytes` (as read from a raw header).
pub fn token_text(py: Python<'_>, token: &Bound<'_, PyAny>) -> PyResult<PyBackedStr> {
    if let Ok(bytes) = token.cast::<PyBytes>() {
        return match std::str::from_utf8(bytes.as_bytes()) {
            Ok(text) => Ok(pyo3::types::PyString::new(py, text).try_into()?),
            Err(_) => Err(crate::errors::to_py_err(
                py,
                &Error::InvalidToken("the token bytes are not ASCII".into()),
            )),
        };
    }
    if token.is_instance_of::<pyo3::types::PyString>() {
        return string(py, token, "token", Error::InvalidToken);
    }
    Err(wrong_type("token", "str or bytes", token))
}
