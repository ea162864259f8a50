//! `Taap\Signer`: a key that signs outside this process's memory (a PKCS#11 token, AWS KMS, a
//! PHP callable), taken wherever a `Taap\PrivateKey` is. It has no PHP properties, so
//! `var_dump`, `print_r` and `var_export` show nothing of it (a `pin-value=` in its URI
//! included), and it refuses `serialize`.
//!
//! # The PHP callable of `fromCallback`
//!
//! The core wants a `Send + Sync + 'static` function; a `Zval` is neither. The callable is kept
//! as a counted reference (`Zval::shallow_clone`, one more on its refcount) inside the core
//! `CallbackSigner`, which lives only in PHP objects of this request: the `Taap\Signer` and the
//! `Taap\TaapClient`s made with it. Those objects are freed on the request's thread while the
//! engine is still up (at the latest when it frees every object at request end; it keeps an
//! extra reference on each object it frees then, so releasing ours never frees memory twice),
//! and their `Arc` is the last owner (the core's key cache holds only in-memory keys), so the
//! callable's reference is released then, on that thread: no signer outlives its request, even
//! on a ZTS thread that goes on to serve another. The alternative, keeping the callable only in
//! the PHP object and calling it while that object is alive, would need every signing call (and
//! the client, which signs later) to carry the PHP object along; the counted reference is what
//! PHP's own `Closure` holders do and keeps the callable alive exactly as long as anything can
//! call it.
//!
//! PHP runs a request on one thread, and the core calls a signer on the thread that asked for
//! the token, so the callable is called on the PHP thread. The wrapper records that thread; a
//! call from any other is refused as a `TransportException` without touching the engine, and a
//! release on another thread leaks the reference rather than touch the engine (neither happens
//! with this door). A cycle (a closure that captures its own signer) is not seen by PHP's cycle
//! collector, so it lives until the request ends.

use std::cell::{Cell, RefCell};
use std::mem::ManuallyDrop;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};
use std::thread::ThreadId;

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::{ClassFlags, DataType};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendObject, Zval};
use ext_php_rs::zend::{ce, try_catch, ExecutorGlobals};
use taap::keys::{shown_key_spec, CallbackSigner};
use taap::Error;

use crate::errors::guard;
use crate::keys::{PrivateKey, PublicKey};

/// A key that makes RS256 signatures: one in a PKCS#11 token or AWS KMS (`fromUri`), one a PHP
/// callable reaches (`fromCallback`), or a key file. Taken wherever a `Taap\PrivateKey` is.
#[php_class]
#[php(name = "Taap\\Signer")]
#[php(flags = ClassFlags::Final)]
pub struct Signer {
    /// The core signer; the client shares it.
    pub inner: Arc<dyn taap::keys::Signer>,
}

#[php_impl]
impl Signer {
    /// Opens the key `uri` names: a `pkcs11:` URI (RFC 7512), an `aws-kms:` key (ARN,
    /// `alias/NAME` or id), or else a PEM/DER private key file. `password` decrypts an encrypted
    /// key file, or is the PIN of a `pkcs11:` URI that gives none itself.
    pub fn from_uri(uri: &str, password: Option<BinarySlice<u8>>) -> PhpResult<Self> {
        guard(|| taap::keys::open_signer(uri, password.as_deref().copied())).map(|inner| Signer { inner })
    }

    /// A signer that calls `sign($digest)` for each signature: `$digest` is the 32-byte SHA-256
    /// of the JWS signing input, the answer the PKCS#1 v1.5 signature bytes (a string) under
    /// `public_key`. Every answer is checked against `public_key` before a token carries it.
    pub fn from_callback(public_key: &PublicKey, sign: &Zval, label: Option<String>) -> PhpResult<Self> {
        let sign = sign.dereference();
        if !sign.is_callable() {
            return Err(PhpException::new(
                format!(
                    "Taap\\Signer::fromCallback(): Argument #2 ($sign) must be of type callable, {} given",
                    type_name(sign)
                ),
                0,
                ce::type_error(),
            ));
        }
        let callable = PhpCallable::new(sign);
        let name: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let named = Arc::clone(&name);
        let callback = CallbackSigner::new(public_key.inner.clone(), move |digest: &[u8; 32]| {
            callable.call(digest, named.get().map_or("callback", String::as_str))
        });
        let callback = match label {
            Some(label) => callback.with_label(label),
            None => callback,
        };
        let _ = name.set(taap::keys::Signer::label(&callback));
        Ok(Signer { inner: Arc::new(callback) })
    }

