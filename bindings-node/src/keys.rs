//! `PrivateKey` and `PublicKey` handles: parsed once in the core, shared with worker threads.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Env, Uint8Array};
use napi::Task;
use napi_derive::napi;

use crate::bytes::{as_bytes, BytesArg};
use crate::error::{rejection, to_js, Failure};

/// A parsed RSA private key; `Arc` so `buildAsync` can sign on the libuv pool.
#[napi]
pub struct PrivateKeyHandle {
    pub(crate) inner: Arc<taap::PrivateKey>,
}

fn password_bytes(password: &Option<BytesArg>) -> Option<&[u8]> {
    password.as_ref().map(as_bytes)
}

impl From<taap::PrivateKey> for PrivateKeyHandle {
    fn from(key: taap::PrivateKey) -> Self {
        PrivateKeyHandle { inner: Arc::new(key) }
    }
}

#[napi]
impl PrivateKeyHandle {
    /// Loads PKCS#8, encrypted PKCS#8 or PKCS#1 PEM.
    #[napi(factory)]
    pub fn from_pem(pem: BytesArg, password: Option<BytesArg>) -> Result<Self, Failure> {
        taap::PrivateKey::from_pem(as_bytes(&pem), password_bytes(&password)).map(Self::from).map_err(to_js)
    }

    /// Loads PKCS#8, encrypted PKCS#8 or PKCS#1 DER.
    #[napi(factory)]
    pub fn from_der(der: Uint8Array, password: Option<BytesArg>) -> Result<Self, Failure> {
        taap::PrivateKey::from_der(&der, password_bytes(&password)).map(Self::from).map_err(to_js)
    }

    /// Loads a PEM or DER key file.
    #[napi(factory)]
    pub fn from_file(path: String, password: Option<BytesArg>) -> Result<Self, Failure> {
        taap::PrivateKey::from_file(path, password_bytes(&password)).map(Self::from).map_err(to_js)
    }

    /// Loads unencrypted PEM or DER through the core's bounded cache of parsed keys, for
    /// callers that hand a PEM string to every `build`.
    #[napi(factory)]
    pub fn cached(bytes: BytesArg) -> Result<Self, Failure> {
        let inner = taap::PrivateKey::from_bytes_cached(as_bytes(&bytes), None).map_err(to_js)?;
        Ok(PrivateKeyHandle { inner })
    }

    /// Generates a new key pair on the calling thread.
    #[napi(factory)]
    pub fn generate(bits: u32) -> Result<Self, Failure> {
        taap::PrivateKey::generate(bits).map(Self::from).map_err(to_js)
    }

    /// Generates a new key pair on the libuv pool (4096-bit keys take a while).
    #[napi(ts_return_type = "Promise<PrivateKeyHandle>")]
    pub fn generate_async(bits: u32) -> AsyncTask<GenerateKey> {
        AsyncTask::new(GenerateKey { bits })
    }

    /// The matching public key.
    #[napi]
    pub fn public_key(&self) -> PublicKeyHandle {
        PublicKeyHandle { inner: self.inner.public_key().clone() }
    }

    /// The modulus size in bits.
    #[napi(getter)]
    pub fn bits(&self) -> u32 {
        self.inner.bits()
    }

    /// Unencrypted PKCS#8 PEM.
    #[napi]
    pub fn to_pem(&self) -> String {
        self.inner.to_pem().as_str().to_owned()
    }

    /// Unencrypted PKCS#8 DER.
    #[napi]
    pub fn to_der(&self) -> Buffer {
        Buffer::from(self.inner.to_der().as_slice())
    }
}

/// Key generation off the main thread.
pub struct GenerateKey {
    bits: u32,
}

impl Task for GenerateKey {
    type Output = Result<taap::PrivateKey, taap::Error>;
    type JsValue = PrivateKeyHandle;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(taap::PrivateKey::generate(self.bits))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map(PrivateKeyHandle::from).map_err(|error| rejection(env, error))
    }
}

/// A parsed RSA public key.
#[napi]
pub struct PublicKeyHandle {
    pub(crate) inner: taap::PublicKey,
}

impl From<taap::PublicKey> for PublicKeyHandle {
    fn from(key: taap::PublicKey) -> Self {
        PublicKeyHandle { inner: key }
    }
}

#[napi]
impl PublicKeyHandle {
    /// Loads SPKI or PKCS#1 PEM.
    #[napi(factory)]
    pub fn from_pem(pem: BytesArg) -> Result<Self, Failure> {
        taap::PublicKey::from_pem(as_bytes(&pem)).map(Self::from).map_err(to_js)
    }

    /// Loads SPKI or PKCS#1 DER.
    #[napi(factory)]
    pub fn from_der(der: Uint8Array) -> Result<Self, Failure> {
        taap::PublicKey::from_der(&der).map(Self::from).map_err(to_js)
    }

    /// Loads an RSA JWK or a JWK set holding one RSA key.
    #[napi(factory)]
    pub fn from_jwk(jwk: String) -> Result<Self, Failure> {
        taap::PublicKey::from_jwk(&jwk).map(Self::from).map_err(to_js)
    }

    /// Loads a PEM, DER or JWK file.
    #[napi(factory)]
    pub fn from_file(path: String) -> Result<Self, Failure> {
        taap::PublicKey::from_file(path).map(Self::from).map_err(to_js)
    }

    /// The modulus size in bits.
    #[napi(getter)]
    pub fn bits(&self) -> u32 {
        self.inner.bits()
    }

    /// SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    #[napi]
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`).
    #[napi]
    pub fn to_pkcs1_pem(&self) -> String {
        self.inner.to_pkcs1_pem()
    }

    /// SPKI DER.
    #[napi]
    pub fn to_der(&self) -> Buffer {
        Buffer::from(self.inner.to_der())
    }

    /// The JWK as JSON text.
    #[napi]
    pub fn to_jwk(&self) -> String {
        self.inner.to_jwk()
    }

    /// The RFC 7638 thumbprint.
    #[napi]
    pub fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// Whether both handles hold the same key.
    #[napi]
    pub fn equals(&self, other: &PublicKeyHandle) -> bool {
        self.inner == other.inner
    }
}
