//! RSA private keys: every form T-Mobile's docs and openssl produce, parsed once.

use core::fmt;
#[cfg(feature = "std")]
use std::path::Path;

use pkcs8::der::Decode;
use pkcs8::PrivateKeyInfoRef;
use zeroize::Zeroizing;

#[cfg(feature = "std")]
use super::decrypt::{decrypt_pkcs8, decrypt_traditional, wrong_password};
#[cfg(feature = "std")]
use super::read_key_file;
use super::secret_pem::{self, SecretBlock};
use super::{algorithm_name, check_modulus_bits, PublicKey, RSA_ENCRYPTION_OID};
use crate::crypto::SigningKey;
use crate::error::{Error, Result};
#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// An RSA private key, parsed once and reused for any number of tokens from any thread.
///
/// The key material lives in the crypto backend (AWS-LC or `rsa`), which clears it when the
/// key is dropped; every intermediate buffer taap makes while loading it is zeroised too.
pub struct PrivateKey {
    pair: SigningKey,
    public: PublicKey,
}

impl PrivateKey {
    /// Loads a private key from PEM: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8
    /// (`ENCRYPTED PRIVATE KEY`, PBES2 or legacy PBES1) or PKCS#1 (`RSA PRIVATE KEY`, also
    /// OpenSSL's traditional `Proc-Type: 4,ENCRYPTED` form). `password` is needed only for
    /// encrypted keys. Without the `std` feature encrypted keys are refused as
    /// [`Error::InvalidKey`]: decrypting them needs PBKDF2/scrypt and ciphers a small target
    /// should not carry.
    pub fn from_pem(pem: impl AsRef<[u8]>, password: Option<&[u8]>) -> Result<Self> {
        let blocks = secret_pem::parse_blocks(pem.as_ref())?;
        let block = blocks.iter().find(|block| block.tag().ends_with("PRIVATE KEY")).ok_or_else(|| {
            Error::InvalidKey(private_key_expected(blocks.first().map(SecretBlock::tag), pem.as_ref().len()))
        })?;
        let contents = block.contents();
        match block.tag() {
            "PRIVATE KEY" => Self::from_pkcs8_der(contents),
            "ENCRYPTED PRIVATE KEY" => Self::from_encrypted_pkcs8(contents, password),
            "RSA PRIVATE KEY" => match block.header("DEK-Info") {
                Some(dek_info) => Self::from_encrypted_pkcs1(dek_info, contents, password),
                None => Self::from_pkcs1_der(contents),
            },
            other => Err(Error::InvalidKey(not_rsa_pem(other))),
        }
    }