    /// What the signer is: `in-memory`, `pkcs11`, `aws-kms`, `callback` or `other`.
    pub fn kind(&self) -> &'static str {
        self.inner.kind().name()
    }

    /// A name for the key (a URI without its PIN, a KMS key id, a thumbprint); never a secret.
    pub fn label(&self) -> String {
        shown_label(&*self.inner)
    }

    /// The public key every signature verifies under.
    pub fn public_key(&self) -> PublicKey {
        PublicKey { inner: self.inner.public_key().clone() }
    }
}

/// The label as it may be shown: a `pin-value` a caller put in one is masked.
fn shown_label(signer: &dyn taap::keys::Signer) -> String {
    shown_key_spec(std::ffi::OsStr::new(&signer.label()))
}

/// A label cut to 200 characters, as the core cuts it in its own messages.
fn shortened(label: &str) -> String {
    let shown = shown_key_spec(std::ffi::OsStr::new(label));
    match shown.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &shown[..end]),
        None => shown,
    }
}

/// The `key` argument of every signing method: a `Taap\PrivateKey` or a `Taap\Signer`, as the
/// core's signer; anything else is the `TypeError` PHP itself throws for a union type.
pub fn signing_key(key: &Zval, function: &str, position: usize) -> PhpResult<Arc<dyn taap::keys::Signer>> {
    let key = key.dereference();
    signer_of(key).ok_or_else(|| {
        PhpException::new(
            format!(
                "{function}(): Argument #{position} ($key) must be of type \
                 Taap\\PrivateKey|Taap\\Signer, {} given",
                type_name(key)
            ),
            0,
            ce::type_error(),
        )
    })
}

/// The core signer of a `Taap\PrivateKey` or `Taap\Signer` value, or `None`.
pub fn signer_of(value: &Zval) -> Option<Arc<dyn taap::keys::Signer>> {
    let object = value.dereference().object()?;
    if let Some(key) = ZendClassObject::<PrivateKey>::from_zend_obj(object) {
        return Some(Arc::clone(&key.inner) as Arc<dyn taap::keys::Signer>);
    }
    ZendClassObject::<Signer>::from_zend_obj(object).map(|signer| Arc::clone(&signer.inner))
}

/// A value's type as PHP's own argument errors name it (`string`, `int`, a class name).
fn type_name(value: &Zval) -> String {
    if let Some(Ok(class)) = value.object().map(ZendObject::get_class_name) {
        return class;
    }
    match value.get_type() {
        DataType::Long => "int".into(),
        DataType::Double => "float".into(),
        DataType::True | DataType::False | DataType::Bool => "bool".into(),
        DataType::Null | DataType::Undef => "null".into(),
        other => other.to_string().to_lowercase(),
    }
}

/// A counted reference to a PHP callable, used only on the thread that made it (see the
/// module's comment).
struct PhpCallable {
    callable: ManuallyDrop<Zval>,
    thread: ThreadId,
}

// SAFETY: the zval is read, called and released only on `thread`, the request's thread that
// made it: `call` refuses other threads before touching it and `drop` leaks it there.
unsafe impl Send for PhpCallable {}
// SAFETY: as above; PHP runs one request on one thread, so two calls never overlap.
unsafe impl Sync for PhpCallable {}

impl PhpCallable {
    fn new(callable: &Zval) -> Self {
        PhpCallable {
            callable: ManuallyDrop::new(callable.shallow_clone()),
            thread: std::thread::current().id(),
        }
    }

