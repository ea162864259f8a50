//! The gateway side: `taap_pop_token_validate` and the reusable `taap_validator`.

use std::ffi::c_char;

use taap::settings::NameStyle;
use taap::{
    validate::ValidatorOptions, validate::DEFAULT_LEEWAY_SECS, validate::DEFAULT_MAX_AGE_SECS,
    PopTokenValidator,
};
use taap_cabi::{ffi_panic_boundary, try_c_str, try_out, try_ref_from_ptr, utf8};

use crate::boundary::{guard, Failure, FfiResult};
use crate::convert::{
    borrow_handle, c_array, c_str, free_handle, into_c_string, into_handle, optional_c_bytes, optional_ref,
    out_arg, Handle,
};
use crate::ehts::{ehts_pairs, taap_ehts_entry};
use crate::keys::taap_public_key;
use crate::status::taap_status;
use crate::token::{taap_pop_token, DecodedToken};

/// How strictly to validate. A zeroed struct (or a NULL pointer) means the defaults.
#[repr(C)]
pub struct taap_validate_options {
    /// Clock-skew tolerance in seconds, 0 to 300; 0 means 10 (unless `leeway_is_set`).
    pub leeway_secs: i64,
    /// Oldest accepted token, in seconds from its `iat`, 1 to 3600; 0 means 60.
    pub max_age_secs: i64,
    /// Validate as of this epoch time; 0 reads the clock at every call.
    pub now: i64,
    /// Names every token must sign (compared ignoring ASCII case), e.g. `"uri"`; may be NULL
    /// when `required_len` is 0.
    pub required: *const *const c_char,
    /// Number of entries in `required`.
    pub required_len: usize,
    /// Remember this many `jti`s and reject repeats (`TAAP_REPLAY`); 0 turns replay detection
    /// off. Only a `taap_validator` can remember; `taap_pop_token_validate` refuses it.
    pub replay_cache: usize,
    /// Use `leeway_secs` even when it is 0 (no clock skew tolerated).
    pub leeway_is_set: bool,
}

/// A validator configured once and shared by any number of threads; with a replay cache it
/// remembers the `jti`s it accepted. Free with `taap_validator_free`.
pub struct taap_validator {
    _opaque: [u8; 0],
}

/// The core validator plus the fixed time, if any.
pub struct Validator {
    validator: PopTokenValidator,
    now: Option<i64>,
}

impl Handle for taap_validator {
    type Target = Validator;
}

impl Validator {
    /// A validator for a C options struct (NULL: the defaults).
    ///
    /// # Safety
    /// `options` is NULL or valid, with `required` pointing to `required_len` C strings.
    unsafe fn new(options: *const taap_validate_options) -> FfiResult<Self> {
        // SAFETY: `options` is NULL or a valid struct (this function's precondition), as
        // `optional_ref` requires.
        let Some(options) = (unsafe { optional_ref(options) }) else {
            return Ok(Validator { validator: PopTokenValidator::default(), now: None });
        };
        let leeway_secs = match options.leeway_secs {
            0 if !options.leeway_is_set => DEFAULT_LEEWAY_SECS,
            leeway => leeway,
        };
        let max_age_secs = match options.max_age_secs {
            0 => DEFAULT_MAX_AGE_SECS,
            max_age => max_age,
        };
        // SAFETY: `options->required` points to `required_len` C strings (this function's
        // precondition), as `required_names` requires.
        let required = unsafe { required_names(options.required, options.required_len) }?;
        let replay_cache = (options.replay_cache != 0).then_some(options.replay_cache);
        let validator =
            PopTokenValidator::new(ValidatorOptions { leeway_secs, max_age_secs, required, replay_cache })?;
        Ok(Validator { validator, now: (options.now != 0).then_some(options.now) })
    }

    /// Validates a token; the decoded token when every check passed.
    ///
    /// # Safety
    /// `token` is NULL or NUL-terminated; `key` is NULL or a live key; `values` points to
    /// `values_len` entries (or is NULL with 0), as taap.h has the callers pass them.
    unsafe fn validate(
        &self,
        token: *const c_char,
        key: *const taap_public_key,
        values: *const taap_ehts_entry,
        values_len: usize,
    ) -> FfiResult<taap::PopToken> {
        // SAFETY: the pointers are what the helpers require (this function's precondition);
        // the helpers refuse NULLs.
        let (token, key, values) =
            unsafe { (try_c_str!(token), try_ref_from_ptr!(key), ehts_pairs(values, values_len, "ehts")?) };
        let decoded = match self.now {
            Some(now) => self.validator.validate_at(token, key, &values, now),
            None => self.validator.validate(token, key, &values),
        };
        Ok(decoded?)
    }

    /// Validates the token a request as received carries, as of the fixed time or the clock.
    pub(crate) fn validate_request(
        &self,
        key: &taap::PublicKey,
        request: &taap::request::ReceivedRequest<'_>,
    ) -> FfiResult<taap::PopToken> {
        let decoded = match self.now {
            Some(now) => self.validator.validate_request_at(key, request, now),
            None => self.validator.validate_request(key, request),
        };
        Ok(decoded?)
    }
}

/// The required names of a C options struct.
///
/// # Safety
/// `names` points to `len` NUL-terminated UTF-8 strings (or is NULL with `len` 0).
unsafe fn required_names(names: *const *const c_char, len: usize) -> FfiResult<Vec<String>> {
    // SAFETY: `names` and `len` are what `c_array` requires (this function's precondition).
    let names = unsafe { c_array(names, len, "options->required") }?;
    names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let what = taap_cabi::ArgName::from("options->required").item(index);
            // SAFETY: each of the `len` names is NUL-terminated (this function's precondition).
            unsafe { c_str(*name, what) }.map(str::to_owned)
        })
        .collect()
}

