//! `Signer` objects: a key in a PKCS#11 token or AWS KMS, a key file, a JVM callback given the
//! SHA-256 digest, or a `PrivateKey`; every export that signs takes one.

use std::ffi::OsStr;
use std::sync::Arc;

use taap::keys::{shown_key_spec, CallbackSigner, Signer};
use uniffi::UnexpectedUniFFICallbackError;

use crate::error::FfiResult;
use crate::keys::{FfiPrivateKey, FfiPublicKey};

/// Any `taap::keys::Signer`, shared across JVM threads.
#[derive(uniffi::Object)]
pub struct FfiSigner {
    pub(crate) inner: Arc<dyn Signer>,
}

/// Why the JVM's digest signer gave no signature; the Kotlin adapter throws it.
#[derive(Debug, uniffi::Error)]
pub enum FfiCallbackError {
    /// The JVM function threw: the class of what it threw (never its message, which may hold
    /// anything).
    Threw { class: String },
    /// The JVM function (Java) returned null.
    ReturnedNull,
}

impl std::fmt::Display for FfiCallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FfiCallbackError::Threw { class } => write!(f, "threw {class}"),
            FfiCallbackError::ReturnedNull => f.write_str("returned null"),
        }
    }
}

impl From<UnexpectedUniFFICallbackError> for FfiCallbackError {
    fn from(error: UnexpectedUniFFICallbackError) -> Self {
        // uniffi's text is the exception's toString(), which may carry its message: keep only
        // the class name before the first colon.
        let class = error.reason.split(':').next().unwrap_or_default().trim().to_owned();
        FfiCallbackError::Threw { class: if class.is_empty() { "an exception".to_owned() } else { class } }
    }
}

/// A JVM function given the 32-byte SHA-256 digest of the JWS signing input, returning the
/// PKCS#1 v1.5 signature.
#[uniffi::export(callback_interface)]
pub trait FfiDigestSigner: Send + Sync {
    /// The signature over `digest`.
    fn sign_digest(&self, digest: Vec<u8>) -> Result<Vec<u8>, FfiCallbackError>;
}

/// A label cut to 200 characters with any `pin-value` masked, as the core shows labels.
fn shown(label: &str) -> String {
    let shown = shown_key_spec(OsStr::new(label));
    match shown.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &shown[..end]),
        None => shown,
    }
}

#[uniffi::export]
impl FfiSigner {
    /// Opens the key `uri` names: `pkcs11:` (RFC 7512), `aws-kms:`, or a PEM/DER key file;
    /// `password` decrypts a key file or is the PIN a `pkcs11:` URI does not give.
    #[uniffi::constructor]
    pub fn from_uri(uri: String, password: Option<String>) -> FfiResult<Self> {
        let inner = taap::keys::open_signer(&uri, password.as_deref().map(str::as_bytes))?;
        Ok(FfiSigner { inner })
    }

    /// A signer calling `callback` with each digest; its answers are checked against `public`.
    #[uniffi::constructor]
    pub fn from_callback(
        public: &FfiPublicKey,
        callback: Box<dyn FfiDigestSigner>,
        label: Option<String>,
    ) -> Self {
        let public = public.inner.clone();
        let default_label = format!("callback for RSA-{} key {}", public.bits(), public.thumbprint());
        let label = label.unwrap_or(default_label);
        let named = shown(&label);
        let signer = CallbackSigner::new(public, move |digest: &[u8; 32]| {
            callback.sign_digest(digest.to_vec()).map_err(|failure| match failure {
                FfiCallbackError::Threw { class } => taap::Error::Transport(format!(
                    "the callback signer ({named}) threw {class}; no token was made with it (the \
                     exception is this TaapException's cause)"
                )),
                FfiCallbackError::ReturnedNull => taap::Error::SignatureInvalid(format!(
                    "the callback signer ({named}) returned null, not a signature; no token was made with it"
                )),
            })
        })
        .with_label(label);
        FfiSigner { inner: Arc::new(signer) }
    }

    /// The in-memory key as a signer (the same key, not a copy).
    #[uniffi::constructor]
    pub fn from_private_key(key: &FfiPrivateKey) -> Self {
        FfiSigner { inner: Arc::clone(&key.inner) as Arc<dyn Signer> }
    }

    /// `in-memory`, `callback`, `pkcs11`, `aws-kms` or `other`.
    pub fn kind(&self) -> String {
        self.inner.kind().name().to_owned()
    }

    /// The label naming the key, a `pin-value` masked; never a secret.
    pub fn label(&self) -> String {
        shown(&self.inner.label())
    }

    /// The public key every signature verifies under.
    pub fn public_key(&self) -> Arc<FfiPublicKey> {
        Arc::new(FfiPublicKey { inner: self.inner.public_key().clone() })
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> u32 {
        self.inner.public_key().bits()
    }
}
