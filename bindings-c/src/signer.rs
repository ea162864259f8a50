//! `taap_signer`: a key taap signs with but may not hold. A C function given the SHA-256
//! digest (a secure element, an HSM's own API, Vault transit), a `pkcs11:` URI, an `aws-kms:`
//! key, a key file, or an in-memory private key; taken wherever a key is, through the
//! `…_with_signer` functions (token.rs, policy.rs, client.rs).

use std::ffi::{c_char, c_void, OsStr};
use std::sync::Arc;

use taap::keys::{open_signer, shown_key_spec, CallbackSigner, Signer};
use taap_cabi::{ffi_panic_boundary, try_out, try_ref_from_ptr};

use crate::boundary::{guard, FfiResult};
use crate::convert::{c_array, c_bytes, free_handle, into_c_string, into_handle, optional_c_bytes, Handle};
use crate::keys::{taap_private_key, taap_public_key};
use crate::status::taap_status;

/// Something that signs RS256 and knows its public key: a private key in memory, a key in a
/// PKCS#11 token or in AWS KMS, or a C function. Thread-safe; free with `taap_signer_free`.
pub struct taap_signer {
    _opaque: [u8; 0],
}

impl Handle for taap_signer {
    type Target = Arc<dyn Signer>;
}

/// The function behind `taap_signer_from_callback`. taap calls it with the 32-byte SHA-256
/// digest of the JWS signing input in `digest`, a buffer `signature` of `*signature_len`
/// bytes (the public key's modulus length: 256 for RSA-2048) and `context` as given. It writes
/// the RSASSA-PKCS1-v1_5 signature of the digest (with the SHA-256 DigestInfo prefix, as RS256
/// needs) into `signature`, sets `*signature_len` to the bytes written when that is not the
/// whole buffer, and returns 0. Any other value means the device did not sign: the call that
/// asked for the token fails with `TAAP_TRANSPORT`, its message naming the value. The
/// pointers are valid only during the call. It may be called from any thread that builds a
/// token or sends a client's call with the signer, also from several at once: `context` and
/// what the function does with it must be safe for that.
pub type taap_sign_digest_fn = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        digest: *const u8,
        signature: *mut u8,
        signature_len: *mut usize,
    ) -> i32,
>;

/// The C function and context of a callback signer.
struct CFunction {
    sign: unsafe extern "C" fn(*mut c_void, *const u8, *mut u8, *mut usize) -> i32,
    context: *mut c_void,
}

// SAFETY: the core's `Signer` is `Send + Sync`, so it may call the function from any thread,
// and from several at once. `taap_signer_from_callback`'s contract in taap.h (and that of
// `taap_sign_digest_fn`) has the caller pass a function and context that are safe for exactly
// that; taap itself only passes `context` on, it never reads or writes through it.
unsafe impl Send for CFunction {}
// SAFETY: as for `Send` above: sharing `&CFunction` between threads only lets them call the
// function with the context, which the header's contract allows from any number of threads.
unsafe impl Sync for CFunction {}

impl CFunction {
    /// One call: the signature over `digest`, at most `modulus_len` bytes; a non-zero return
    /// is a `Transport` error naming it.
    fn sign(&self, digest: &[u8; 32], modulus_len: usize, label: &str) -> taap::Result<Vec<u8>> {
        let mut signature = vec![0u8; modulus_len];
        let mut written = modulus_len;
        // SAFETY: `sign` is the non-NULL function the caller gave `taap_signer_from_callback`,
        // whose contract (taap.h) is the one `taap_sign_digest_fn` states: it reads 32 bytes at
        // `digest` (a live `[u8; 32]`), writes at most `*signature_len` bytes at `signature` (a
        // live buffer of `modulus_len` bytes, which `written` holds) and may update `written`;
        // `context` is the caller's own, passed back unchanged.
        let code =
            unsafe { (self.sign)(self.context, digest.as_ptr(), signature.as_mut_ptr(), &mut written) };
        let shown = || shown_key_spec(OsStr::new(label));
        if code != 0 {
            return Err(taap_cabi::callback_failed(&shown(), code));
        }
        if written > modulus_len {
            return Err(taap_cabi::callback_overran(&shown(), written, modulus_len));
        }
        signature.truncate(written);
        Ok(signature)
    }
}