    /// Loads a private key from DER: PKCS#8, encrypted PKCS#8 or PKCS#1 `RSAPrivateKey`.
    pub fn from_der(der: &[u8], password: Option<&[u8]>) -> Result<Self> {
        #[cfg(not(feature = "std"))]
        let _ = password; // no decryption without `std`: encrypted DER is refused below
        if PrivateKeyInfoRef::from_der(der).is_ok() {
            return Self::from_pkcs8_der(der);
        }
        if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
            return Self::from_pkcs1_der(der);
        }
        #[cfg(feature = "std")]
        if pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).is_ok() {
            return Self::from_encrypted_pkcs8(der, password);
        }
        Err(Error::InvalidKey("not a PKCS#8, encrypted PKCS#8 or PKCS#1 private key in DER".into()))
    }

    /// Loads a private key from PEM or DER bytes, whichever they are.
    pub fn from_bytes(bytes: &[u8], password: Option<&[u8]>) -> Result<Self> {
        if bytes.first() == Some(&0x30) {
            Self::from_der(bytes, password)
        } else {
            Self::from_pem(bytes, password)
        }
    }

    /// Loads a private key from a PEM or DER file.
    #[cfg(feature = "std")]
    pub fn from_file(path: impl AsRef<Path>, password: Option<&[u8]>) -> Result<Self> {
        let bytes = Zeroizing::new(read_key_file(path.as_ref())?);
        Self::from_bytes(&bytes, password)
    }

    /// Generates a new key pair; `bits` is 2048 (the docs' default), 3072, 4096 or 8192.
    #[cfg(feature = "std")]
    pub fn generate(bits: u32) -> Result<Self> {
        if ![2048, 3072, 4096, 8192].contains(&bits) {
            return Err(Error::Config(format!(
                "cannot generate a {bits}-bit key; choose 2048, 3072, 4096 or 8192"
            )));
        }
        Self::from_pair(SigningKey::generate(bits)?)
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = PrivateKeyInfoRef::from_der(der)
            .map_err(|_| Error::InvalidKey("not a valid PKCS#8 (PrivateKeyInfo) structure".into()))?;
        if info.algorithm.oid != RSA_ENCRYPTION_OID {
            return Err(Error::InvalidKey(format!(
                "the key is {}; TAAP signs with RS256 and needs an RSA key",
                algorithm_name(&info.algorithm.oid)
            )));
        }
        check_pkcs1_size(info.private_key.as_bytes())?;
        Self::from_pair(SigningKey::from_pkcs8_der(der)?)
    }

    /// `ENCRYPTED PRIVATE KEY` (PBES2 or PBES1) contents.
    #[cfg(feature = "std")]
    fn from_encrypted_pkcs8(der: &[u8], password: Option<&[u8]>) -> Result<Self> {
        let password = password.ok_or_else(missing_password)?;
        let der = decrypt_pkcs8(der, password)?;
        // A wrong password that happens to yield valid padding decrypts to garbage: KeyDecrypt.
        if PrivateKeyInfoRef::from_der(&der).is_err() {
            return Err(wrong_password());
        }
        Self::from_pkcs8_der(&der)
    }

    /// OpenSSL's traditional `Proc-Type: 4,ENCRYPTED` PKCS#1 contents.
    #[cfg(feature = "std")]
    fn from_encrypted_pkcs1(dek_info: &str, contents: &[u8], password: Option<&[u8]>) -> Result<Self> {
        let password = password.ok_or_else(missing_password)?;
        let der = decrypt_traditional(dek_info, password, contents)?;
        if pkcs1::RsaPrivateKeyRef::from_der(&der).is_err() {
            return Err(wrong_password());
        }
        Self::from_pkcs1_der(&der)
    }

    #[cfg(not(feature = "std"))]
    fn from_encrypted_pkcs8(_der: &[u8], _password: Option<&[u8]>) -> Result<Self> {
        Err(encrypted_unsupported())
    }

    #[cfg(not(feature = "std"))]
    fn from_encrypted_pkcs1(_dek_info: &str, _contents: &[u8], _password: Option<&[u8]>) -> Result<Self> {
        Err(encrypted_unsupported())
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        check_pkcs1_size(der)?;
        Self::from_pair(SigningKey::from_pkcs1_der(der)?)
    }

    fn from_pair(pair: SigningKey) -> Result<Self> {
        let (modulus, exponent) = pair.public_components();
        let public = PublicKey::from_components(&modulus, &exponent)?;
        Ok(PrivateKey { pair, public })
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> u32 {
        self.public.bits()
    }

    /// The key as unencrypted PKCS#8 DER, in a buffer that is zeroised when dropped.
    pub fn to_der(&self) -> Zeroizing<Vec<u8>> {
        self.pair.to_pkcs8_der()
    }

    /// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), zeroised when dropped.
    pub fn to_pem(&self) -> Zeroizing<String> {
        secret_pem::encode("PRIVATE KEY", &self.to_der())
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 + SHA-256 (RS256).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.pair.sign(message)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &self.bits())
            .field("public_thumbprint", &self.public.thumbprint())
            .finish_non_exhaustive()
    }
}

fn check_pkcs1_size(pkcs1_der: &[u8]) -> Result<()> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(pkcs1_der)
        .map_err(|_| Error::InvalidKey("not a valid RSA private key (RSAPrivateKey) structure".into()))?;
    let modulus = key.modulus.as_bytes();
    check_modulus_bits(modulus)
}

/// Without `std` there are no key-decryption ciphers; the key must be decrypted beforehand.
#[cfg(not(feature = "std"))]
fn encrypted_unsupported() -> Error {
    Error::InvalidKey(
        "encrypted private keys are not supported in this build; decrypt it first \
         (`openssl pkcs8 -topk8 -nocrypt`)"
            .into(),
    )
}

#[cfg(feature = "std")]
fn missing_password() -> Error {
    Error::KeyDecrypt("the private key is encrypted; pass its password".into())
}

fn not_rsa_pem(tag: &str) -> String {
    match tag {
        "EC PRIVATE KEY" => "the key is an EC key; TAAP signs with RS256 and needs an RSA key".into(),
        "DSA PRIVATE KEY" => "the key is a DSA key; TAAP signs with RS256 and needs an RSA key".into(),
        "OPENSSH PRIVATE KEY" => "OpenSSH key files are not supported; convert with \
                                  `ssh-keygen -p -m PKCS8 -f KEY` (RSA keys only)"
            .into(),
        _ => "unsupported private key PEM; expected PRIVATE KEY, ENCRYPTED PRIVATE KEY or RSA PRIVATE KEY"
            .into(),
    }
}

/// `text_len` tells a short non-key apart: a file name or another argument in the key's place.
fn private_key_expected(found: Option<&str>, text_len: usize) -> String {
    match found {
        None => format!(
            "no PEM block found in the {text_len} bytes given as the key; expected -----BEGIN PRIVATE KEY----- \
             (pass the key's PEM text, not its file name or another argument)"
        ),
        Some("PUBLIC KEY" | "RSA PUBLIC KEY") => {
            "this PEM holds a public key; signing needs the private key".into()
        }
        Some(_) => "no private key PEM block found; expected -----BEGIN PRIVATE KEY-----".into(),
    }
}
