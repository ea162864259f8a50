//! `Pkcs11Signer::generate`: a new RSA key pair made inside a token, its private half
//! sensitive and never extractable, so the key exists nowhere else from its first moment.

use cryptoki::error::Error as CkError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::types::{AuthPin, Ulong};
use zeroize::Zeroizing;

use super::uri::Pkcs11Uri;
use super::{device_error, find_slot, load_module, login, Pkcs11Signer};
use crate::error::{Error, Result};

/// Key sizes a token is asked for: what T-Mobile accepts and tokens commonly make.
const BITS: [u64; 3] = [2048, 3072, 4096];

impl Pkcs11Signer {
    /// Makes a `bits`-bit RSA key pair in the token `uri` names, labelled with the URI's
    /// `object` (and `id`, else 8 random bytes), and opens it as a signer. The private key is
    /// `CKA_SENSITIVE`, not `CKA_EXTRACTABLE` and a token object; a key already there under the
    /// same label is refused rather than shadowed. `pin` as in [`Pkcs11Signer::open`].
    pub fn generate(uri: &str, pin: Option<&[u8]>, bits: u32) -> Result<Self> {
        let parsed = Pkcs11Uri::parse(uri)?;
        let label = parsed
            .object
            .clone()
            .ok_or_else(|| Error::Config("name the new key with object=… in the pkcs11: URI".into()))?;
        if !BITS.contains(&u64::from(bits)) {
            return Err(Error::Config(format!("a PKCS#11 key is 2048, 3072 or 4096 bits, not {bits}")));
        }
        let given_pin = parsed.pin.clone().or_else(|| pin_text(pin));
        let Some(pin_text) = given_pin else {
            return Err(Error::Config(
                "making a key needs the token's PIN (pin-source=… or pin-value=…)".into(),
            ));
        };
        let module = parsed.module_path.clone().unwrap_or_default();
        let context = load_module(&module)?;
        let (slot, token_label) = find_slot(&context, &parsed, &module)?;
        let place = format!("token {token_label:?} (slot {})", slot.id());
        let session = context.open_rw_session(slot).map_err(|error| device_error(&place, error))?;
        login(&session, &AuthPin::new(pin_text.as_str().into()), &place)?;
        let existing = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .map_err(|error| device_error(&place, error))?;
        if !existing.is_empty() {
            return Err(Error::Config(format!(
                "PKCS#11 {place} already holds a private key labelled {label:?}; choose another object="
            )));
        }
        let id = parsed.id.clone().map_or_else(random_id, Ok)?;
        let named = [Attribute::Label(label.into_bytes()), Attribute::Id(id)];
        let public = [
            Attribute::Token(true),
            Attribute::Verify(true),
            Attribute::ModulusBits(Ulong::from(std::ffi::c_ulong::from(bits))),
            Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
        ];
        let (public, private) = ([&public[..], &named].concat(), [&private[..], &named].concat());
        session
            .generate_key_pair(&Mechanism::RsaPkcsKeyPairGen, &public, &private)
            .map_err(|error: CkError| device_error(&place, error))?;
        drop(session);
        Pkcs11Signer::open(uri, pin)
    }
}

fn pin_text(pin: Option<&[u8]>) -> Option<Zeroizing<String>> {
    pin.and_then(|pin| std::str::from_utf8(pin).ok()).map(|pin| Zeroizing::new(pin.to_owned()))
}

fn random_id() -> Result<Vec<u8>> {
    let mut id = vec![0u8; 8];
    if crate::crypto::fill_random(&mut id) {
        Ok(id)
    } else {
        Err(Error::Config("no OS randomness for the new key's CKA_ID".into()))
    }
}