    /// One call of the PHP callable with the digest; its answer as bytes, or the core error
    /// that names the callback.
    fn call(&self, digest: &[u8; 32], label: &str) -> taap::Result<Vec<u8>> {
        let label = shortened(label);
        if std::thread::current().id() != self.thread {
            return Err(Error::Transport(format!(
                "the callback signer ({label}) was called outside the PHP thread that made it; no \
                 token was made with it"
            )));
        }
        let mut argument = Zval::new();
        argument.set_binary(digest.to_vec());
        // A fatal error in the callable (memory_limit, a time limit) is a bailout: it is caught
        // here, so the core's frames return normally, and resumed by `errors::guard`.
        let called = try_catch(AssertUnwindSafe(|| self.callable.try_call(vec![&argument])));
        let answer = match called {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => return Err(self.thrown(&label)),
            Err(_) => {
                BAILED_OUT.with(|bailed| bailed.set(true));
                return Err(Error::Transport(format!(
                    "the callback signer ({label}) stopped with a fatal error; no token was made with it"
                )));
            }
        };
        match answer.zend_str() {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => Err(Error::SignatureInvalid(format!(
                "the callback signer ({label}) returned {}, not a string; no token was made with it",
                type_name(&answer)
            ))),
        }
    }

    /// The core error for a callable that threw: the exception is taken from the engine and
    /// kept, to become the `getPrevious()` of the taap exception thrown for this error. `exit()`
    /// (an engine-internal unwind) is left pending, so the script still ends.
    fn thrown(&self, label: &str) -> Error {
        let class = ExecutorGlobals::pending_exception_class();
        let Some(class) = class else {
            return Error::Transport(format!(
                "the callback signer ({label}) could not be called; no token was made with it"
            ));
        };
        if class.eq_ignore_ascii_case("UnwindExit") || class.eq_ignore_ascii_case("GracefulExit") {
            return Error::Transport(format!("the callback signer ({label}) ended the script"));
        }
        let error = Error::Transport(format!(
            "the callback signer ({label}) threw {class}; no token was made with it (the \
             exception is this one's getPrevious())"
        ));
        if let Some(mut thrown) = ExecutorGlobals::take_exception() {
            let mut previous = Zval::new();
            previous.set_object(&mut thrown);
            let older =
                THROWN.with(|slot| slot.replace(Some((error.to_string(), ManuallyDrop::new(previous)))));
            release(older);
        }
        error
    }
}

impl Drop for PhpCallable {
    fn drop(&mut self) {
        if std::thread::current().id() == self.thread {
            // SAFETY: dropped once, on the thread whose engine owns the zval.
            unsafe { ManuallyDrop::drop(&mut self.callable) }
        }
    }
}

thread_local! {
    /// The exception the last failing callback on this thread threw, with the message of the
    /// core error it became, so the taap exception thrown for it carries it as `getPrevious()`.
    /// Never released by the thread's exit, which comes after the engine's shutdown.
    static THROWN: RefCell<Option<(String, ManuallyDrop<Zval>)>> = const { RefCell::new(None) };
    /// Whether a callback's fatal error (a bailout) was caught and waits to be resumed.
    static BAILED_OUT: Cell<bool> = const { Cell::new(false) };
}

/// The exception a callback threw for the core error `message`, if that is where it came from.
/// Called for every core error the door turns into an exception.
pub fn thrown_by_callback(message: &str) -> Option<Zval> {
    match THROWN.with(RefCell::take) {
        Some((stored, thrown)) if stored == message => Some(ManuallyDrop::into_inner(thrown)),
        // An older one no error asked for: released now, on the request's thread.
        older => {
            release(older);
            None
        }
    }
}

fn release(thrown: Option<(String, ManuallyDrop<Zval>)>) {
    if let Some((_, thrown)) = thrown {
        drop(ManuallyDrop::into_inner(thrown));
    }
}

/// Whether a callback hit a fatal error that must now continue to the engine (once).
pub fn take_bailout() -> bool {
    BAILED_OUT.with(|bailed| bailed.replace(false))
}
