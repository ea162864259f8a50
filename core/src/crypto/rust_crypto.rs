//! The pure-Rust backend: `rsa` 0.10 (constant-time crypto-bigint arithmetic) and `sha2`.
//! No C, so it builds for wasm32-unknown-unknown and bare targets.

use pkcs8::der::Decode;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::EncodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, PrivateKey as RsaPrivateKey, PublicKey as RsaPublicKey};
use sha2::Digest;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use crate::error::Result;
#[cfg(not(feature = "std"))]
use crate::prelude::*;

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
    /// `der` is a PKCS#8 `PrivateKeyInfo` whose algorithm `keys` has checked is RSA.
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| super::private_key_rejected())?;
        Self::from_pkcs1_der(info.private_key.as_bytes())
    }

    /// Decoding runs `rsa`'s `validate` (the primes multiply to `n` and match `d`).
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let key = RsaPrivateKey::from_pkcs1_der(der).map_err(|_| super::private_key_rejected())?;
        if !stored_crt_values_match(&key, der) {
            return Err(super::private_key_rejected());
        }
        Ok(SigningKey(Pkcs1v15Signer::new(key)))
    }

    /// `bits` is one of the sizes `keys` accepts for generation.
    #[cfg(feature = "std")]
    pub(crate) fn generate(bits: u32) -> Result<Self> {
        let bits = usize::try_from(bits).map_err(|_| super::generation_failed())?;
        let key = RsaPrivateKey::new(&mut getrandom::SysRng, bits).map_err(|_| super::generation_failed())?;
        Ok(SigningKey(Pkcs1v15Signer::new(key)))
    }

    /// RSASSA-PKCS1-v1_5 + SHA-256 over `message`; with `std`, blinded with OS randomness.
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

/// AWS-LC refuses a key whose stored CRT values (dP, dQ, qInv) do not match its primes; `rsa`
/// ignores them and computes its own. Comparing them here makes both backends accept the same
/// keys. The comparison is constant-time and every secret copy is wiped.
fn stored_crt_values_match(key: &RsaPrivateKey, pkcs1_der: &[u8]) -> bool {
    let Ok(stored) = pkcs1::RsaPrivateKeyRef::from_der(pkcs1_der) else { return false };
    let (Some(dp), Some(dq), Some(qinv)) = (key.dp(), key.dq(), key.qinv()) else { return false };
    let mut qinv = qinv.retrieve();
    let computed = [
        Zeroizing::new(dp.to_be_bytes()),
        Zeroizing::new(dq.to_be_bytes()),
        Zeroizing::new(qinv.to_be_bytes()),
    ];
    qinv.zeroize();
    let stored = [stored.exponent1.as_bytes(), stored.exponent2.as_bytes(), stored.coefficient.as_bytes()];
    let all = computed
        .iter()
        .zip(stored)
        .fold(Choice::from(1), |all, (computed, stored)| all & without_leading_zeros(computed).ct_eq(stored));
    all.into()
}

/// DER integers carry no leading zeros; the limbs are zero-padded to the key's width.
fn without_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&byte| byte != 0).unwrap_or(bytes.len());
    &bytes[first..]
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
        use rsa::signature::Verifier as _;
        match rsa::pkcs1v15::Signature::try_from(signature) {
            Ok(signature) => self.0.verify(message, &signature).is_ok(),
            Err(_) => false,
        }
    }
}

/// Fills `bytes` from the OS (on wasm, the host's `crypto.getRandomValues`); false if refused.
#[cfg(any(feature = "client", feature = "pkcs11"))]
pub(crate) fn fill_random(bytes: &mut [u8]) -> bool {
    getrandom::fill(bytes).is_ok()
}
