//! `taap_signer`: tokens whose signature comes from a C function given the SHA-256 digest, for
//! keys the firmware cannot read (a secure element such as NXP's SE050, the nRF9160's
//! CryptoCell through PSA's `psa_sign_hash`), and `taap_public_key`, the key it is checked
//! against. The names and prototypes are libtaap's (taap.h), so C code moves between the two.
//!
//! The signer is the core's [`CallbackSigner`]: the core hashes the JWS signing input, asks the
//! function, and checks what comes back (its length is the modulus size, it verifies under the
//! public key given once) before a token carries it; a bad one is `TAAP_SIGNATURE_INVALID`.
//! Unlike libtaap's, the buffer the function writes into is on taap's stack: nothing is
//! allocated for the call.

use core::ffi::{c_char, c_void};

use taap::keys::CallbackSigner;
use taap::PublicKey;
use taap_cabi::{
    free_handle, into_handle, optional_c_bytes, status_of, taap_status, try_c_bytes, try_out,
    try_ref_from_ptr, try_slice, utf8, Failure, Handle,
};

/// An RSA public key (verifies PoP tokens); thread-safe. Free with `taap_public_key_free`.
pub struct taap_public_key {
    _opaque: [u8; 0],
}

impl Handle for taap_public_key {
    type Target = PublicKey;
}

/// Something that signs RS256 and knows its public key; here a C function
/// (`taap_signer_from_callback`). Free with `taap_signer_free`.
pub struct taap_signer {
    _opaque: [u8; 0],
}

impl Handle for taap_signer {
    type Target = CallbackSigner;
}

/// The function behind `taap_signer_from_callback`. taap calls it with the 32-byte SHA-256
/// digest of the JWS signing input in `digest`, a buffer `signature` of `*signature_len`
/// bytes (the public key's modulus length: 256 for RSA-2048) and `context` as given. It writes
/// the RSASSA-PKCS1-v1_5 signature of the digest (with the SHA-256 DigestInfo prefix, as RS256
/// needs: PSA's `PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_SHA_256)`, the SE050's
/// `kAlgorithm_SSS_RSASSA_PKCS1_V1_5_SHA256`) into `signature`, sets `*signature_len` to the
/// bytes written when that is not the whole buffer, and returns 0. Any other value means the
/// device did not sign: `taap_pop_token_build_with_signer` fails with `TAAP_TRANSPORT`, its
/// message naming the value (as in libtaap). The pointers are valid only during the call; `signature` is on taap's stack (this
/// library allocates nothing for the call). It is called on the thread that builds the token,
/// during `taap_pop_token_build_with_signer`, from several threads at once if they build at
/// once: `context` and what the function does with it must be safe for that.
pub type taap_sign_digest_fn = Option<
    unsafe extern "C" fn(
        context: *mut c_void,
        digest: *const u8,
        signature: *mut u8,
        signature_len: *mut usize,
    ) -> i32,
>;

/// A `taap_sign_digest_fn`, not NULL.
type SignFn = unsafe extern "C" fn(*mut c_void, *const u8, *mut u8, *mut usize) -> i32;

/// How messages name the signer (this library keeps no label text for them).
const SIGNER: &str = "taap_signer_from_callback";

/// The largest signature: the core's keys have at most 8192 bits.
const MAX_SIGNATURE_BYTES: usize = 8192 / 8;

/// The C function and its context, called with a buffer on the stack.
struct DigestCallback {
    sign: SignFn,
    context: *mut c_void,
    /// The modulus size in bytes: the length of every signature under the public key.
    signature_size: usize,
}

// SAFETY: taap calls the function only on the thread of a `taap_pop_token_build_with_signer`
// call, during it, and taap_embedded.h (`taap_sign_digest_fn`, `taap_signer_from_callback`)
// has the caller pass a function and context that are safe to use from any thread that builds
// with the signer, from several at once too; taap only passes `context` on, never reads it.
// The core's `Signer` asks for these bounds because other doors share signers between threads.
unsafe impl Send for DigestCallback {}
// SAFETY: as for `Send` just above: sharing `&DigestCallback` only lets threads call the
// function with the context, which the header's contract allows from any number of threads.
unsafe impl Sync for DigestCallback {}

