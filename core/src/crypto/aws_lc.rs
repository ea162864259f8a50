//! The AWS-LC backend (aws-lc-rs): assembly Montgomery multiplication, the fast default.

use aws_lc_rs::digest::{Context, SHA256};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use zeroize::Zeroizing;

use crate::error::Result;

/// A streaming SHA-256; cloning forks the running state.
#[derive(Clone)]
pub(crate) struct Sha256(Context);

impl Sha256 {
    pub(crate) fn new() -> Self {
        Sha256(Context::new(&SHA256))
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub(crate) fn finish(self) -> [u8; 32] {
        let mut out = [0; 32];
        out.copy_from_slice(self.0.finish().as_ref());
        out
    }
}

/// An RSA private key held by AWS-LC, which cleanses it when dropped.
pub(crate) struct SigningKey(KeyPair);

impl SigningKey {
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        KeyPair::from_pkcs8(der).map(SigningKey).map_err(|_| super::private_key_rejected())
    }

    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        KeyPair::from_der(der).map(SigningKey).map_err(|_| super::private_key_rejected())
    }

    /// `bits` is one of the sizes `keys` accepts for generation.
    pub(crate) fn generate(bits: u32) -> Result<Self> {
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            _ => return Err(super::generation_failed()),
        };
        KeyPair::generate(size).map(SigningKey).map_err(|_| super::generation_failed())
    }

    /// RSASSA-PKCS1-v1_5 + SHA-256 over `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0; self.0.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.0.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature).map_err(|_| super::signing_failed())?;
        Ok(signature)
    }

    /// The big-endian modulus and public exponent.
    pub(crate) fn public_components(&self) -> (Vec<u8>, Vec<u8>) {
        let public = self.0.public_key();
        let modulus = public.modulus().big_endian_without_leading_zero().to_vec();
        let exponent = public.exponent().big_endian_without_leading_zero().to_vec();
        (modulus, exponent)
    }

    /// The key as unencrypted PKCS#8 DER.
    pub(crate) fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        let der = self.0.as_der().expect("a loaded RSA key always serialises");
        Zeroizing::new(der.as_ref().to_vec())
    }
}

/// An RSA public key parsed by AWS-LC for RS256 verification.
#[derive(Clone)]
pub(crate) struct Verifier(ParsedPublicKey);

impl Verifier {
    /// `modulus` and `exponent` are big-endian and already range-checked by `keys`.
    pub(crate) fn from_components(modulus: &[u8], exponent: &[u8]) -> Result<Self> {
        let pkcs1 = crate::keys::encode_pkcs1(modulus, exponent)?;
        ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &pkcs1)
            .map(Verifier)
            .map_err(|rejected| super::public_key_rejected(&rejected.to_string()))
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verify_sig(message, signature).is_ok()
    }
}

/// Fills `bytes` from the OS; false if the OS refused.
#[cfg(any(feature = "client", feature = "pkcs11"))]
pub(crate) fn fill_random(bytes: &mut [u8]) -> bool {
    aws_lc_rs::rand::fill(bytes).is_ok()
}
