//! The crypto backend: SHA-256, RS256 signing and verification, key generation and OS
//! randomness. Everything that differs between AWS-LC and the pure-Rust RustCrypto stack lives
//! under this module, behind one small interface, so the rest of the core cannot tell them
//! apart and both produce byte-identical tokens.
//!
//! Both backends expose the same items:
//! - `Sha256`: a cloneable streaming SHA-256 (`new`, `update`, `finish`);
//! - `SigningKey`: an RSA private key (`from_pkcs8_der`, `from_pkcs1_der`, `generate`, `sign`,
//!   `public_components`, `to_pkcs8_der`), its secrets wiped when dropped;
//! - `Verifier`: an RSA public key built from `(n, e)` that checks RS256 signatures;
//! - `fill_random`: OS randomness.
//!
//! Key-size policy, DER structure checks and error wording stay in `keys`; the backends only
//! turn already-checked DER into key objects.

#[cfg(feature = "aws-lc")]
mod aws_lc;
#[cfg(all(feature = "aws-lc", any(feature = "client", feature = "pkcs11")))]
pub(crate) use aws_lc::fill_random;
#[cfg(feature = "aws-lc")]
pub(crate) use aws_lc::{Sha256, SigningKey, Verifier};

#[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
mod rust_crypto;
#[cfg(all(
    feature = "rustcrypto",
    not(feature = "aws-lc"),
    any(feature = "client", feature = "pkcs11")
))]
pub(crate) use rust_crypto::fill_random;
#[cfg(all(feature = "rustcrypto", not(feature = "aws-lc")))]
pub(crate) use rust_crypto::{Sha256, SigningKey, Verifier};

/// SHA-256 of one buffer.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(data);
    digest.finish()
}

/// The message of a well-formed, right-sized private key the backend still refused. One
/// wording for both backends: AWS-LC's own reason word for this is "UnexpectedError".
fn private_key_rejected() -> crate::Error {
    crate::Error::InvalidKey(
        "the RSA private key is inconsistent or unsupported (its numbers do not form a valid \
         two-prime RSA key)"
            .into(),
    )
}

/// The message of a public key the backend refused; `reason` is a fixed word, as above.
fn public_key_rejected(reason: &str) -> crate::Error {
    #[cfg(not(feature = "std"))]
    use crate::prelude::*;
    crate::Error::InvalidKey(format!("the RSA public key was rejected ({reason})"))
}

#[cfg(feature = "std")]
fn generation_failed() -> crate::Error {
    crate::Error::InvalidKey("RSA key generation failed".into())
}

fn signing_failed() -> crate::Error {
    crate::Error::InvalidKey("the RSA signing operation failed".into())
}
