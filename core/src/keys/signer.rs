//! Signers: anything that makes an RS256 signature and knows its public key.
//!
//! The in-memory [`PrivateKey`] is one kind; a callback (a secure element, Vault transit), a
//! PKCS#11 object or a cloud KMS key are others. Every place that takes a key takes a signer,
//! and every signature that did not come from taap's own crypto backend is checked before a
//! token carrying it leaves taap.

use alloc::boxed::Box;
#[cfg(target_has_atomic = "ptr")]
use alloc::sync::Arc;
use core::fmt;

use super::{PrivateKey, PublicKey};
use crate::error::{Error, Result};
#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// What a signer is, as `--dry-run`, `taap doctor` and the bindings' `repr` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignerKind {
    /// A [`PrivateKey`] in this process's memory.
    InMemory,
    /// A [`CallbackSigner`](super::CallbackSigner): a function given the SHA-256 digest.
    Callback,
    /// A key object in a PKCS#11 token (an HSM, SoftHSM2, a TPM through tpm2-pkcs11).
    Pkcs11,
    /// An asymmetric RSA key in AWS KMS.
    AwsKms,
    /// A [`Signer`] implemented outside taap.
    Other,
}

impl SignerKind {
    /// The kind's stable name: `in-memory`, `callback`, `pkcs11`, `aws-kms` or `other`.
    pub const fn name(self) -> &'static str {
        match self {
            SignerKind::InMemory => "in-memory",
            SignerKind::Callback => "callback",
            SignerKind::Pkcs11 => "pkcs11",
            SignerKind::AwsKms => "aws-kms",
            SignerKind::Other => "other",
        }
    }
}

impl fmt::Display for SignerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    /// Names a [`Signer`](super::Signer) method only taap can override: only its own
    /// in-memory key may skip the signature check, and a type outside this crate cannot
    /// name this one to claim it.
    #[derive(Debug, Clone, Copy)]
    pub struct Internal;
}

/// Something that makes RS256 (RSASSA-PKCS1-v1_5 + SHA-256) signatures and knows its public
/// key.
///
/// Everything that takes a key takes a signer: [`PopToken::build`](crate::PopToken::build)
/// and its siblings take `&impl Signer` (a `&PrivateKey` as before, an `Arc`, a `Box`, a
/// `&dyn Signer`), the OAuth client an `Arc<dyn Signer>`. A signature from any signer but
/// the in-memory [`PrivateKey`] is checked (its length is the modulus size, it verifies under
/// [`Signer::public_key`]) before the token carrying it is returned; a bad one is
/// [`Error::SignatureInvalid`].
pub trait Signer: Send + Sync {
    /// The public key every signature verifies under.
    fn public_key(&self) -> &PublicKey;

    /// The RS256 signature over `message` (a JWS signing input): exactly as many bytes as the
    /// modulus.
    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>>;

    /// Which kind of signer this is.
    fn kind(&self) -> SignerKind {
        SignerKind::Other
    }

    /// A label naming the key (a URI without its PIN, a KMS key id); never a secret.
    fn label(&self) -> String {
        format!("RSA-{} key {}", self.public_key().bits(), self.public_key().thumbprint())
    }

    /// Whether the signature comes from taap's own crypto backend, which cannot produce a bad
    /// one, so that checking it would only cost time.
    #[doc(hidden)]
    fn signs_in_process(&self, _: sealed::Internal) -> bool {
        false
    }
}

impl Signer for PrivateKey {
    fn public_key(&self) -> &PublicKey {
        PrivateKey::public_key(self)
    }

    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.sign(message)
    }

    fn kind(&self) -> SignerKind {
        SignerKind::InMemory
    }

    fn signs_in_process(&self, _: sealed::Internal) -> bool {
        true
    }
}

/// Forwards every method, the sealed one included, so a wrapper is the signer it wraps.
macro_rules! forward_signer {
    ($($wrapper:ty),+) => {$(
        impl<S: Signer + ?Sized> Signer for $wrapper {
            fn public_key(&self) -> &PublicKey {
                (**self).public_key()
            }

            fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
                (**self).sign_rs256(message)
            }

            fn kind(&self) -> SignerKind {
                (**self).kind()
            }

            fn label(&self) -> String {
                (**self).label()
            }

            fn signs_in_process(&self, internal: sealed::Internal) -> bool {
                (**self).signs_in_process(internal)
            }
        }
    )+};
}

forward_signer!(&S, Box<S>);
#[cfg(target_has_atomic = "ptr")]
forward_signer!(Arc<S>);

/// What the client takes as its key: an `Arc` of any [`Signer`] (`Arc<PrivateKey>`,
/// `Arc<dyn Signer>`), so `Arc::clone(&key)` and `Arc::new(key)` both still compile.
#[cfg(target_has_atomic = "ptr")]
pub trait IntoSigner {
    /// The shared signer.
    fn into_signer(self) -> Arc<dyn Signer>;
}

#[cfg(target_has_atomic = "ptr")]
impl<S: Signer + 'static> IntoSigner for Arc<S> {
    fn into_signer(self) -> Arc<dyn Signer> {
        self
    }
}

#[cfg(target_has_atomic = "ptr")]
impl IntoSigner for Arc<dyn Signer> {
    fn into_signer(self) -> Arc<dyn Signer> {
        self
    }
}

impl fmt::Debug for dyn Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("kind", &self.kind())
            .field("label", &self.label())
            .field("bits", &self.public_key().bits())
            .finish_non_exhaustive()
    }
}

/// Whether `signer` signs with taap's own backend, in this process, without waiting on a device
/// or a service.
#[cfg(feature = "async-client")]
pub(crate) fn signs_in_process<S: Signer + ?Sized>(signer: &S) -> bool {
    signer.signs_in_process(sealed::Internal)
}

/// `signer`'s signature over `message`, refused unless it is as long as the modulus and
/// verifies under the signer's public key (the in-memory key's own is trusted as it is).
pub(crate) fn sign_checked<S: Signer + ?Sized>(signer: &S, message: &[u8]) -> Result<Vec<u8>> {
    let signature = signer.sign_rs256(message)?;
    if !signer.signs_in_process(sealed::Internal) {
        check_signature(signer, message, &signature)?;
    }
    Ok(signature)
}

/// Refuses `signature` unless it is as long as `signer`'s modulus and (unless `signer` is taap's
/// own in-memory key) verifies over `message` under its public key.
pub(crate) fn check_signature<S: Signer + ?Sized>(
    signer: &S,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let public = signer.public_key();
    let expected = public.modulus_len();
    let refused = |what: String| {
        Error::SignatureInvalid(format!(
            "the {} signer ({}) {what}; no token was made with it",
            signer.kind(),
            crate::error::shorten(&signer.label(), 200)
        ))
    };
    if signature.len() != expected {
        return Err(refused(format!(
            "returned {} bytes; an RS256 signature under its {}-bit public key is {expected} bytes",
            signature.len(),
            public.bits()
        )));
    }
    // taap's own in-memory key signed through the platform's crypto (WebCrypto) with the same
    // key material: a length check is what can go wrong there, and verifying costs ~1.5 ms in wasm.
    if !signer.signs_in_process(sealed::Internal) && !public.verify_rs256(message, signature) {
        return Err(refused(
            "returned a signature that does not verify under its public key (another key, \
             another hash or padding, or a corrupted signature)"
                .into(),
        ));
    }
    Ok(())
}
