//! `SignerHandle`: a key that signs outside this process's memory (a PKCS#11 token, AWS KMS, a
//! JavaScript function), taken wherever a private key is.
//!
//! A callback signer reaches its JavaScript function two ways. A synchronous build
//! (`PopToken.build`, `forRequest`, `signRequest`) runs on the JavaScript thread, marked by
//! [`OnJsThread`]: the function is called right there and must answer with the signature. Every
//! other build (`buildAsync`, the client's calls) runs on a thread of its own, which queues the
//! call on the JavaScript thread through a thread-safe function and waits, for at most the
//! signer's timeout, for `lib/signer.js` to hand the settled answer back ([`settle_signature`]).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use napi::bindgen_prelude::{Buffer, ClassInstance, Either, Env, Function, FunctionRef, Uint8Array};
use napi::sys;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue};
use napi::Status;
use napi_derive::napi;
use taap::keys::{shown_key_spec, CallbackSigner, Signer};
use taap::Error;

use crate::bytes::{as_bytes, BytesArg};
use crate::error::{bad_argument, internal, to_js, Failure};
use crate::keys::{PrivateKeyHandle, PublicKeyHandle};

/// What `lib/signer.js` made of one call of the caller's function: `kind` is `ok` (with the
/// signature), `Transport` (it threw, rejected or failed to answer), `SignatureInvalid` (it
/// answered with something that is not bytes) or `TypeError` (a Promise to a synchronous build);
/// `detail` says what happened, without the label, which is added here.
#[napi(object)]
pub struct CallbackOutcome {
    /// `ok`, `Transport`, `SignatureInvalid` or `TypeError`.
    pub kind: String,
    /// The signature, when `kind` is `ok`.
    pub signature: Option<Uint8Array>,
    /// What went wrong, e.g. `threw TypeError: no device`.
    pub detail: Option<String>,
}

/// A [`CallbackOutcome`] that may cross threads.
struct Outcome {
    kind: String,
    signature: Vec<u8>,
    detail: String,
}

impl From<CallbackOutcome> for Outcome {
    fn from(outcome: CallbackOutcome) -> Self {
        Outcome {
            kind: outcome.kind,
            signature: outcome.signature.map(|bytes| bytes.to_vec()).unwrap_or_default(),
            detail: outcome.detail.unwrap_or_default(),
        }
    }
}

thread_local! {
    /// The JavaScript thread's environment while a synchronous build runs on it.
    static JS_ENV: Cell<Option<sys::napi_env>> = const { Cell::new(None) };
    /// Set when a callback gave a Promise to a synchronous build: the build throws a TypeError.
    static ASYNC_IN_SYNC: Cell<bool> = const { Cell::new(false) };
}

/// Marks a synchronous build on the JavaScript thread, so a callback signer calls its function
/// directly; dropping it unmarks the thread.
pub struct OnJsThread {
    previous: Option<sys::napi_env>,
}

impl OnJsThread {
    /// Marks this (the JavaScript) thread for the length of one build.
    pub fn enter(env: &Env) -> Self {
        ASYNC_IN_SYNC.with(|flag| flag.set(false));
        OnJsThread { previous: JS_ENV.with(|cell| cell.replace(Some(env.raw()))) }
    }

    /// The coded error for a failed build: a TypeError when a callback answered a synchronous
    /// build with a Promise, else the core's error.
    pub fn failure(&self, error: Error) -> Failure {
        if ASYNC_IN_SYNC.with(|flag| flag.replace(false)) {
            bad_argument(&error.to_string().replace("invalid configuration: ", ""))
        } else {
            to_js(error)
        }
    }
}

impl Drop for OnJsThread {
    fn drop(&mut self) {
        JS_ENV.with(|cell| cell.set(self.previous));
    }
}

/// Answers waited for by build threads, by call id.
static PENDING: Mutex<BTreeMap<u32, SyncSender<Outcome>>> = Mutex::new(BTreeMap::new());
static NEXT_CALL: AtomicU32 = AtomicU32::new(1);

fn pending() -> std::sync::MutexGuard<'static, BTreeMap<u32, SyncSender<Outcome>>> {
    PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Hands a settled answer of the caller's function to the build thread waiting for call `id`
/// (none, once it gave up waiting).
#[napi]
pub fn settle_signature(id: u32, outcome: CallbackOutcome) {
    if let Some(waiting) = pending().remove(&id) {
        let _ = waiting.send(Outcome::from(outcome));
    }
}

type AsyncCall = ThreadsafeFunction<(Vec<u8>, u32), UnknownReturnValue, (Buffer, u32), Status, false, true>;

/// The JavaScript function of a callback signer, callable from any thread.
struct JsCallback {
    /// `lib/signer.js`'s synchronous caller: `(digest) => CallbackOutcome`.
    sync_call: FunctionRef<Buffer, CallbackOutcome>,
    /// `lib/signer.js`'s asynchronous caller: `([digest, id]) => void`, settling through
    /// [`settle_signature`]; weak, so a signer never keeps the process alive.
    async_call: AsyncCall,
    timeout: Duration,
    label: Arc<OnceLock<String>>,
}

impl JsCallback {
    fn sign(&self, digest: &[u8; 32]) -> taap::Result<Vec<u8>> {
        let outcome = match JS_ENV.with(Cell::get) {
            Some(raw) => self.call_here(raw, digest)?,
            None => self.call_from_thread(digest)?,
        };
        let label = self.label.get().map_or("callback", String::as_str);
        let refused = |detail: &str| {
            format!("the callback signer ({}) {detail}; no token was made with it", shorten(label))
        };
        match outcome.kind.as_str() {
            "ok" => Ok(outcome.signature),
            "SignatureInvalid" => Err(Error::SignatureInvalid(refused(&outcome.detail))),
            "TypeError" => {
                ASYNC_IN_SYNC.with(|flag| flag.set(true));
                Err(Error::Config(refused(&outcome.detail)))
            }
            _ => Err(Error::Transport(refused(&outcome.detail))),
        }
    }

