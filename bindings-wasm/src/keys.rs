//! `PrivateKey` and `PublicKey` handles, parsed once in the core. Dropping a private key
//! (JavaScript's `free()`) wipes its secret numbers: the core zeroises them on drop.

use std::sync::Arc;

use wasm_bindgen::prelude::wasm_bindgen;

use crate::error::{to_js, Failure};

/// A parsed RSA private key; `Arc` because the core's cache of PEM-loaded keys shares them.
#[wasm_bindgen]
pub struct PrivateKeyHandle {
    pub(crate) inner: Arc<taap::PrivateKey>,
}

impl From<taap::PrivateKey> for PrivateKeyHandle {
    fn from(key: taap::PrivateKey) -> Self {
        PrivateKeyHandle { inner: Arc::new(key) }
    }
}

#[wasm_bindgen]
impl PrivateKeyHandle {
    /// Loads PKCS#8, encrypted PKCS#8 or PKCS#1 PEM.
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(pem: &[u8], password: Option<Vec<u8>>) -> Result<PrivateKeyHandle, Failure> {
        taap::PrivateKey::from_pem(pem, password.as_deref()).map(Self::from).map_err(to_js)
    }

    /// Loads PKCS#8, encrypted PKCS#8 or PKCS#1 DER.
    #[wasm_bindgen(js_name = fromDer)]
    pub fn from_der(der: &[u8], password: Option<Vec<u8>>) -> Result<PrivateKeyHandle, Failure> {
        taap::PrivateKey::from_der(der, password.as_deref()).map(Self::from).map_err(to_js)
    }

    /// Loads unencrypted PEM or DER through the core's bounded cache of parsed keys, for
    /// callers that hand a PEM string to every `build`.
    pub fn cached(bytes: &[u8]) -> Result<PrivateKeyHandle, Failure> {
        let inner = taap::PrivateKey::from_bytes_cached(bytes, None).map_err(to_js)?;
        Ok(PrivateKeyHandle { inner })
    }

    /// Generates a new key pair (randomness from `crypto.getRandomValues`).
    pub fn generate(bits: u32) -> Result<PrivateKeyHandle, Failure> {
        taap::PrivateKey::generate(bits).map(Self::from).map_err(to_js)
    }

    /// The matching public key.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> PublicKeyHandle {
        PublicKeyHandle { inner: self.inner.public_key().clone() }
    }

    /// The modulus size in bits.
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> u32 {
        self.inner.bits()
    }

    /// Unencrypted PKCS#8 PEM.
    #[wasm_bindgen(js_name = toPem)]
    pub fn to_pem(&self) -> String {
        self.inner.to_pem().as_str().to_owned()
    }

    /// Unencrypted PKCS#8 DER (also what WebCrypto's `importKey('pkcs8', …)` takes).
    #[wasm_bindgen(js_name = toDer)]
    pub fn to_der(&self) -> Vec<u8> {
        self.inner.to_der().to_vec()
    }
}

/// A parsed RSA public key.
#[wasm_bindgen]
pub struct PublicKeyHandle {
    pub(crate) inner: taap::PublicKey,
}

impl From<taap::PublicKey> for PublicKeyHandle {
    fn from(inner: taap::PublicKey) -> Self {
        PublicKeyHandle { inner }
    }
}

#[wasm_bindgen]
impl PublicKeyHandle {
    /// Loads SPKI or PKCS#1 PEM.
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(pem: &[u8]) -> Result<PublicKeyHandle, Failure> {
        taap::PublicKey::from_pem(pem).map(Self::from).map_err(to_js)
    }

    /// Loads SPKI or PKCS#1 DER.
    #[wasm_bindgen(js_name = fromDer)]
    pub fn from_der(der: &[u8]) -> Result<PublicKeyHandle, Failure> {
        taap::PublicKey::from_der(der).map(Self::from).map_err(to_js)
    }

    /// Loads an RSA JWK or a JWK set holding one RSA key, as JSON text.
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(jwk: &str) -> Result<PublicKeyHandle, Failure> {
        taap::PublicKey::from_jwk(jwk).map(Self::from).map_err(to_js)
    }

    /// The modulus size in bits.
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> u32 {
        self.inner.bits()
    }

    /// SPKI PEM.
    #[wasm_bindgen(js_name = toPem)]
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// PKCS#1 PEM.
    #[wasm_bindgen(js_name = toPkcs1Pem)]
    pub fn to_pkcs1_pem(&self) -> String {
        self.inner.to_pkcs1_pem()
    }

    /// SPKI DER.
    #[wasm_bindgen(js_name = toDer)]
    pub fn to_der(&self) -> Vec<u8> {
        self.inner.to_der()
    }

    /// The public JWK as JSON text.
    #[wasm_bindgen(js_name = toJwk)]
    pub fn to_jwk(&self) -> String {
        self.inner.to_jwk()
    }

    /// The RFC 7638 thumbprint.
    pub fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// Whether both handles hold the same key.
    pub fn equals(&self, other: &PublicKeyHandle) -> bool {
        self.inner == other.inner
    }
}
