//! A key in a PKCS#11 token (an HSM, SoftHSM2, a TPM 2.0 through tpm2-pkcs11), through the
//! `cryptoki` crate. taap only ever asks the token to sign (`C_Sign`) and reads the key's public
//! attributes; it never asks for the private key's value.

mod generate;
mod uri;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use super::signer::{Signer, SignerKind};
use super::PublicKey;
use crate::crypto::sha256;
use crate::error::{shorten, Error, Result};
use uri::Pkcs11Uri;

/// Idle sessions kept for reuse; more threads than this still sign, on sessions opened for them.
const MAX_IDLE_SESSIONS: usize = 16;

/// The DER `DigestInfo` prefix of a SHA-256 digest, for tokens that only offer `CKM_RSA_PKCS`.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    0x04, 0x20,
];

/// How the token is asked to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// `CKM_SHA256_RSA_PKCS`: the token hashes the signing input.
    Sha256RsaPkcs,
    /// `CKM_RSA_PKCS` over a SHA-256 `DigestInfo` made here.
    RsaPkcsDigestInfo,
}

/// An RSA private key in a PKCS#11 token, named by an RFC 7512 URI.
///
/// The key stays in the token: taap reads its modulus and public exponent and asks for
/// signatures (`CKM_SHA256_RSA_PKCS`, or `CKM_RSA_PKCS` over a SHA-256 DigestInfo when the token
/// offers only that). Sessions are pooled, so any number of threads sign at once; the PIN is
/// kept (zeroised on drop) only to log in again after the token forgets the login.
pub struct Pkcs11Signer {
    context: Pkcs11,
    slot: Slot,
    key: ObjectHandle,
    scheme: Scheme,
    public: PublicKey,
    pin: Option<AuthPin>,
    /// Holds the login: PKCS#11 logs an application out when its last session closes.
    _login: Mutex<Session>,
    idle: Mutex<Vec<Session>>,
    label: String,
}

impl Pkcs11Signer {
    /// Opens the key `uri` names, e.g.
    /// `pkcs11:token=taap;object=client?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/run/pin`.
    /// `pin` is used when the URI gives neither `pin-value` nor `pin-source`.
    ///
    /// A module that does not load is [`Error::Config`]; no such token or key, a key that is
    /// not RSA or may not sign, [`Error::InvalidKey`]; a wrong or locked PIN,
    /// [`Error::KeyDecrypt`]. Messages name the token, slot and key, never the PIN.
    pub fn open(uri: &str, pin: Option<&[u8]>) -> Result<Self> {
        let mut uri = Pkcs11Uri::parse(uri)?;
        if uri.pin.is_none() {
            if let Some(pin) = pin {
                let pin = std::str::from_utf8(pin)
                    .map_err(|_| Error::Config("the PKCS#11 PIN is not UTF-8".into()))?;
                uri.pin = Some(Zeroizing::new(pin.to_owned()));
            }
        }
        let module = uri.module_path.clone().unwrap_or_default();
        let context = load_module(&module)?;
        let (slot, token_label) = find_slot(&context, &uri, &module)?;
        let place = format!("token {token_label:?} (slot {})", slot.id());
        let device = |error: CkError| device_error(&place, error);
        let session = context.open_ro_session(slot).map_err(device)?;
        let pin = uri.pin.take().map(|pin| AuthPin::new(pin.as_str().into()));
        if let Some(pin) = &pin {
            login(&session, pin, &place)?;
        }
        let key = find_key(&session, &uri, &place, pin.is_some())?;
        let public = read_public_key(&session, key, &uri, &place)?;
        let scheme = choose_scheme(&context, slot, &place)?;
        let label = format!("{} (slot {}, module {})", uri.shown(), slot.id(), module.display());
        Ok(Pkcs11Signer {
            context,
            slot,
            key,
            scheme,
            public,
            pin,
            _login: Mutex::new(session),
            idle: Mutex::new(Vec::new()),
            label,
        })
    }

    fn sign_on(&self, session: &Session, message: &[u8]) -> std::result::Result<Vec<u8>, CkError> {
        match self.scheme {
            Scheme::Sha256RsaPkcs => session.sign(&Mechanism::Sha256RsaPkcs, self.key, message),
            Scheme::RsaPkcsDigestInfo => {
                let mut digest_info = SHA256_DIGEST_INFO.to_vec();
                digest_info.extend_from_slice(&sha256(message));
                session.sign(&Mechanism::RsaPkcs, self.key, &digest_info)
            }
        }
    }

    fn session(&self) -> Result<Session> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match idle {
            Some(session) => Ok(session),
            None => self.context.open_ro_session(self.slot).map_err(|error| device_error(&self.label, error)),
        }
    }

    fn give_back(&self, session: Session) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_SESSIONS {
            idle.push(session);
        }
    }
}