    /// A synchronous build: the function is called on this, the JavaScript, thread.
    fn call_here(&self, raw: sys::napi_env, digest: &[u8; 32]) -> taap::Result<Outcome> {
        let env = Env::from_raw(raw);
        let called = self
            .sync_call
            .borrow_back(&env)
            .and_then(|function| function.call(Buffer::from(digest.to_vec())));
        called.map(Outcome::from).map_err(|error| {
            Error::Transport(format!("the callback signer could not be called: {}", error.reason))
        })
    }

    /// Any other build: the call is queued on the JavaScript thread and its answer waited for.
    fn call_from_thread(&self, digest: &[u8; 32]) -> taap::Result<Outcome> {
        let id = NEXT_CALL.fetch_add(1, Ordering::Relaxed);
        let (answer, answered) = sync_channel(1);
        pending().insert(id, answer);
        let status = self.async_call.call((digest.to_vec(), id), ThreadsafeFunctionCallMode::NonBlocking);
        if status != Status::Ok {
            pending().remove(&id);
            let label = self.label.get().map_or("callback", String::as_str);
            return Err(Error::Transport(format!(
                "the callback signer ({}) cannot be called: the JavaScript thread is gone ({status}); \
                 no token was made with it",
                shorten(label)
            )));
        }
        match answered.recv_timeout(self.timeout) {
            Ok(outcome) => Ok(outcome),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                pending().remove(&id);
                Ok(Outcome {
                    kind: "Transport".into(),
                    signature: Vec::new(),
                    detail: format!("gave no signature within {} s", self.timeout.as_secs_f64()),
                })
            }
        }
    }
}

/// A label as it may be shown: a `pin-value` in it masked, cut to 200 characters.
fn shorten(label: &str) -> String {
    let shown = shown_key_spec(OsStr::new(label));
    match shown.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &shown[..end]),
        None => shown,
    }
}

/// A key that makes RS256 signatures somewhere else: a PKCS#11 token, AWS KMS, a function.
#[napi]
pub struct SignerHandle {
    pub(crate) inner: Arc<dyn Signer>,
}

#[napi]
impl SignerHandle {
    /// Opens the key `uri` names: a `pkcs11:` URI, an `aws-kms:` key or a PEM/DER key file.
    #[napi(factory)]
    pub fn from_uri(uri: String, password: Option<BytesArg>) -> Result<Self, Failure> {
        let password = password.as_ref().map(as_bytes);
        taap::keys::open_signer(&uri, password).map(|inner| SignerHandle { inner }).map_err(to_js)
    }

    /// A signer whose signatures come from `lib/signer.js`'s two callers of the caller's function.
    #[napi(factory)]
    pub fn from_callback(
        public_key: &PublicKeyHandle,
        sync_call: Function<Buffer, CallbackOutcome>,
        async_call: Function<(Buffer, u32), UnknownReturnValue>,
        label: Option<String>,
        timeout_ms: u32,
    ) -> Result<Self, Failure> {
        let async_call: AsyncCall = async_call
            .build_threadsafe_function::<(Vec<u8>, u32)>()
            .callee_handled::<false>()
            .weak::<true>()
            .build_callback(|context| Ok((Buffer::from(context.value.0), context.value.1)))
            .map_err(internal)?;
        let named = Arc::new(OnceLock::new());
        let callback = JsCallback {
            sync_call: sync_call.create_ref().map_err(internal)?,
            async_call,
            timeout: Duration::from_millis(u64::from(timeout_ms)),
            label: Arc::clone(&named),
        };
        let signer =
            CallbackSigner::new(public_key.inner.clone(), move |digest: &[u8; 32]| callback.sign(digest));
        let signer = match label {
            Some(label) => signer.with_label(label),
            None => signer,
        };
        let _ = named.set(signer.label());
        Ok(SignerHandle { inner: Arc::new(signer) })
    }

    /// `in-memory`, `callback`, `pkcs11`, `aws-kms` or `other`.
    #[napi(getter)]
    pub fn kind(&self) -> &'static str {
        self.inner.kind().name()
    }

    /// The key's name (a URI without its PIN, a KMS key id, a thumbprint); never a secret.
    #[napi(getter)]
    pub fn label(&self) -> String {
        shown_key_spec(OsStr::new(&self.inner.label()))
    }

    /// The public key every signature verifies under.
    #[napi]
    pub fn public_key(&self) -> PublicKeyHandle {
        PublicKeyHandle { inner: self.inner.public_key().clone() }
    }
}

/// A key argument: a parsed private key or a signer.
pub type KeyArg<'a> = Either<ClassInstance<'a, PrivateKeyHandle>, ClassInstance<'a, SignerHandle>>;

/// The signer behind a key argument.
pub fn signer_of(key: &KeyArg<'_>) -> Arc<dyn Signer> {
    match key {
        Either::A(private) => Arc::clone(&private.inner) as Arc<dyn Signer>,
        Either::B(signer) => Arc::clone(&signer.inner),
    }
}

/// Whether signing with `key` may wait on a device, a service or a JavaScript function, so an
/// asynchronous build runs on a thread of its own rather than on the libuv pool.
pub fn waits(key: &KeyArg<'_>) -> bool {
    matches!(key, Either::B(signer) if signer.inner.kind() != taap::keys::SignerKind::InMemory)
}