/// Validates a PoP token the way an API gateway must: signature with `key`, expiry, age,
/// required names, and `edts` against the request's `ehts` values (looked up by exact name;
/// extra entries are ignored). Returns `TAAP_OK` or the reason for rejection.
///
/// # Safety
/// `token` is NULL or NUL-terminated; `key` is NULL or a live key; `ehts` points to `ehts_len`
/// entries; `options` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn taap_pop_token_validate(
    token: *const c_char,
    key: *const taap_public_key,
    ehts: *const taap_ehts_entry,
    ehts_len: usize,
    options: *const taap_validate_options,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `options` NULL or valid (Safety above).
        if unsafe { optional_ref(options) }.is_some_and(|options| options.replay_cache != 0) {
            return Err(Failure::new(
                taap_status::TAAP_CONFIG,
                "replay detection needs a validator that lives across calls; use taap_validator_new",
            ));
        }
        // SAFETY: taap.h has the caller pass `options` NULL or valid, `token` NULL or
        // NUL-terminated, `key` NULL or a live key and `ehts` pointing to `ehts_len` entries
        // (Safety above): the preconditions of `Validator::new` and `Validator::validate`.
        unsafe { Validator::new(options)?.validate(token, key, ehts, ehts_len) }?;
        Ok(())
    })
}

/// Creates a validator with `options` (NULL: defaults). Free it with `taap_validator_free`.
///
/// # Safety
/// `options` is NULL or valid; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_validator_new(
    options: *const taap_validate_options,
    out: *mut *mut taap_validator,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `options` NULL or valid and `out` NULL or writable
        // (Safety above); a NULL `out` is refused before the validator is made.
        let (out, validator) = unsafe { (try_out!(out), Validator::new(options)?) };
        *out = into_handle::<taap_validator>(validator);
        Ok(())
    })
}

/// Creates a validator from `options_json`: NULL (the defaults) or a JSON object of the
/// validator options of the settings schema under their snake_case names (`leeway`, `max_age`,
/// `required`, `replay_cache`), the same options every door takes; a wrong option is
/// `TAAP_CONFIG` with the schema's message. Free it with `taap_validator_free`.
///
/// # Safety
/// `options_json` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_validator_from_json(
    options_json: *const c_char,
    out: *mut *mut taap_validator,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out` NULL or writable and `options_json` NULL or
        // NUL-terminated (Safety above); `out_arg` refuses NULL, and NULL options mean `{}`.
        let (out, text) = unsafe { (out_arg(out, "out")?, optional_c_bytes(options_json)) };
        let text = text.map(|bytes| utf8(bytes, "options_json")).transpose()?.unwrap_or("{}");
        let options = taap::settings::options_from_json(text)?;
        let validator =
            PopTokenValidator::new(taap::settings::validator_options(&options, NameStyle::Snake)?)?;
        *out = into_handle::<taap_validator>(Validator { validator, now: None });
        Ok(())
    })
}

/// The options in effect (the settings schema's snake_case names) as JSON in `*out_json`; free
/// it with `taap_string_free`.
///
/// # Safety
/// `validator` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_validator_settings(
    validator: *const taap_validator,
    out_json: *mut *mut c_char,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `out_json` NULL or writable and `validator` NULL or
        // live (Safety above); both helpers refuse NULL.
        let (out, validator) = unsafe {
            (out_arg(out_json, "out_json")?, borrow_handle::<taap_validator>(validator, "validator")?)
        };
        let settings = taap::settings::validator_settings(validator.validator.options());
        *out = into_c_string(serde_json::Value::Object(settings).to_string())?;
        Ok(())
    })
}

/// Validates a token like `taap_pop_token_validate`, with this validator's options and replay
/// cache. When `out_decoded` is not NULL and the token is valid, `*out_decoded` receives the
/// decoded token (free it with `taap_pop_token_free`).
///
/// # Safety
/// `validator` is NULL or live; `token` is NULL or NUL-terminated; `key` is NULL or a live key;
/// `ehts` points to `ehts_len` entries; `out_decoded` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn taap_validator_validate(
    validator: *const taap_validator,
    token: *const c_char,
    key: *const taap_public_key,
    ehts: *const taap_ehts_entry,
    ehts_len: usize,
    out_decoded: *mut *mut taap_pop_token,
) -> taap_status {
    guard(|| {
        // SAFETY: taap.h has the caller pass `validator` NULL or live, `token` NULL or
        // NUL-terminated, `key` NULL or a live key and `ehts` pointing to `ehts_len` entries
        // (Safety above): what the handle helper and `Validator::validate` require.
        let decoded = unsafe { try_ref_from_ptr!(validator).validate(token, key, ehts, ehts_len) }?;
        // SAFETY: taap.h has the caller pass `out_decoded` NULL or writable (Safety above).
        hand_out_decoded(unsafe { out_arg(out_decoded, "out_decoded") }.ok(), &decoded)
    })
}

/// Frees a validator. NULL is ignored.
///
/// # Safety
/// `validator` is NULL or live, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn taap_validator_free(validator: *mut taap_validator) {
    ffi_panic_boundary! {
        // SAFETY: taap.h has the caller pass `validator` NULL or live and never used again
        // (Safety above), which is what `free_handle` requires.
        unsafe { free_handle(validator) }
    }
}

/// Writes the decoded token to `out` when the caller asked for it (NULL: not wanted).
pub(crate) fn hand_out_decoded(out: Option<&mut *mut taap_pop_token>, decoded: &taap::PopToken) -> FfiResult {
    if let Some(out) = out {
        *out = DecodedToken::new(decoded)?.into_handle();
    }
    Ok(())
}