/// Hands a new signer to C.
fn hand_out(out: &mut *mut taap_signer, signer: Arc<dyn Signer>) {
    *out = into_handle::<taap_signer>(signer);
}

/// A signer whose signatures come from `sign` (see `taap_sign_digest_fn`), called with
/// `context`, for the key whose public half is `public_key` (copied: free it when you like).
/// Every signature is checked before a token carries it: one of the wrong length, or one that
/// does not verify under `public_key`, is `TAAP_SIGNATURE_INVALID` and no token is made.
/// `label` (UTF-8, NULL: `callback for RSA-2048 key THUMBPRINT`) names the key in messages
/// and `taap_signer_label`; never put a secret in it. `context` must stay valid, and safe to
/// use from any thread that signs with this signer, until the signer and every client made
/// with it are freed; taap never frees it.
///
/// # Safety
/// `public_key` is NULL or a live public key; `sign` is NULL or a function as
/// `taap_sign_digest_fn` describes; `label` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_signer_from_callback(
    public_key: *const taap_public_key,
    sign: taap_sign_digest_fn,
    context: *mut c_void,
    label: *const c_char,
    out: *mut *mut taap_signer,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable, `public_key` NULL or live and
        // `label` NULL or NUL-terminated (Safety above); the helpers refuse a NULL `out` or
        // `public_key`, and a NULL `label` is "none".
        let (out, public_key, label) = unsafe {
            (
                try_out!(out),
                try_ref_from_ptr!(public_key),
                optional_c_bytes(label).map(|bytes| taap_cabi::utf8(bytes, "label")).transpose()?,
            )
        };
        let sign = sign.ok_or_else(|| taap_cabi::Failure::null("sign"))?;
        let function = CFunction { sign, context };
        let modulus_len = (public_key.bits() as usize).div_ceil(8);
        let default_label = format!("callback for RSA-{} key {}", public_key.bits(), public_key.thumbprint());
        let label = label.map_or(default_label, str::to_owned);
        let shown = label.clone();
        let signer = CallbackSigner::new(public_key.clone(), move |digest: &[u8; 32]| {
            function.sign(digest, modulus_len, &shown)
        })
        .with_label(label);
        hand_out(out, Arc::new(signer));
        Ok(())
    })
}

/// Opens the key `spec` names: a `pkcs11:` URI (RFC 7512: `pkcs11:token=…;object=…` with
/// `?module-path=…` and `pin-value=…` or `pin-source=…`; a key in an HSM, SoftHSM2 or a TPM,
/// never extracted), an `aws-kms:` key (`aws-kms:arn:aws:kms:…`, `aws-kms:alias/NAME`,
/// `aws-kms:ID`, credentials and region from the environment as the AWS CLI reads them), or
/// else a PEM or DER private key file. `password` (`password_len` bytes; NULL: none) decrypts
/// an encrypted key file, or is the PIN of a `pkcs11:` URI that gives none itself. A libtaap
/// built without its `pkcs11` or `aws-kms` feature refuses such a URI with `TAAP_CONFIG`. A
/// module that cannot be loaded, a token or key that cannot be found is `TAAP_CONFIG`, a wrong
/// PIN `TAAP_KEY_DECRYPT`, an unreachable service `TAAP_TRANSPORT`.
///
/// # Safety
/// `spec` is NULL or NUL-terminated; `password` is NULL or points to `password_len` bytes;
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_signer_open(
    spec: *const c_char,
    password: *const u8,
    password_len: usize,
    out: *mut *mut taap_signer,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable, `spec` NULL or NUL-terminated
        // and `password` NULL or pointing to `password_len` bytes (Safety above); the helpers
        // refuse a NULL `out` or `spec`, and a NULL `password` is "none" (only read when not NULL).
        let (out, spec, password) = unsafe {
            (
                try_out!(out),
                c_bytes(spec, "spec")?,
                if password.is_null() { None } else { Some(c_array(password, password_len, "password")?) },
            )
        };
        hand_out(out, open_signer(spec_os(spec)?, password)?);
        Ok(())
    })
}

