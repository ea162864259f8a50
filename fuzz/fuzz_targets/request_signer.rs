//! The request signer on any method, URL, headers and body. Oracles: method and uri follow
//! the signer's rules; the edts equals the values hashed without taap; a token built for the
//! request decodes to the same names and validates against the request's own values.
//!
//! Fields: method, URL, body, then `name␟value` header pairs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taap::{token::BuildOptions, token::Ehts, ErrorKind, PopToken, PopTokenValidator};
use taap_fuzz::{assert_error, fields, independent_edts, independently_verified, pair, signing_key, text};

const IAT: i64 = 1_767_225_600;

fuzz_target!(|data: &[u8]| {
    let fields = fields(data);
    if fields.len() < 3 {
        return;
    }
    let (method, url, body) = (text(fields[0]), text(fields[1]), fields[2]);
    let headers: Vec<(String, Vec<u8>)> = fields[3..]
        .iter()
        .map(|field| pair(field))
        .map(|(name, value)| (text(name), value.to_vec()))
        .collect();

    let method = match taap::request::request_method(&method) {
        Ok(upper) => {
            assert!(!upper.is_empty() && upper == method.to_ascii_uppercase());
            upper
        }
        Err(error) => return assert_error(&error, &[ErrorKind::InvalidEhts]),
    };
    let uri = match taap::request::request_uri(&url) {
        Ok(uri) => {
            assert_eq!(uri.first(), Some(&b'/'), "{url:?}");
            uri
        }
        Err(error) => return assert_error(&error, &[ErrorKind::InvalidEhts]),
    };
    let mut ehts = match Ehts::for_request(&method, &url, headers.iter().map(|(name, value)| (name, value))) {
        Ok(ehts) => ehts,
        Err(error) => return assert_error(&error, &[ErrorKind::InvalidEhts]),
    };
    if let Err(error) = ehts.push(taap::request::BODY, body) {
        return assert_error(&error, &[ErrorKind::InvalidEhts]);
    }

    let mut values = headers.clone();
    values.push((taap::request::URI.into(), uri));
    values.push((taap::request::HTTP_METHOD.into(), method.into_bytes()));
    values.push((taap::request::BODY.into(), body.to_vec()));
    let names: Vec<&str> = values.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(ehts.names(), names.as_slice());
    assert_eq!(ehts.claim(), names.join(";"));
    assert_eq!(ehts.edts(), independent_edts(values.iter().map(|(_, value)| value.as_slice())));

    let options = BuildOptions::default().issued_at(IAT).jti("fuzz");
    let token = PopToken::sign(signing_key(), &ehts, &options).expect("a valid ehts signs");
    assert!(independently_verified(&token, signing_key().public_key()));
    let decoded = PopTokenValidator::default()
        .validate_at(&token, signing_key().public_key(), &values, IAT)
        .unwrap_or_else(|error| panic!("a freshly signed request does not validate: {error}"));
    assert_eq!(decoded.claims().ehts, names);
});
