//! RSA keys: loading every form users have, generation, export; signers (a key in memory, a
//! callback, hardware) behind one [`Signer`] trait.

#[cfg(feature = "std")]
mod cache;
mod callback;
#[cfg(feature = "std")]
mod decrypt;
mod jwk;
#[cfg(feature = "aws-kms")]
mod kms;
#[cfg(feature = "std")]
mod open;
#[cfg(feature = "pkcs11")]
mod pkcs11;
mod private;
mod public;
mod secret_pem;
mod signer;

#[cfg(feature = "std")]
use std::path::Path;

use pkcs8::der::asn1::ObjectIdentifier;

#[cfg(feature = "std")]
pub use cache::KEY_CACHE_CAPACITY;
pub use callback::{CallbackSigner, SignDigestFn};
#[cfg(feature = "aws-kms")]
pub use kms::KmsSigner;
#[cfg(feature = "std")]
pub use open::{open_signer, shown_key_spec, signer_uri_scheme, SIGNER_URI_SCHEMES};
#[cfg(feature = "pkcs11")]
pub use pkcs11::Pkcs11Signer;
pub use private::PrivateKey;
#[cfg(feature = "aws-lc")]
pub(crate) use public::encode_pkcs1;
pub use public::PublicKey;
#[cfg(feature = "async-client")]
pub(crate) use signer::signs_in_process;
#[cfg(target_has_atomic = "ptr")]
pub use signer::IntoSigner;
pub(crate) use signer::{check_signature, sign_checked};
pub use signer::{Signer, SignerKind};

use crate::error::{shorten, Error, Result};
#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// Smallest modulus TAAP accepts; 1024-bit keys are breakable and the signer refuses them.
pub const MIN_KEY_BITS: u32 = 2048;
/// Largest modulus the constant-time signer supports.
pub const MAX_KEY_BITS: u32 = 8192;
/// Key files larger than this are not keys; refusing them early bounds memory.
#[cfg(feature = "std")]
const MAX_KEY_FILE_BYTES: u64 = 1024 * 1024;

pub(crate) const RSA_ENCRYPTION_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Human name of a key algorithm OID, for "this is not RSA" messages.
pub(crate) fn algorithm_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "an EC key".into(),
        "1.3.101.112" => "an Ed25519 key".into(),
        "1.3.101.113" => "an Ed448 key".into(),
        "1.3.101.110" | "1.3.101.111" => "an X25519/X448 key".into(),
        "1.2.840.10040.4.1" => "a DSA key".into(),
        "1.2.840.113549.1.1.10" => "an RSA-PSS-only key".into(),
        other => format!("a non-RSA key (algorithm {})", shorten(other, 40)),
    }
}

/// Bit length of a big-endian modulus.
pub(crate) fn modulus_bits(modulus: &[u8]) -> u32 {
    let modulus = &modulus[modulus.iter().position(|&byte| byte != 0).unwrap_or(modulus.len())..];
    match modulus.first() {
        None => 0,
        Some(first) => (modulus.len() as u32 - 1) * 8 + (8 - first.leading_zeros()),
    }
}

/// Enforces the 2048..=8192-bit range with a message that says what to do.
pub(crate) fn check_modulus_bits(modulus: &[u8]) -> Result<()> {
    let bits = modulus_bits(modulus);
    if bits < MIN_KEY_BITS {
        return Err(Error::InvalidKey(format!(
            "the RSA key is {bits} bits; TAAP needs at least {MIN_KEY_BITS} bits \
             (generate a new one with `taap keygen`)"
        )));
    }
    if bits > MAX_KEY_BITS {
        return Err(Error::InvalidKey(format!(
            "the RSA key is {bits} bits; at most {MAX_KEY_BITS} bits are supported"
        )));
    }
    Ok(())
}

#[cfg(feature = "std")]
pub(crate) fn read_key_file(path: &Path) -> Result<Vec<u8>> {
    let unreadable = |error: std::io::Error| {
        Error::InvalidKey(format!("cannot read key file {}: {error}", path.display()))
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_KEY_FILE_BYTES {
        return Err(Error::InvalidKey(format!("{} is {size} bytes; that is not a key file", path.display())));
    }
    std::fs::read(path).map_err(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus_bits_counts_from_the_top_bit() {
        assert_eq!(modulus_bits(&[]), 0);
        assert_eq!(modulus_bits(&[0, 0x01]), 1);
        assert_eq!(modulus_bits(&[0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x7f; 256]), 2047);
    }
}
