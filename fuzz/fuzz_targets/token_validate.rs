//! `PopTokenValidator::validate_at` on any token, values, clock and options. Oracles: an
//! accepted token carries a signature `jsonwebtoken` also verifies, meets every time and
//! coverage rule, and its edts matches the values hashed without taap; any error raised after
//! the signature step implies a genuine signature; a replay cache refuses the second use.
//!
//! Fields: key index, token, now, leeway, max age, replay (0/1), required names (`,`),
//! then `name␟value` pairs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taap::{ErrorKind, PopTokenValidator, validate::ValidatorOptions};
use taap_fuzz::{
    assert_error, fields, independent_edts, independently_verified, integer, pair, text, validator_keys,
};

const ERRORS: [ErrorKind; 7] = [
    ErrorKind::InvalidToken,
    ErrorKind::SignatureInvalid,
    ErrorKind::TokenExpired,
    ErrorKind::TokenTooOld,
    ErrorKind::EdtsMismatch,
    ErrorKind::MissingEhtsValue,
    ErrorKind::Replay,
];

fuzz_target!(|data: &[u8]| {
    let fields = fields(data);
    if fields.len() < 7 {
        return;
    }
    let keys = validator_keys();
    let key = &keys[integer(fields.first(), 0).unsigned_abs() as usize % keys.len()];
    let token = text(fields[1]);
    let now = integer(fields.get(2), 1_767_230_605);
    let options = ValidatorOptions {
        leeway_secs: integer(fields.get(3), 10),
        max_age_secs: integer(fields.get(4), 60),
        replay_cache: (integer(fields.get(5), 0) != 0).then_some(4),
        required: text(fields[6]).split(',').filter(|name| !name.is_empty()).map(str::to_owned).collect(),
    };
    let values: Vec<(String, Vec<u8>)> = fields[7..]
        .iter()
        .map(|field| pair(field))
        .map(|(name, value)| (text(name), value.to_vec()))
        .collect();
    let validator = match PopTokenValidator::new(options.clone()) {
        Ok(validator) => validator,
        Err(error) => return assert_error(&error, &[ErrorKind::Config]),
    };
    match validator.validate_at(&token, key, &values, now) {
        Ok(decoded) => {
            assert!(independently_verified(&token, key), "accepted without a genuine signature");
            let claims = decoded.claims();
            let leeway = options.leeway_secs;
            assert!(now <= claims.exp + leeway && claims.iat <= now + leeway, "{claims:?} at {now}");
            assert!(now - claims.iat <= options.max_age_secs + leeway, "{claims:?} at {now}");
            for required in &options.required {
                assert!(claims.ehts.iter().any(|name| name.eq_ignore_ascii_case(required)), "{required}");
            }
            let signed = claims.ehts.iter().map(|name| {
                let (_, value) =
                    values.iter().find(|(given, _)| given == name).expect("every signed name has a value");
                value.as_slice()
            });
            assert_eq!(independent_edts(signed), claims.edts);
            if options.replay_cache.is_some() {
                let again = validator.validate_at(&token, key, &values, now).unwrap_err();
                assert_eq!(again.kind(), ErrorKind::Replay);
            }
        }
        Err(error) => {
            assert_error(&error, &ERRORS);
            let after_signature =
                !matches!(error.kind(), ErrorKind::InvalidToken | ErrorKind::SignatureInvalid);
            if after_signature {
                assert!(independently_verified(&token, key), "{error} raised for a forged token");
            }
            if error.kind() == ErrorKind::SignatureInvalid {
                assert!(!independently_verified(&token, key), "a genuine signature was refused");
            }
        }
    }
});
