//! `Signer` handles: the one path of every signature made in JavaScript. The core builds
//! `header.payload` ([`signing_input`](SignerHandle::signing_input)), JavaScript signs it (a
//! callback given its SHA-256 digest, or WebCrypto given the input itself), and the core
//! attaches the signature only after checking it ([`attach`](SignerHandle::attach): its length
//! and its verification under the signer's public key, else `SignatureInvalid`).

use std::ffi::OsStr;
use std::sync::Arc;

use wasm_bindgen::prelude::wasm_bindgen;

use taap::keys::{shown_key_spec, CallbackSigner, Signer};

use crate::error::{to_js, Failure};
use crate::keys::{PrivateKeyHandle, PublicKeyHandle};
use crate::token::{build_options, EhtsHandle};

/// A signer whose signatures JavaScript makes: a callback (`Signer.fromCallback`), or WebCrypto
/// with a copy of an in-memory key.
#[wasm_bindgen]
pub struct SignerHandle {
    inner: Arc<dyn Signer>,
}

/// A label cut to 200 characters and with any `pin-value` masked, as the core shows labels.
fn shown(label: &str) -> String {
    let shown = shown_key_spec(OsStr::new(label));
    match shown.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &shown[..end]),
        None => shown,
    }
}

#[wasm_bindgen]
impl SignerHandle {
    /// A callback signer for `public`; JavaScript calls the function, so the core's copy never
    /// asks it for anything (its function only answers that).
    pub fn callback(public: &PublicKeyHandle, label: Option<String>) -> SignerHandle {
        let signer = CallbackSigner::new(public.inner.clone(), |_| {
            Err(taap::Error::Config(
                "a JavaScript callback signer signs through taap-wasm's JavaScript".into(),
            ))
        });
        // Masked once here, so the core's own messages never show a `pin-value` either.
        let signer = match label {
            Some(label) => signer.with_label(shown_key_spec(OsStr::new(&label))),
            None => signer,
        };
        SignerHandle { inner: Arc::new(signer) }
    }

    /// The in-memory `key` as a signer whose signature WebCrypto makes (the key shared, not copied).
    #[wasm_bindgen(js_name = forKey)]
    pub fn for_key(key: &PrivateKeyHandle) -> SignerHandle {
        SignerHandle { inner: key.inner.clone() }
    }

    /// `callback`, `in-memory`, …: the core's name of the signer's kind.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.inner.kind().name().to_owned()
    }

    /// The label naming the key, never a secret (a `pin-value` in it is masked).
    #[wasm_bindgen(getter)]
    pub fn label(&self) -> String {
        shown_key_spec(OsStr::new(&self.inner.label()))
    }

    /// The modulus size in bits.
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> u32 {
        self.inner.public_key().bits()
    }

    /// The public key every signature must verify under.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> PublicKeyHandle {
        self.inner.public_key().clone().into()
    }

    /// `header.payload` of the token over `ehts`, to be signed in JavaScript.
    #[wasm_bindgen(js_name = signingInput)]
    pub fn signing_input(
        &self,
        ehts: &EhtsHandle,
        ttl_secs: Option<f64>,
        iat: Option<f64>,
        jti: Option<String>,
    ) -> Result<String, Failure> {
        let options = build_options(ttl_secs, iat, jti);
        taap::PopToken::unsigned_token(&ehts.inner, &options, self.bits()).map_err(to_js)
    }

    /// What a callback signer is given for `signing_input`: its 32-byte SHA-256 digest.
    pub fn digest(signing_input: &str) -> Vec<u8> {
        CallbackSigner::digest_of(signing_input.as_bytes()).to_vec()
    }

    /// The token: `signing_input`, `.`, the signature, once the core has checked the signature
    /// (as long as the modulus, verifying under the public key); else `SignatureInvalid`.
    pub fn attach(&self, signing_input: String, signature: &[u8]) -> Result<String, Failure> {
        taap::PopToken::attach_checked_signature(&*self.inner, signing_input, signature).map_err(to_js)
    }

    /// The `SignatureInvalid` error for an answer that is no signature at all (`what` it was,
    /// described by JavaScript without its value).
    pub fn refused(&self, what: &str) -> Failure {
        let message = format!(
            "the {} signer ({}) {what}; no token was made with it",
            self.inner.kind(),
            shown(&self.inner.label())
        );
        to_js(taap::Error::SignatureInvalid(message))
    }

    /// The `Transport` error for a callback that threw (or whose promise rejected) `class`: the
    /// thrown value is the error's `cause`, and its message is not repeated (it may be secret).
    pub fn failed(&self, class: &str, threw: bool) -> Failure {
        let how = if threw { "threw" } else { "rejected with" };
        let message = format!(
            "the {} signer ({}) {how} {class}; no token was made with it (the error is this error's cause)",
            self.inner.kind(),
            shown(&self.inner.label())
        );
        to_js(taap::Error::Transport(message))
    }
}