impl Signer for Pkcs11Signer {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let session = self.session()?;
        let signed = match self.sign_on(&session, message) {
            // The token forgot the login (it was reset or re-inserted): log in once more.
            Err(CkError::Pkcs11(RvError::UserNotLoggedIn, _)) if self.pin.is_some() => {
                login(&session, self.pin.as_ref().expect("checked above"), &self.label)?;
                self.sign_on(&session, message)
            }
            other => other,
        };
        match signed {
            Ok(signature) => {
                self.give_back(session);
                Ok(signature)
            }
            // A session that failed is dropped (closed), never reused.
            Err(error) => Err(sign_error(&self.label, error)),
        }
    }

    fn kind(&self) -> SignerKind {
        SignerKind::Pkcs11
    }

    fn label(&self) -> String {
        self.label.clone()
    }
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("label", &self.label)
            .field("scheme", &self.scheme)
            .field("bits", &self.public.bits())
            .finish_non_exhaustive()
    }
}

/// A module is loaded and initialised once per process and stays loaded: finalising it under
/// another signer still using it would break that signer.
fn load_module(path: &Path) -> Result<Pkcs11> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES.get_or_init(Default::default).lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(context) = modules.get(path) {
        return Ok(context.clone());
    }
    let shown = path.display();
    let context = Pkcs11::new(path)
        .map_err(|error| Error::Config(format!("cannot load the PKCS#11 module {shown}: {error}")))?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(error) => {
            return Err(Error::Config(format!("the PKCS#11 module {shown} failed to initialise: {error}")))
        }
    }
    modules.insert(path.to_owned(), context.clone());
    Ok(context)
}

/// The one slot whose token matches the URI, and the token's label.
fn find_slot(context: &Pkcs11, uri: &Pkcs11Uri, module: &Path) -> Result<(Slot, String)> {
    let slots =
        context.get_slots_with_token().map_err(|error| device_error(&module.display().to_string(), error))?;
    let mut present = Vec::new();
    let mut matching = Vec::new();
    for slot in slots {
        let Ok(info) = context.get_token_info(slot) else { continue };
        let label = info.label().trim_end().to_owned();
        let wanted =
            |want: &Option<String>, have: &str| want.as_ref().is_none_or(|want| want == have.trim_end());
        if uri.slot_id.is_none_or(|id| id == slot.id())
            && wanted(&uri.token, &label)
            && wanted(&uri.serial, info.serial_number())
            && wanted(&uri.manufacturer, info.manufacturer_id())
            && wanted(&uri.model, info.model())
        {
            matching.push((slot, label.clone()));
        }
        present.push(format!("{label:?} (slot {})", slot.id()));
    }
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => Err(Error::InvalidKey(format!(
            "no PKCS#11 token matches {} in module {}; tokens present: {}",
            uri.shown(),
            module.display(),
            if present.is_empty() { "none".to_owned() } else { shorten(&present.join(", "), 300) }
        ))),
        _ => Err(Error::Config(format!(
            "{} tokens match {}: {}; add token=, serial= or slot-id= to the URI",
            matching.len(),
            uri.shown(),
            shorten(&present.join(", "), 300)
        ))),
    }
}

fn login(session: &Session, pin: &AuthPin, place: &str) -> Result<()> {
    match session.login(UserType::User, Some(pin)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _)) => {
            Err(Error::KeyDecrypt(format!("the PIN for PKCS#11 {place} is wrong")))
        }
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(Error::KeyDecrypt(format!(
            "the PIN for PKCS#11 {place} is locked; unlock it with the SO PIN"
        ))),
        Err(CkError::Pkcs11(RvError::PinExpired, _)) => {
            Err(Error::KeyDecrypt(format!("the PIN for PKCS#11 {place} has expired; set a new one")))
        }
        Err(error) => Err(device_error(place, error)),
    }
}

