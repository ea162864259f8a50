//! `PrivateKey` and `PublicKey` objects: parsed once in the core, shared across JVM threads.

use std::sync::Arc;

use crate::error::FfiResult;

/// A parsed RSA private key; the JVM holds it through an `Arc`, so threads share it freely.
#[derive(uniffi::Object)]
pub struct FfiPrivateKey {
    pub(crate) inner: Arc<taap::PrivateKey>,
}

fn password_bytes(password: &Option<String>) -> Option<&[u8]> {
    password.as_deref().map(str::as_bytes)
}

impl From<taap::PrivateKey> for FfiPrivateKey {
    fn from(key: taap::PrivateKey) -> Self {
        FfiPrivateKey { inner: Arc::new(key) }
    }
}

#[uniffi::export]
impl FfiPrivateKey {
    /// Loads PKCS#8, encrypted PKCS#8 or PKCS#1 PEM.
    #[uniffi::constructor]
    pub fn from_pem(pem: String, password: Option<String>) -> FfiResult<Self> {
        Ok(taap::PrivateKey::from_pem(pem, password_bytes(&password))?.into())
    }

    /// Loads PKCS#8, encrypted PKCS#8 or PKCS#1 DER.
    #[uniffi::constructor]
    pub fn from_der(der: Vec<u8>, password: Option<String>) -> FfiResult<Self> {
        Ok(taap::PrivateKey::from_der(&der, password_bytes(&password))?.into())
    }

    /// Loads a PEM or DER key file.
    #[uniffi::constructor]
    pub fn from_file(path: String, password: Option<String>) -> FfiResult<Self> {
        Ok(taap::PrivateKey::from_file(path, password_bytes(&password))?.into())
    }

    /// Generates a new key pair.
    #[uniffi::constructor]
    pub fn generate(bits: u32) -> FfiResult<Self> {
        Ok(taap::PrivateKey::generate(bits)?.into())
    }

    /// The matching public key.
    pub fn public_key(&self) -> Arc<FfiPublicKey> {
        Arc::new(FfiPublicKey { inner: self.inner.public_key().clone() })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> u32 {
        self.inner.bits()
    }

    /// Unencrypted PKCS#8 PEM (a secret: the caller decides where it goes).
    pub fn to_pem(&self) -> String {
        self.inner.to_pem().as_str().to_owned()
    }
}

/// A parsed RSA public key.
#[derive(uniffi::Object)]
pub struct FfiPublicKey {
    pub(crate) inner: taap::PublicKey,
}

impl From<taap::PublicKey> for FfiPublicKey {
    fn from(key: taap::PublicKey) -> Self {
        FfiPublicKey { inner: key }
    }
}

#[uniffi::export]
impl FfiPublicKey {
    /// Loads SPKI or PKCS#1 PEM.
    #[uniffi::constructor]
    pub fn from_pem(pem: String) -> FfiResult<Self> {
        Ok(taap::PublicKey::from_pem(pem)?.into())
    }

    /// Loads SPKI or PKCS#1 DER.
    #[uniffi::constructor]
    pub fn from_der(der: Vec<u8>) -> FfiResult<Self> {
        Ok(taap::PublicKey::from_der(&der)?.into())
    }

    /// Loads an RSA JWK or a JWK set holding one RSA key.
    #[uniffi::constructor]
    pub fn from_jwk(jwk: String) -> FfiResult<Self> {
        Ok(taap::PublicKey::from_jwk(&jwk)?.into())
    }

    /// Loads a PEM, DER or JWK file.
    #[uniffi::constructor]
    pub fn from_file(path: String) -> FfiResult<Self> {
        Ok(taap::PublicKey::from_file(path)?.into())
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> u32 {
        self.inner.bits()
    }

    /// SPKI PEM.
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// The JWK as JSON text.
    pub fn to_jwk(&self) -> String {
        self.inner.to_jwk()
    }

    /// The RFC 7638 thumbprint.
    pub fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// Whether both hold the same key.
    pub fn same_key(&self, other: &FfiPublicKey) -> bool {
        self.inner == other.inner
    }
}
