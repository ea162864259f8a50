//! `Taap\PrivateKey` and `Taap\PublicKey`. Neither has PHP properties, so `var_dump`,
//! `print_r` and `var_export` show no key material, and both refuse `serialize`.

use std::sync::Arc;

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;

use crate::errors::guard;

/// An RSA private key, parsed once; shared by every token built with it.
#[php_class]
#[php(name = "Taap\\PrivateKey")]
pub struct PrivateKey {
    /// The parsed key; the client shares it without copying the secret.
    pub inner: Arc<taap::PrivateKey>,
}

#[php_impl]
impl PrivateKey {
    /// Loads PKCS#8 (optionally encrypted), PKCS#1 PEM or DER from a file.
    pub fn from_file(path: &str, password: Option<BinarySlice<u8>>) -> PhpResult<Self> {
        guard(|| taap::PrivateKey::from_file(path, password.as_deref().copied())).map(Self::wrap)
    }

    /// Parses a PEM (or DER) private key; `password` decrypts an encrypted PKCS#8 key.
    /// PHP objects die with each request while the process serves many, so the parsed key comes
    /// from the core's bounded per-process cache (keyed by a digest of PEM and password).
    pub fn from_pem(pem: BinarySlice<u8>, password: Option<BinarySlice<u8>>) -> PhpResult<Self> {
        guard(|| taap::PrivateKey::from_bytes_cached(&pem, password.as_deref().copied()))
            .map(|inner| PrivateKey { inner })
    }

    /// Drops every key `fromPem` cached (keys still referenced stay usable), e.g. after a
    /// key rotation.
    pub fn clear_cache() {
        taap::PrivateKey::clear_cache();
    }

    /// A fresh key of `bits` (2048 by default, as T-Mobile's docs generate).
    #[php(defaults(bits = 2048))]
    pub fn generate(bits: i64) -> PhpResult<Self> {
        guard(|| {
            let bits = u32::try_from(bits).map_err(|_| crate::errors::config("bits must be 2048 to 8192"))?;
            taap::PrivateKey::generate(bits)
        })
        .map(Self::wrap)
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey { inner: self.inner.public_key().clone() }
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> i64 {
        i64::from(self.inner.bits())
    }

    /// The key as unencrypted PKCS#8 PEM: the secret itself, only on request.
    pub fn to_pem(&self) -> String {
        self.inner.to_pem().to_string()
    }
}

impl PrivateKey {
    fn wrap(key: taap::PrivateKey) -> Self {
        PrivateKey { inner: Arc::new(key) }
    }
}

/// An RSA public key (SPKI or PKCS#1 PEM, or a JWK), for validating PoP tokens.
#[php_class]
#[php(name = "Taap\\PublicKey")]
pub struct PublicKey {
    /// The parsed key.
    pub inner: taap::PublicKey,
}

#[php_impl]
impl PublicKey {
    /// Parses an SPKI or PKCS#1 PEM public key.
    pub fn from_pem(pem: BinarySlice<u8>) -> PhpResult<Self> {
        guard(|| taap::PublicKey::from_pem(*pem)).map(|inner| PublicKey { inner })
    }

    /// Parses an RSA JWK (JSON text).
    pub fn from_jwk(jwk: &str) -> PhpResult<Self> {
        guard(|| taap::PublicKey::from_jwk(jwk)).map(|inner| PublicKey { inner })
    }

    /// Loads a PEM or DER public key from a file.
    pub fn from_file(path: &str) -> PhpResult<Self> {
        guard(|| taap::PublicKey::from_file(path)).map(|inner| PublicKey { inner })
    }

    /// The key as SPKI PEM.
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// The key as a JWK (JSON text).
    pub fn to_jwk(&self) -> String {
        self.inner.to_jwk()
    }

    /// The RFC 7638 thumbprint: a non-secret key id.
    pub fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> i64 {
        i64::from(self.inner.bits())
    }
}
