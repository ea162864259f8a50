//! `taap.PrivateKey` and `taap.PublicKey`: parsed once, shared freely between threads.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use zeroize::Zeroizing;

use crate::convert::{password, secret_bytes, Value};
use crate::errors::{wrong_type, OrRaise};
use crate::signer::PySigner;

/// An RSA private key, parsed once and reusable for any number of tokens from any thread.
#[pyclass(module = "taap", name = "PrivateKey", frozen)]
pub struct PyPrivateKey {
    pub(crate) key: Arc<taap::PrivateKey>,
}

#[pymethods]
impl PyPrivateKey {
    /// Load a PKCS#8, encrypted PKCS#8 or PKCS#1 PEM private key.
    #[staticmethod]
    #[pyo3(signature = (pem, password = None))]
    fn from_pem(
        py: Python<'_>,
        pem: &Bound<'_, PyAny>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let pem = secret_bytes(pem, "pem")?;
        let password = self::password(password)?;
        load(py, move || taap::PrivateKey::from_pem(&*pem, password.as_deref().map(Vec::as_slice)))
    }

    /// Load a PKCS#8, encrypted PKCS#8 or PKCS#1 DER private key.
    #[staticmethod]
    #[pyo3(signature = (der, password = None))]
    fn from_der(
        py: Python<'_>,
        der: &Bound<'_, PyAny>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let der = der_bytes(der)?;
        let password = self::password(password)?;
        load(py, move || taap::PrivateKey::from_der(&der, password.as_deref().map(Vec::as_slice)))
    }

    /// Load a private key from a PEM or DER file.
    #[staticmethod]
    #[pyo3(signature = (path, password = None))]
    fn from_file(py: Python<'_>, path: PathBuf, password: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let password = self::password(password)?;
        load(py, move || taap::PrivateKey::from_file(&path, password.as_deref().map(Vec::as_slice)))
    }

    /// Generate a new RSA key pair of 2048 (default), 3072, 4096 or 8192 bits.
    #[staticmethod]
    #[pyo3(signature = (bits = None), text_signature = "(bits=2048)")]
    fn generate(py: Python<'_>, bits: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let bits = crate::convert::optional_integer(py, bits, "bits")?.unwrap_or(2048);
        let bits = u32::try_from(bits).unwrap_or(0);
        load(py, move || taap::PrivateKey::generate(bits))
    }

    /// The matching public key.
    fn public_key(&self) -> PyPublicKey {
        PyPublicKey { key: self.key.public_key().clone() }
    }

    /// The modulus size in bits.
    #[getter]
    fn bits(&self) -> u32 {
        self.key.bits()
    }

    /// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    fn to_pem(&self) -> String {
        self.key.to_pem().as_str().to_owned()
    }

    /// The key as unencrypted PKCS#8 DER.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.key.to_der())
    }

    fn __repr__(&self) -> String {
        format!(
            "<PrivateKey bits={} public_thumbprint='{}'>",
            self.key.bits(),
            self.key.public_key().thumbprint()
        )
    }
}

