//! The PoP check every gateway route makes: the token in `X-Authorization` must be signed by
//! the client's key and bind this exact request (headers, uri, method, body), once.

use axum::http::request::Parts;
use axum::http::HeaderMap;
use taap::{EhtsValues, PopToken, PopTokenValidator, PublicKey, ValidatorOptions};

use super::reply::Refusal;

/// Names every PoP token must sign: the request line and the credential it accompanies.
pub const REQUIRED_NAMES: [&str; 3] = ["Authorization", "uri", "http-method"];

/// The validator the gateway uses: docs' limits, replay detection on.
pub fn validator() -> PopTokenValidator {
    PopTokenValidator::new(ValidatorOptions {
        required: REQUIRED_NAMES.iter().map(|name| (*name).to_owned()).collect(),
        replay_cache: Some(taap::DEFAULT_REPLAY_CAPACITY),
        ..ValidatorOptions::default()
    })
    .expect("the gateway's validator options are in range")
}

/// The values of one received request, as the validator looks them up by ehts name.
pub struct RequestValues<'a> {
    headers: &'a HeaderMap,
    uri: Vec<u8>,
    method: &'a str,
    body: &'a [u8],
}

impl<'a> RequestValues<'a> {
    /// The values of a request: headers by name (any case), `uri` as the signer computes it.
    pub fn new(parts: &'a Parts, body: &'a [u8]) -> Result<Self, Refusal> {
        let target = parts.uri.path_and_query().map_or("/", |target| target.as_str());
        let uri = taap::request_uri(target)
            .map_err(|_| Refusal::bad_request("the request target is not a valid path"))?;
        Ok(RequestValues { headers: &parts.headers, uri, method: parts.method.as_str(), body })
    }
}

impl EhtsValues for RequestValues<'_> {
    fn value(&self, name: &str) -> Option<&[u8]> {
        match name {
            taap::URI => Some(&self.uri),
            taap::HTTP_METHOD => Some(self.method.as_bytes()),
            taap::BODY => Some(self.body),
            header => self.headers.get(header).map(|value| value.as_bytes()),
        }
    }
}

/// Validates the request's `X-Authorization` against `key`, as of the gateway's `now`.
pub fn check(
    validator: &PopTokenValidator,
    key: &PublicKey,
    values: &RequestValues<'_>,
    now: i64,
    challenge: &'static str,
) -> Result<PopToken, Refusal> {
    let token = values
        .headers
        .get("x-authorization")
        .ok_or_else(|| Refusal::invalid_pop("X-Authorization (the PoP token) is missing", challenge))?
        .to_str()
        .map_err(|_| Refusal::invalid_pop("X-Authorization is not text", challenge))?;
    let decoded = validator
        .validate_at(token, key, values, now)
        .map_err(|error| Refusal::invalid_pop(format!("{}: {error}", error.kind()), challenge))?;
    if !values.body.is_empty() && !decoded.claims().ehts.iter().any(|name| name == taap::BODY) {
        return Err(Refusal::invalid_pop(
            "the request has a body but the PoP token does not sign it",
            challenge,
        ));
    }
    Ok(decoded)
}