impl DigestCallback {
    /// The function's signature over `digest`, copied out of the stack buffer it wrote; a
    /// non-zero return becomes the core error it names.
    fn sign(&self, digest: &[u8; 32]) -> taap::Result<alloc::vec::Vec<u8>> {
        let mut buffer = [0u8; MAX_SIGNATURE_BYTES];
        let buffer = &mut buffer[..self.signature_size.min(MAX_SIGNATURE_BYTES)];
        let mut written = buffer.len();
        // SAFETY: `digest` is 32 readable bytes, `buffer` is `written` writable bytes and
        // `written` a writable `usize`, all alive during the call: what taap_embedded.h promises
        // the function (`taap_sign_digest_fn`); `context` is the caller's own, passed back.
        let code = unsafe { (self.sign)(self.context, digest.as_ptr(), buffer.as_mut_ptr(), &mut written) };
        if code != 0 {
            return Err(taap_cabi::callback_failed(SIGNER, code));
        }
        // A length past the buffer cannot be read; a shorter one is refused by the core's check.
        let size = buffer.len();
        let signature =
            buffer.get(..written).ok_or_else(|| taap_cabi::callback_overran(SIGNER, written, size))?;
        Ok(signature.to_vec())
    }
}

/// Loads a public key from PEM: SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`).
///
/// # Safety
/// `pem` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_from_pem(
    pem: *const c_char,
    out: *mut *mut taap_public_key,
) -> taap_status {
    status_of(|| {
        // SAFETY: taap_embedded.h has the caller pass `pem` NULL or NUL-terminated and `out`
        // NULL or writable (Safety above); the helpers refuse NULL.
        let (out, pem) = unsafe { (try_out!(out), try_c_bytes!(pem)) };
        *out = into_handle::<taap_public_key>(PublicKey::from_pem(pem)?);
        Ok(())
    })
}

/// Loads a public key from DER: SPKI or PKCS#1.
///
/// # Safety
/// `der` points to `der_len` bytes; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_from_der(
    der: *const u8,
    der_len: usize,
    out: *mut *mut taap_public_key,
) -> taap_status {
    status_of(|| {
        // SAFETY: taap_embedded.h has the caller pass `der` pointing to `der_len` bytes and
        // `out` NULL or writable (Safety above); the helpers refuse NULLs.
        let (out, der) = unsafe { (try_out!(out), try_slice!(der, der_len)) };
        *out = into_handle::<taap_public_key>(PublicKey::from_der(der)?);
        Ok(())
    })
}

/// Frees a public key. NULL is ignored.
///
/// # Safety
/// `key` is NULL or a live key, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_public_key_free(key: *mut taap_public_key) {
    taap_cabi::ffi_panic_boundary! {
        // SAFETY: taap_embedded.h has the caller pass `key` NULL or a live key it never uses
        // again (Safety above), which is what `free_handle` requires.
        unsafe { free_handle(key) }
    }
}

/// A signer whose signatures come from `sign` (see `taap_sign_digest_fn`), called with
/// `context`, for the key whose public half is `public_key` (copied: free it when you like).
/// Every signature is checked before a token carries it: one of the wrong length, or one that
/// does not verify under `public_key`, is `TAAP_SIGNATURE_INVALID` and no token is made.
/// `label` (UTF-8, NULL: `callback for RSA-2048 key THUMBPRINT`) names the key; never put a
/// secret in it. `context` must stay valid, and safe to use from any thread that signs with
/// this signer, until the signer is freed; taap never frees it.
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
    status_of(|| {
        // SAFETY: taap_embedded.h has the caller pass `out` NULL or writable, `public_key` NULL
        // or live and `label` NULL or NUL-terminated (Safety above); the helpers refuse a NULL
        // `out` or `public_key`, and a NULL `label` is "none".
        let (out, public_key, label) =
            unsafe { (try_out!(out), try_ref_from_ptr!(public_key), optional_c_bytes(label)) };
        let label = label.map(|bytes| utf8(bytes, "label")).transpose()?;
        let sign = sign.ok_or_else(|| Failure::null("sign"))?;
        let callback = DigestCallback { sign, context, signature_size: public_key.modulus().len() };
        let signer = CallbackSigner::new(public_key.clone(), move |digest: &[u8; 32]| callback.sign(digest));
        let signer = match label {
            Some(label) => signer.with_label(label),
            None => signer,
        };
        *out = into_handle::<taap_signer>(signer);
        Ok(())
    })
}

