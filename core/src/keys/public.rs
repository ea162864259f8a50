//! RSA public keys: SPKI and PKCS#1 PEM/DER, JWK; export to PEM and JWK.

use core::fmt;
#[cfg(feature = "std")]
use std::path::Path;

use pkcs1::der::asn1::{AnyRef, BitStringRef, UintRef};
use pkcs1::der::{Decode, Encode};
use pkcs1::RsaPublicKeyRef;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

#[cfg(feature = "std")]
use super::read_key_file;
use super::{algorithm_name, check_modulus_bits, RSA_ENCRYPTION_OID};
use crate::crypto::Verifier;
use crate::error::{shorten, Error, Result};
#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// An RSA public key, parsed once; verifies PoP token signatures.
#[derive(Clone)]
pub struct PublicKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
    /// Without `std` nothing verifies, so the key is only checked, not kept: RAM is scarce.
    #[cfg(feature = "std")]
    verifier: Verifier,
    /// Computed on first use: validators key their replay caches by it on every request.
    #[cfg(feature = "std")]
    thumbprint: std::sync::OnceLock<String>,
}

impl PublicKey {
    /// Loads a public key from PEM: SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Self> {
        let blocks = pem::parse_many(pem.as_ref())
            .map_err(|_| Error::InvalidKey("the PEM text is malformed".into()))?;
        if blocks.is_empty() {
            return Err(Error::InvalidKey("no PEM block found; expected -----BEGIN PUBLIC KEY-----".into()));
        }
        for block in &blocks {
            match block.tag() {
                "PUBLIC KEY" => return Self::from_spki_der(block.contents()),
                "RSA PUBLIC KEY" => return Self::from_pkcs1_der(block.contents()),
                _ => {}
            }
        }
        Err(Error::InvalidKey(public_key_expected(blocks[0].tag())))
    }

    /// Loads a public key from DER: SPKI or PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_spki_der(der).or_else(|spki_error| Self::from_pkcs1_der(der).map_err(|_| spki_error))
    }

    /// Loads a public key from a JWK (`{"kty":"RSA","n":…,"e":…}`) or a JWK set holding one
    /// RSA key. Padded base64url (as in T-Mobile's JWKs) and standard base64 are tolerated.
    pub fn from_jwk(jwk: &str) -> Result<Self> {
        let (modulus, exponent) = super::jwk::parse_rsa_jwk(jwk)?;
        Self::from_components(&modulus, &exponent)
    }

    /// Loads a public key from a file holding PEM, DER or a JWK.
    #[cfg(feature = "std")]
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let bytes = read_key_file(path.as_ref())?;
        let text = String::from_utf8_lossy(&bytes);
        if text.trim_start().starts_with('{') {
            Self::from_jwk(&text)
        } else if text.contains("-----BEGIN") {
            Self::from_pem(&bytes)
        } else {
            Self::from_der(&bytes)
        }
    }

    /// Builds a public key from its big-endian modulus `n` and exponent `e`.
    pub fn from_components(modulus: &[u8], exponent: &[u8]) -> Result<Self> {
        let modulus = strip_leading_zeros(modulus);
        let exponent = strip_leading_zeros(exponent);
        check_modulus_bits(modulus)?;
        if exponent.is_empty() || exponent.len() > 8 || modulus[modulus.len() - 1] & 1 == 0 {
            return Err(Error::InvalidKey("the RSA modulus or exponent is not valid".into()));
        }
        let verifier = Verifier::from_components(modulus, exponent)?;
        #[cfg(not(feature = "std"))]
        drop(verifier);
        Ok(PublicKey {
            modulus: modulus.to_vec(),
            exponent: exponent.to_vec(),
            #[cfg(feature = "std")]
            verifier,
            #[cfg(feature = "std")]
            thumbprint: std::sync::OnceLock::new(),
        })
    }

    fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| {
            Error::InvalidKey("not a valid SubjectPublicKeyInfo (PUBLIC KEY) structure".into())
        })?;
        if spki.algorithm.oid != RSA_ENCRYPTION_OID {
            return Err(Error::InvalidKey(format!(
                "the public key is {}; TAAP signs with RS256 and needs an RSA key",
                algorithm_name(&spki.algorithm.oid)
            )));
        }
        let inner = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::InvalidKey("the public key's bit string is malformed".into()))?;
        Self::from_pkcs1_der(inner)
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let key = RsaPublicKeyRef::from_der(der)
            .map_err(|_| Error::InvalidKey("not a valid RSA public key (RSAPublicKey) structure".into()))?;
        Self::from_components(key.modulus.as_bytes(), key.public_exponent.as_bytes())
    }

    /// The modulus size in bits (2048 to 8192).
    pub fn bits(&self) -> u32 {
        super::modulus_bits(&self.modulus)
    }

    /// The big-endian modulus `n`, without leading zeros.
    pub fn modulus(&self) -> &[u8] {
        &self.modulus
    }

    /// The big-endian public exponent `e`, without leading zeros.
    pub fn exponent(&self) -> &[u8] {
        &self.exponent
    }

    /// The key as SPKI DER (what `openssl rsa -pubout -outform DER` writes).
    pub fn to_der(&self) -> Vec<u8> {
        let pkcs1 = self.to_pkcs1_der();
        let spki = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef { oid: RSA_ENCRYPTION_OID, parameters: Some(AnyRef::NULL) },
            subject_public_key: BitStringRef::from_bytes(&pkcs1).expect("a DER buffer fits a bit string"),
        };
        spki.to_der().expect("an RSA SPKI always encodes")
    }

    /// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as T-Mobile's docs register it.
    pub fn to_pem(&self) -> String {
        pem_encode("PUBLIC KEY", self.to_der())
    }

    /// The key as PKCS#1 DER (`RSAPublicKey`).
    pub fn to_pkcs1_der(&self) -> Vec<u8> {
        encode_pkcs1(&self.modulus, &self.exponent).expect("validated components always encode")
    }

    /// The key as PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`).
    pub fn to_pkcs1_pem(&self) -> String {
        pem_encode("RSA PUBLIC KEY", self.to_pkcs1_der())
    }

    /// The key as a JWK with `kty`, `n`, `e`, `alg: RS256`, `use: sig` and a thumbprint `kid`.
    pub fn to_jwk(&self) -> String {
        super::jwk::to_jwk(&self.modulus, &self.exponent, &self.thumbprint())
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url): a stable, non-secret key id.
    pub fn thumbprint(&self) -> String {
        #[cfg(feature = "std")]
        return self.thumbprint_ref().to_owned();
        #[cfg(not(feature = "std"))]
        super::jwk::thumbprint(&self.modulus, &self.exponent)
    }

    /// [`PublicKey::thumbprint`] without a copy, for per-request use.
    #[cfg(feature = "std")]
    pub(crate) fn thumbprint_ref(&self) -> &str {
        self.thumbprint.get_or_init(|| super::jwk::thumbprint(&self.modulus, &self.exponent))
    }

    /// Verifies an RS256 (RSASSA-PKCS1-v1_5 + SHA-256) signature over `message`.
    #[cfg(feature = "std")]
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.verifier.verify(message, signature)
    }

    /// [`PublicKey::verify`] in every build: without `std` the verifier is built for the one
    /// check (a signer outside taap's backend is checked rarely there; RAM is what is scarce).
    pub(crate) fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        #[cfg(feature = "std")]
        return self.verify(message, signature);
        #[cfg(not(feature = "std"))]
        Verifier::from_components(&self.modulus, &self.exponent)
            .is_ok_and(|verifier| verifier.verify(message, signature))
    }

    /// The length in bytes of every RS256 signature under this key.
    pub(crate) fn modulus_len(&self) -> usize {
        self.modulus.len()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.modulus == other.modulus && self.exponent == other.exponent
    }
}