/// The private key object the URI names; only its handle, never its value.
fn find_key(session: &Session, uri: &Pkcs11Uri, place: &str, logged_in: bool) -> Result<ObjectHandle> {
    let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
    if let Some(label) = &uri.object {
        template.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        template.push(Attribute::Id(id.clone()));
    }
    let mut found = session.find_objects(&template).map_err(|error| device_error(place, error))?;
    match found.len() {
        1 => {}
        0 => {
            let hint = if logged_in {
                ""
            } else {
                "; no PIN was given, and private keys are visible only after login (add pin-source=… \
                 or pin-value=… to the URI)"
            };
            return Err(Error::InvalidKey(format!(
                "no private key {} on PKCS#11 {place}{hint}",
                uri.shown()
            )));
        }
        many => {
            return Err(Error::Config(format!(
                "{many} private keys match {} on PKCS#11 {place}; add object= or id= to the URI",
                uri.shown()
            )))
        }
    }
    let key = found.remove(0);
    let attributes = session
        .get_attributes(key, &[AttributeType::KeyType, AttributeType::Sign])
        .map_err(|e| device_error(place, e))?;
    let named = format!("the key {} on PKCS#11 {place}", uri.shown());
    for attribute in attributes {
        match attribute {
            Attribute::KeyType(kind) if kind != KeyType::RSA => {
                return Err(Error::InvalidKey(format!("{named} is a {kind} key; RS256 needs an RSA key")));
            }
            Attribute::Sign(false) => {
                return Err(Error::InvalidKey(format!(
                    "{named} is not allowed to sign (its CKA_SIGN is false)"
                )));
            }
            _ => {}
        }
    }
    Ok(key)
}

/// The modulus and public exponent: public attributes of an RSA private key object, readable
/// however sensitive the key is.
fn read_public_key(session: &Session, key: ObjectHandle, uri: &Pkcs11Uri, place: &str) -> Result<PublicKey> {
    let attributes = session
        .get_attributes(key, &[AttributeType::Modulus, AttributeType::PublicExponent])
        .map_err(|error| device_error(place, error))?;
    let (mut modulus, mut exponent) = (None, None);
    for attribute in attributes {
        match attribute {
            Attribute::Modulus(value) => modulus = Some(value),
            Attribute::PublicExponent(value) => exponent = Some(value),
            _ => {}
        }
    }
    let (Some(modulus), Some(exponent)) = (modulus, exponent) else {
        return Err(Error::InvalidKey(format!(
            "the key {} on PKCS#11 {place} does not show its modulus and public exponent",
            uri.shown()
        )));
    };
    PublicKey::from_components(&modulus, &exponent)
}

fn choose_scheme(context: &Pkcs11, slot: Slot, place: &str) -> Result<Scheme> {
    let mechanisms = context.get_mechanism_list(slot).map_err(|error| device_error(place, error))?;
    if mechanisms.contains(&MechanismType::SHA256_RSA_PKCS) {
        Ok(Scheme::Sha256RsaPkcs)
    } else if mechanisms.contains(&MechanismType::RSA_PKCS) {
        Ok(Scheme::RsaPkcsDigestInfo)
    } else {
        Err(Error::InvalidKey(format!("PKCS#11 {place} offers neither CKM_SHA256_RSA_PKCS nor CKM_RSA_PKCS")))
    }
}

/// A failure of the token or its module while talking to it: removed, reset, broken.
fn device_error(place: &str, error: CkError) -> Error {
    Error::Transport(format!("PKCS#11 {place}: {}", ck_name(&error)))
}

fn sign_error(place: &str, error: CkError) -> Error {
    match error {
        CkError::Pkcs11(
            RvError::KeyFunctionNotPermitted | RvError::KeyTypeInconsistent | RvError::MechanismInvalid,
            _,
        ) => Error::InvalidKey(format!("{place} refused to sign: {}", ck_name(&error))),
        CkError::Pkcs11(RvError::UserNotLoggedIn, _) => Error::KeyDecrypt(format!(
            "{place} needs a PIN to sign; add pin-source=… or pin-value=… to the URI"
        )),
        other => device_error(place, other),
    }
}

/// The return value's name (`CKR_DEVICE_REMOVED`) and the failing function, without cryptoki's
/// paragraph-long descriptions.
fn ck_name(error: &CkError) -> String {
    match error {
        CkError::Pkcs11(rv, function) => format!("{function} returned {}", rv_name(*rv)),
        other => other.to_string(),
    }
}

fn rv_name(rv: RvError) -> String {
    let debug = format!("{rv:?}");
    let mut name = String::from("CKR");
    for (index, c) in debug.char_indices() {
        if c.is_ascii_uppercase() && index > 0 || index == 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_values_are_named_as_in_the_standard() {
        assert_eq!(rv_name(RvError::DeviceRemoved), "CKR_DEVICE_REMOVED");
        assert_eq!(rv_name(RvError::PinIncorrect), "CKR_PIN_INCORRECT");
    }

    #[test]
    fn a_module_that_is_not_there_is_a_config_error() {
        let error =
            Pkcs11Signer::open("pkcs11:object=k?module-path=/nonexistent/libnone.so&pin-value=9876", None)
                .unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Config);
        let message = error.to_string();
        assert!(message.contains("cannot load the PKCS#11 module /nonexistent/libnone.so"), "{message}");
        assert!(!message.contains("9876"));
    }
}
