//! The callback signer: for keys only a function can reach (a secure element, the nRF9160's
//! CryptoCell, Vault transit, another cloud's KMS).

use alloc::boxed::Box;
use core::fmt;

use super::signer::{Signer, SignerKind};
use super::PublicKey;
use crate::crypto::sha256;
use crate::error::Result;
#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// The function a [`CallbackSigner`] calls: the SHA-256 digest of the JWS signing input in,
/// the PKCS#1 v1.5 signature (with the SHA-256 DigestInfo, as `RS256` needs) out.
pub type SignDigestFn = dyn Fn(&[u8; 32]) -> Result<Vec<u8>> + Send + Sync;

/// A [`Signer`] whose signatures come from a function given the 32-byte SHA-256 digest of what
/// is signed: what secure elements and KMS `DIGEST` modes take.
///
/// The public key is given once; every signature the function returns is checked against it
/// (length, then verification) before a token carries it, so a short, wrong or corrupted
/// signature is [`Error::SignatureInvalid`](crate::Error::SignatureInvalid). An error the
/// function returns is passed on unchanged.
///
/// ```
/// use taap::keys::{CallbackSigner, Signer};
/// use taap::{PopToken, PublicKey};
/// # use rsa::pkcs8::DecodePrivateKey;
/// # use rsa::signature::{hazmat::PrehashSigner, SignatureEncoding};
/// # let in_flash = taap::PrivateKey::generate(2048)?;
/// # let device = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(
/// #     rsa::PrivateKey::from_pkcs8_der(&in_flash.to_der()).unwrap());
/// # let device_public_der = in_flash.public_key().to_der();
/// // `device` stands for a secure element: it signs a digest; its key never leaves it.
/// let public = PublicKey::from_der(&device_public_der)?;
/// let signer = CallbackSigner::new(public, move |digest: &[u8; 32]| {
///     device
///         .sign_prehash(digest)
///         .map(|signature| signature.to_vec())
///         .map_err(|_| taap::Error::Transport("the secure element did not sign".into()))
/// })
/// .with_label("se050:0xF0000100");
/// let token = PopToken::build(&signer, [("uri", "/v1/devices"), ("http-method", "GET")])?;
/// assert_eq!(signer.kind().name(), "callback");
/// # Ok::<(), taap::Error>(())
/// ```
pub struct CallbackSigner {
    public: PublicKey,
    sign: Box<SignDigestFn>,
    label: String,
}

impl CallbackSigner {
    /// A signer that asks `sign` for each signature; `public` is the key they verify under.
    pub fn new(
        public: PublicKey,
        sign: impl Fn(&[u8; 32]) -> Result<Vec<u8>> + Send + Sync + 'static,
    ) -> Self {
        let label = format!("callback for RSA-{} key {}", public.bits(), public.thumbprint());
        CallbackSigner { public, sign: Box::new(sign), label }
    }

    /// What the function is given for `message` (a JWS signing input): its SHA-256 digest, for
    /// callers that call a signing function themselves (an asynchronous one) and hand the
    /// signature to [`PopToken::attach_checked_signature`](crate::PopToken::attach_checked_signature).
    pub fn digest_of(message: &[u8]) -> [u8; 32] {
        sha256(message)
    }

    /// Names the key in messages and `--dry-run` output (e.g. `se050:0xF0000100`); never a
    /// secret.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
}

impl Signer for CallbackSigner {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        (self.sign)(&sha256(message))
    }

    fn kind(&self) -> SignerKind {
        SignerKind::Callback
    }

    fn label(&self) -> String {
        self.label.clone()
    }
}

impl fmt::Debug for CallbackSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackSigner")
            .field("label", &self.label)
            .field("bits", &self.public.bits())
            .finish_non_exhaustive()
    }
}