impl Eq for PublicKey {}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits())
            .field("thumbprint", &self.thumbprint())
            .finish()
    }
}

/// `RSAPublicKey` DER of big-endian components.
pub(crate) fn encode_pkcs1(modulus: &[u8], exponent: &[u8]) -> Result<Vec<u8>> {
    let invalid = |_| Error::InvalidKey("the RSA public key components do not encode".into());
    let key = RsaPublicKeyRef {
        modulus: UintRef::new(modulus).map_err(invalid)?,
        public_exponent: UintRef::new(exponent).map_err(invalid)?,
    };
    key.to_der().map_err(invalid)
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&byte| byte != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

pub(super) fn pem_encode(tag: &str, der: Vec<u8>) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new(tag, der), config)
}

fn public_key_expected(found: &str) -> String {
    if found.contains("PRIVATE KEY") {
        "this PEM holds a private key; pass its public key (`taap keygen` writes both, \
         or `openssl rsa -in key.pem -pubout`)"
            .into()
    } else if found == "CERTIFICATE" {
        "this PEM holds a certificate; extract its key with `openssl x509 -pubkey -noout`".into()
    } else {
        format!("PEM block '{}' is not a public key; expected -----BEGIN PUBLIC KEY-----", shorten(found, 32))
    }
}