/// Runs a key-loading step without the GIL: KDFs and RSA checks take milliseconds.
fn load<F>(py: Python<'_>, step: F) -> PyResult<PyPrivateKey>
where
    F: FnOnce() -> taap::Result<taap::PrivateKey> + Send,
{
    let key = py.detach(step).or_raise(py)?;
    Ok(PyPrivateKey { key: Arc::new(key) })
}

fn der_bytes(der: &Bound<'_, PyAny>) -> PyResult<Zeroizing<Vec<u8>>> {
    if der.is_instance_of::<PyString>() {
        return Err(wrong_type("der", "bytes", der));
    }
    secret_bytes(der, "der")
}

/// An RSA public key (PEM SPKI or PKCS#1, DER, JWK); verifies PoP token signatures.
#[pyclass(module = "taap", name = "PublicKey", frozen)]
pub struct PyPublicKey {
    pub(crate) key: taap::PublicKey,
}

#[pymethods]
impl PyPublicKey {
    /// Load an SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`) PEM public key.
    #[staticmethod]
    fn from_pem(py: Python<'_>, pem: &Bound<'_, PyAny>) -> PyResult<Self> {
        let pem = crate::convert::value(py, pem, || "pem".to_owned())?;
        wrap(py, taap::PublicKey::from_pem(pem.as_ref()))
    }

    /// Load an SPKI or PKCS#1 DER public key.
    #[staticmethod]
    fn from_der(py: Python<'_>, der: &Bound<'_, PyAny>) -> PyResult<Self> {
        if der.is_instance_of::<PyString>() {
            return Err(wrong_type("der", "bytes", der));
        }
        let der = crate::convert::value(py, der, || "der".to_owned())?;
        wrap(py, taap::PublicKey::from_der(der.as_ref()))
    }

    /// Load an RSA JWK, or a JWK set holding one RSA key, from JSON text or a dict.
    #[staticmethod]
    fn from_jwk(py: Python<'_>, jwk: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text: String = if jwk.is_instance_of::<PyDict>() {
            py.import("json")?.call_method1("dumps", (jwk,))?.extract()?
        } else {
            let value = crate::convert::value(py, jwk, || "jwk".to_owned())
                .map_err(|_| wrong_type("jwk", "str, bytes or dict", jwk))?;
            String::from_utf8_lossy(value.as_ref()).into_owned()
        };
        wrap(py, taap::PublicKey::from_jwk(&text))
    }

    /// Load a public key from a file holding PEM, DER or a JWK.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        wrap(py, taap::PublicKey::from_file(path))
    }

    /// The modulus size in bits.
    #[getter]
    fn bits(&self) -> u32 {
        self.key.bits()
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url): a stable, non-secret key id.
    #[getter]
    fn thumbprint(&self) -> String {
        self.key.thumbprint()
    }

    /// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as T-Mobile registers it.
    fn to_pem(&self) -> String {
        self.key.to_pem()
    }

    /// The key as PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`).
    fn to_pkcs1_pem(&self) -> String {
        self.key.to_pkcs1_pem()
    }

    /// The key as SPKI DER.
    fn to_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.key.to_der())
    }

    /// The key as a JWK dict: `kty`, `n`, `e`, `alg`, `use` and a thumbprint `kid`.
    fn to_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (self.key.to_jwk(),))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyPublicKey>().is_ok_and(|other| other.get().key == self.key)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.key.modulus().hash(&mut hasher);
        self.key.exponent().hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        format!("<PublicKey bits={} thumbprint='{}'>", self.key.bits(), self.key.thumbprint())
    }
}

fn wrap(py: Python<'_>, loaded: taap::Result<taap::PublicKey>) -> PyResult<PyPublicKey> {
    Ok(PyPublicKey { key: loaded.or_raise(py)? })
}

/// The `key` argument of the signing functions: a loaded key, a signer, or PEM/DER handed per
/// call.
pub enum SigningKey {
    /// A `taap.PrivateKey`.
    Loaded(Arc<taap::PrivateKey>),
    /// A `taap.Signer` (a PKCS#11 or KMS key, a callback, a key file).
    Signer(Arc<dyn taap::keys::Signer>),
    /// PEM or DER bytes, parsed through the core's bounded cache of parsed keys.
    Encoded(Value, Option<Zeroizing<Vec<u8>>>),
}

impl SigningKey {
    /// Reads the `key` and `password` arguments; a password only makes sense with PEM/DER.
    pub fn extract(
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        password: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let password = self::password(password)?;
        if let Ok(loaded) = key.cast::<PyPrivateKey>() {
            if password.is_some() {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "password applies only when key is PEM or DER; this PrivateKey is already decrypted",
                ));
            }
            return Ok(SigningKey::Loaded(Arc::clone(&loaded.get().key)));
        }
        if let Ok(signer) = key.cast::<PySigner>() {
            if password.is_some() {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "password applies only when key is PEM or DER; give a Signer's password to Signer.from_uri",
                ));
            }
            return Ok(SigningKey::Signer(Arc::clone(&signer.get().signer)));
        }
        if key.is_instance_of::<PyString>() || key.is_instance_of::<PyBytes>() {
            let encoded = crate::convert::value(py, key, || "key".to_owned())?;
            return Ok(SigningKey::Encoded(encoded, password));
        }
        Err(wrong_type("key", "a PrivateKey, a Signer, or PEM as str or bytes", key))
    }

    /// The key as a signer; call without the GIL, as a first sight of PEM parses it (a
    /// callback signer takes the GIL back for each call of its function).
    pub fn resolve(&self) -> taap::Result<Arc<dyn taap::keys::Signer>> {
        match self {
            SigningKey::Loaded(key) => Ok(Arc::clone(key) as Arc<dyn taap::keys::Signer>),
            SigningKey::Signer(signer) => Ok(Arc::clone(signer)),
            SigningKey::Encoded(bytes, password) => {
                taap::PrivateKey::from_bytes_cached(bytes.as_ref(), password.as_deref().map(Vec::as_slice))
                    .map(|key| key as Arc<dyn taap::keys::Signer>)
            }
        }
    }
}
