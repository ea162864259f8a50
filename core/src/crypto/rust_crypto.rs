//! The pure-Rust backend: `rsa` 0.10 (constant-time crypto-bigint arithmetic) and `sha2`.
//! No C, so it builds for wasm32-unknown-unknown and bare targets.

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier as _};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use sha2::Digest;
use zeroize::Zeroizing;

use crate::error::Result;

type Pkcs1v15Signer = rsa::pkcs1v15::SigningKey<sha2::Sha256>;
type Pkcs1v15Verifier = rsa::pkcs1v15::VerifyingKey<sha2::Sha256>;

/// A streaming SHA-256; cloning forks the running state.
#[derive(Clone)]
pub(crate) struct Sha256(sha2::Sha256);

impl Sha256 {
    pub(crate) fn new() -> Self {
        Sha256(sha2::Sha256::new())
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }

    pub(crate) fn finish(self) -> [u8; 32] {
        let mut out = [0; 32];
        out.copy_from_slice(&self.0.finalize());
        out
    }
}

/// An RSA private key; `rsa` zeroises the private exponent, primes and CRT values on drop.
pub(crate) struct SigningKey(Pkcs1v15Signer);

impl SigningKey {
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        RsaPrivateKey::from_pkcs8_der(der).map(Self::checked).map_err(|_| inconsistent())?
    }

    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        RsaPrivateKey::from_pkcs1_der(der).map(Self::checked).map_err(|_| inconsistent())?
    }

    /// `bits` is one of the sizes `keys` accepts for generation.
    pub(crate) fn generate(bits: u32) -> Result<Self> {
        let bits = usize::try_from(bits).map_err(|_| super::generation_failed())?;
        let key = RsaPrivateKey::new(&mut getrandom::SysRng, bits).map_err(|_| super::generation_failed())?;
        Ok(SigningKey(Pkcs1v15Signer::new(key)))
    }

    /// Decoding already ran `validate` (the primes multiply to `n` and match `d`).
    fn checked(key: RsaPrivateKey) -> Result<Self> {
        Ok(SigningKey(Pkcs1v15Signer::new(key)))
    }

    /// RSASSA-PKCS1-v1_5 + SHA-256 over `message`, blinded with OS randomness.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let signature = self.0.try_sign(message).map_err(|_| super::signing_failed())?;
        Ok(signature.to_vec())
    }

    /// The big-endian modulus and public exponent.
    pub(crate) fn public_components(&self) -> (Vec<u8>, Vec<u8>) {
        let key: &RsaPrivateKey = self.0.as_ref();
        (key.n_bytes().into_vec(), key.e_bytes().into_vec())
    }

    /// The key as unencrypted PKCS#8 DER.
    pub(crate) fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        let key: &RsaPrivateKey = self.0.as_ref();
        let document = key.to_pkcs8_der().expect("a loaded RSA key always serialises");
        Zeroizing::new(document.as_bytes().to_vec())
    }
}

fn inconsistent() -> crate::Error {
    super::private_key_rejected("InconsistentComponents")
}

/// An RSA public key for RS256 verification.
#[derive(Clone)]
pub(crate) struct Verifier(Pkcs1v15Verifier);

impl Verifier {
    /// `modulus` and `exponent` are big-endian and already range-checked by `keys`.
    pub(crate) fn from_components(modulus: &[u8], exponent: &[u8]) -> Result<Self> {
        let bits = |bytes: &[u8]| u32::try_from(bytes.len() * 8).unwrap_or(u32::MAX);
        let invalid = || super::public_key_rejected("InvalidEncoding");
        let n = BoxedUint::from_be_slice(modulus, bits(modulus)).map_err(|_| invalid())?;
        let e = BoxedUint::from_be_slice(exponent, bits(exponent)).map_err(|_| invalid())?;
        let key = RsaPublicKey::new(n, e).map_err(|_| invalid())?;
        Ok(Verifier(Pkcs1v15Verifier::new(key)))
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match rsa::pkcs1v15::Signature::try_from(signature) {
            Ok(signature) => self.0.verify(message, &signature).is_ok(),
            Err(_) => false,
        }
    }
}

/// Fills `bytes` from the OS (on wasm, the host's `crypto.getRandomValues`); false if refused.
#[cfg(feature = "client")]
pub(crate) fn fill_random(bytes: &mut [u8]) -> bool {
    getrandom::fill(bytes).is_ok()
}