/// Frees a signer. NULL is ignored.
///
/// # Safety
/// `signer` is NULL or live, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_signer_free(signer: *mut taap_signer) {
    taap_cabi::ffi_panic_boundary! {
        // SAFETY: taap_embedded.h has the caller pass `signer` NULL or a live signer it never
        // uses again (Safety above), which is what `free_handle` requires.
        unsafe { free_handle(signer) }
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, CString};

    use taap::keys::Signer;
    use taap::token::{BuildOptions, Ehts};
    use taap::{PopToken, PrivateKey};
    use taap_cabi::{taap_ehts_entry, taap_string_free};

    use super::*;
    use crate::token::{taap_build_options, taap_pop_token_build_with_signer};

    const KEY: &str = include_str!("../../tests/keys/tmobile/readme-private-pkcs8.pem");
    const PUBLIC: &str = include_str!("../../tests/keys/tmobile/readme-public.pem");
    const OTHER_PUBLIC: &str = include_str!("../../tests/keys/openssl/spki-public.pem");
    const IAT: i64 = 1_767_225_600;
    const EHTS: [taap_ehts_entry; 2] = [
        taap_ehts_entry { name: c"uri".as_ptr(), value: c"/commerce/v1/orders".as_ptr() },
        taap_ehts_entry { name: c"http-method".as_ptr(), value: c"POST".as_ptr() },
    ];

    /// What the test's "secure element" does when asked to sign.
    #[derive(Clone, Copy)]
    enum Mode {
        Signs,
        Fails,
        SaysConfig,
        Short,
        Overlong,
        Corrupts,
    }

    /// The device: a mode and the one signature it holds (the in-memory key's for the token).
    struct Device {
        mode: Mode,
        signature: Vec<u8>,
    }

    unsafe extern "C" fn device(
        context: *mut c_void,
        _digest: *const u8,
        signature: *mut u8,
        signature_len: *mut usize,
    ) -> i32 {
        let device = unsafe { &*(context as *const Device) };
        let size = unsafe { *signature_len };
        let mut bytes = device.signature.clone();
        assert_eq!(bytes.len(), size);
        let written = match device.mode {
            Mode::Fails => return -1,
            Mode::SaysConfig => return taap_status::TAAP_CONFIG as i32,
            Mode::Short => size - 1,
            Mode::Overlong => size + 1,
            Mode::Corrupts => {
                bytes[10] ^= 1;
                size
            }
            Mode::Signs => size,
        };
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), signature, written.min(size)) };
        unsafe { *signature_len = written };
        0
    }

    /// The in-memory key's token for `EHTS`: what the callback signer must reproduce.
    fn expected_token() -> String {
        let key = PrivateKey::from_pem(KEY, None).unwrap();
        let options = BuildOptions::default().issued_at(IAT).jti_from_random_bytes([0; 16]);
        let ehts = Ehts::from_pairs([("uri", "/commerce/v1/orders"), ("http-method", "POST")]).unwrap();
        PopToken::sign(&key, &ehts, &options).unwrap()
    }

    fn public_key(pem: &str) -> *mut taap_public_key {
        let pem = CString::new(pem).unwrap();
        let mut key = core::ptr::null_mut();
        assert_eq!(unsafe { taap_public_key_from_pem(pem.as_ptr(), &mut key) }, taap_status::TAAP_OK);
        key
    }

    fn options(random: &[u8; 16]) -> taap_build_options {
        taap_build_options {
            ttl_secs: 0,
            iat: IAT,
            jti_random: random.as_ptr(),
            rng: None,
            rng_context: core::ptr::null_mut(),
        }
    }

    fn build(public: &str, mode: Mode) -> (taap_status, Option<String>) {
        let expected = expected_token();
        let key = PrivateKey::from_pem(KEY, None).unwrap();
        let signing_input = expected.rsplit_once('.').unwrap().0;
        let device_state = Device { mode, signature: key.sign_rs256(signing_input.as_bytes()).unwrap() };
        let public = public_key(public);
        let mut signer = core::ptr::null_mut();
        let context = (&device_state as *const Device).cast_mut().cast();
        let made = unsafe {
            taap_signer_from_callback(
                public,
                Some(device),
                context,
                c"se050:0xF0000100".as_ptr(),
                &mut signer,
            )
        };
        assert_eq!(made, taap_status::TAAP_OK);
        unsafe { taap_public_key_free(public) };
        let mut token = core::ptr::null_mut();
        let options = options(&[0; 16]);
        let status = unsafe {
            taap_pop_token_build_with_signer(signer, EHTS.as_ptr(), EHTS.len(), &options, &mut token)
        };
        let text = (!token.is_null()).then(|| unsafe { CStr::from_ptr(token) }.to_str().unwrap().to_owned());
        unsafe { taap_string_free(token) };
        unsafe { taap_signer_free(signer) };
        (status, text)
    }

    #[test]
    fn the_callbacks_signature_makes_the_in_memory_keys_token() {
        assert_eq!(build(PUBLIC, Mode::Signs), (taap_status::TAAP_OK, Some(expected_token())));
    }

    #[test]
    fn a_failing_or_wrong_signature_makes_no_token() {
        assert_eq!(build(PUBLIC, Mode::Fails), (taap_status::TAAP_TRANSPORT, None));
        // A callback's own status value is not read as one of taap's: the device did not sign.
        assert_eq!(build(PUBLIC, Mode::SaysConfig), (taap_status::TAAP_TRANSPORT, None));
        for mode in [Mode::Short, Mode::Overlong, Mode::Corrupts] {
            assert_eq!(build(PUBLIC, mode), (taap_status::TAAP_SIGNATURE_INVALID, None));
        }
        assert_eq!(build(OTHER_PUBLIC, Mode::Signs), (taap_status::TAAP_SIGNATURE_INVALID, None));
    }

    #[test]
    fn bad_arguments_get_their_status() {
        let (mut key, mut signer) = (core::ptr::null_mut(), core::ptr::null_mut());
        let public = public_key(PUBLIC);
        let context = core::ptr::null_mut();
        let label = core::ptr::null();
        let statuses = unsafe {
            [
                taap_public_key_from_pem(core::ptr::null(), &mut key),
                taap_public_key_from_pem(c"just text".as_ptr(), &mut key),
                taap_public_key_from_der([0x30, 0].as_ptr(), 2, &mut key),
                taap_public_key_from_der(core::ptr::null(), 4, &mut key),
                taap_signer_from_callback(public, None, context, label, &mut signer),
                taap_signer_from_callback(core::ptr::null(), Some(device), context, label, &mut signer),
                taap_signer_from_callback(public, Some(device), context, label, core::ptr::null_mut()),
                taap_signer_from_callback(public, Some(device), context, c"\xff".as_ptr(), &mut signer),
            ]
        };
        let (null, invalid) = (taap_status::TAAP_NULL_ARGUMENT, taap_status::TAAP_INVALID_KEY);
        assert_eq!(
            statuses,
            [null, invalid, invalid, null, null, null, null, taap_status::TAAP_INVALID_UTF8]
        );
        assert!(key.is_null() && signer.is_null());
        let mut token = core::ptr::null_mut();
        let options = options(&[0; 16]);
        let status = unsafe {
            taap_pop_token_build_with_signer(
                core::ptr::null(),
                EHTS.as_ptr(),
                EHTS.len(),
                &options,
                &mut token,
            )
        };
        assert_eq!((status, token.is_null()), (taap_status::TAAP_NULL_ARGUMENT, true));
        unsafe { taap_public_key_free(public) };
        unsafe { taap_signer_free(core::ptr::null_mut()) };
        unsafe { taap_public_key_free(core::ptr::null_mut()) };
    }
}
