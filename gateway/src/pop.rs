//! The gateway's PoP validator. The check itself (`X-Authorization` signed by the expected key,
//! bound to this exact request, once) is `taap_tower::pop`'s, shared with [`PopLayer`](crate::PopLayer).

use taap::{validate::ValidatorOptions, PopTokenValidator};

/// Names every PoP token must sign: the request line and the credential it accompanies.
pub const REQUIRED_NAMES: [&str; 3] = ["Authorization", "uri", "http-method"];

/// The validator the gateway uses: docs' limits, replay detection on.
pub fn validator() -> PopTokenValidator {
    PopTokenValidator::new(ValidatorOptions {
        required: REQUIRED_NAMES.iter().map(|name| (*name).to_owned()).collect(),
        replay_cache: Some(taap::validate::DEFAULT_REPLAY_CAPACITY),
        ..ValidatorOptions::default()
    })
    .expect("the gateway's validator options are in range")
}
