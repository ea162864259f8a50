//! `taap.Signer`: a key that signs outside this process's memory (a PKCS#11 token, AWS KMS, a
//! Python function), taken wherever a `PrivateKey` is.

use std::cell::RefCell;
use std::ffi::OsString;
use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use taap::keys::{shown_key_spec, CallbackSigner, Signer};
use taap::Error;

use crate::convert::password;
use crate::errors::{wrong_type, OrRaise};
use crate::keys::PyPublicKey;

/// A key that makes RS256 signatures: one in a PKCS#11 token or AWS KMS (`from_uri`), one a
/// Python function reaches (`from_callback`), or a key file. Taken wherever a `PrivateKey` is.
#[pyclass(module = "taap", name = "Signer", frozen)]
pub struct PySigner {
    pub(crate) signer: Arc<dyn Signer>,
}

#[pymethods]
impl PySigner {
    /// Open the key `uri` names: a `pkcs11:` URI (RFC 7512), an `aws-kms:` key (ARN,
    /// `alias/NAME` or id), or else a PEM/DER private key file. `password` decrypts an
    /// encrypted key file, or is the PIN of a `pkcs11:` URI that gives none itself.
    #[staticmethod]
    #[pyo3(signature = (uri, password = None))]
    fn from_uri(
        py: Python<'_>,
        uri: &Bound<'_, PyAny>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let spec: OsString = if uri.is_instance_of::<PyString>() {
            OsString::from(uri.extract::<String>()?)
        } else {
            uri.extract::<std::path::PathBuf>()
                .map_err(|_| wrong_type("uri", "a str or os.PathLike", uri))?
                .into_os_string()
        };
        let password = self::password(password)?;
        let signer = py
            .detach(|| taap::keys::open_signer(&spec, password.as_deref().map(Vec::as_slice)))
            .or_raise(py)?;
        Ok(PySigner { signer })
    }

    /// A signer that calls `sign(digest)` for each signature: `digest` is the 32-byte SHA-256
    /// of the JWS signing input, the answer the PKCS#1 v1.5 signature (`bytes`) under
    /// `public_key`. Every answer is checked against `public_key` before a token carries it.
    #[staticmethod]
    #[pyo3(signature = (public_key, sign, label = None))]
    fn from_callback(
        public_key: &Bound<'_, PyAny>,
        sign: &Bound<'_, PyAny>,
        label: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let public = public_key
            .cast::<PyPublicKey>()
            .map_err(|_| wrong_type("public_key", "a PublicKey", public_key))?
            .get()
            .key
            .clone();
        if !sign.is_callable() {
            return Err(wrong_type("sign", "a callable taking the digest (bytes)", sign));
        }
        let label = match label.filter(|label| !label.is_none()) {
            Some(label) => Some(label.extract::<String>().map_err(|_| wrong_type("label", "a str", label))?),
            None => None,
        };
        let function: Py<PyAny> = sign.clone().unbind();
        let name: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let named = Arc::clone(&name);
        let callback = CallbackSigner::new(public, move |digest: &[u8; 32]| {
            call_back(&function, digest, named.get().map_or("callback", String::as_str))
        });
        let callback = match label {
            Some(label) => callback.with_label(label),
            None => callback,
        };
        let _ = name.set(callback.label());
        Ok(PySigner { signer: Arc::new(callback) })
    }

    /// What the signer is: `"in-memory"`, `"pkcs11"`, `"aws-kms"`, `"callback"` or `"other"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.signer.kind().name()
    }

    /// A name for the key (a URI without its PIN, a KMS key id, a thumbprint); never a secret.
    #[getter]
    fn label(&self) -> String {
        shown_label(&*self.signer)
    }

    /// The public key every signature verifies under.
    fn public_key(&self) -> PyPublicKey {
        PyPublicKey { key: self.signer.public_key().clone() }
    }

    /// The modulus size in bits.
    #[getter]
    fn bits(&self) -> u32 {
        self.signer.public_key().bits()
    }

    fn __repr__(&self) -> String {
        format!("<Signer kind='{}' label={:?}>", self.signer.kind().name(), shown_label(&*self.signer))
    }
}

/// The label as it may be shown: a `pin-value` a caller put in one is masked.
fn shown_label(signer: &dyn Signer) -> String {
    shown_key_spec(std::ffi::OsStr::new(&signer.label()))
}

thread_local! {
    /// The Python exception the last failing callback on this thread raised, with the message
    /// of the core error it became, so that the `TaapError` raised for it can carry it as its
    /// `__cause__` (the core calls the callback on the thread that asked for the token).
    static RAISED: RefCell<Option<(String, PyErr)>> = const { RefCell::new(None) };
}

/// One call of the Python function, with the GIL taken (the core calls it without).
fn call_back(function: &Py<PyAny>, digest: &[u8; 32], label: &str) -> taap::Result<Vec<u8>> {
    Python::attach(|py| {
        let answer = match function.bind(py).call1((PyBytes::new(py, digest),)) {
            Ok(answer) => answer,
            Err(raised) => {
                let class = raised
                    .get_type(py)
                    .name()
                    .map_or_else(|_| "an exception".to_owned(), |name| name.to_string());
                let error = Error::Transport(format!(
                    "the callback signer ({}) raised {class}; no token was made with it (the \
                     exception is this error's __cause__)",
                    taap_shorten(label)
                ));
                RAISED.with(|slot| *slot.borrow_mut() = Some((error.to_string(), raised)));
                return Err(error);
            }
        };
        if let Ok(bytes) = answer.cast::<PyBytes>() {
            return Ok(bytes.as_bytes().to_vec());
        }
        if let Ok(bytes) = answer.cast::<PyByteArray>() {
            return Ok(bytes.to_vec());
        }
        let found =
            answer.get_type().name().map_or_else(|_| "an unknown type".to_owned(), |name| name.to_string());
        Err(Error::SignatureInvalid(format!(
            "the callback signer ({}) returned {found}, not bytes; no token was made with it",
            taap_shorten(label)
        )))
    })
}

/// A label cut to 200 characters, as the core cuts it in its own messages.
fn taap_shorten(label: &str) -> String {
    let shown = shown_key_spec(std::ffi::OsStr::new(label));
    match shown.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &shown[..end]),
        None => shown,
    }
}

/// The exception a callback raised for the core error `message`, if that is where it came from.
pub fn raised_by_callback(message: &str) -> Option<PyErr> {
    RAISED.with(|slot| {
        let mut slot = slot.borrow_mut();
        match slot.as_ref() {
            Some((stored, _)) if stored == message => slot.take().map(|(_, raised)| raised),
            _ => None,
        }
    })
}