/// A spec as the OS names files: bytes on Unix, UTF-8 elsewhere.
fn spec_os(spec: &[u8]) -> FfiResult<&OsStr> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(OsStr::from_bytes(spec))
    }
    #[cfg(not(unix))]
    {
        Ok(taap_cabi::utf8(spec, "spec")?.as_ref())
    }
}

/// A signer for an in-memory private key (which keeps its own reference to `key`: free either
/// first), for code that takes a `taap_signer` wherever a key comes from.
///
/// # Safety
/// `key` is NULL or a live key; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_signer_from_private_key(
    key: *const taap_private_key,
    out: *mut *mut taap_signer,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `key` NULL or a live key and `out` NULL or writable
        // (Safety above); the helpers refuse NULL.
        let (out, key) = unsafe { (try_out!(out), try_ref_from_ptr!(key)) };
        hand_out(out, Arc::clone(key) as Arc<dyn Signer>);
        Ok(())
    })
}

/// The public key every signature of `signer` verifies under, as a new handle the caller frees.
///
/// # Safety
/// `signer` is NULL or live; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_signer_public_key(
    signer: *const taap_signer,
    out: *mut *mut taap_public_key,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `signer` NULL or live and `out` NULL or writable
        // (Safety above); the helpers refuse NULL.
        let (out, signer) = unsafe { (try_out!(out), try_ref_from_ptr!(signer)) };
        *out = into_handle::<taap_public_key>(signer.public_key().clone());
        Ok(())
    })
}

/// What `signer` is: `"in-memory"`, `"callback"`, `"pkcs11"`, `"aws-kms"` or `"other"`, as a
/// new string in `*out` (free it with `taap_string_free`).
///
/// # Safety
/// `signer` is NULL or live; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_signer_kind(signer: *const taap_signer, out: *mut *mut c_char) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `signer` NULL or live and `out` NULL or writable
        // (Safety above); the helpers refuse NULL.
        let (out, signer) = unsafe { (try_out!(out), try_ref_from_ptr!(signer)) };
        *out = into_c_string(signer.kind().name().to_owned())?;
        Ok(())
    })
}

/// The label naming `signer`'s key, as a new string in `*out` (free it with
/// `taap_string_free`): a `pkcs11:` URI with any `pin-value` shown as `***`, a KMS key id, the
/// label given to `taap_signer_from_callback`, or `RSA-2048 key THUMBPRINT`. Never a PIN or
/// key material.
///
/// # Safety
/// `signer` is NULL or live; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_signer_label(signer: *const taap_signer, out: *mut *mut c_char) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `signer` NULL or live and `out` NULL or writable
        // (Safety above); the helpers refuse NULL.
        let (out, signer) = unsafe { (try_out!(out), try_ref_from_ptr!(signer)) };
        let label = shown_key_spec(OsStr::new(&signer.label()));
        // A label given from C cannot hold a NUL byte; one from elsewhere is shown up to it.
        let label = label.split('\0').next().unwrap_or_default().to_owned();
        *out = into_c_string(label)?;
        Ok(())
    })
}

/// Frees a signer (a client made with it keeps its own reference). NULL is ignored.
///
/// # Safety
/// `signer` is NULL or live, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_signer_free(signer: *mut taap_signer) {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `signer` NULL or live and never used again (Safety
        // above), which is what `free_handle` requires.
        unsafe { free_handle(signer) }
    }
}
