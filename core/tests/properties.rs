//! Property tests: build/validate/decode invariants over arbitrary ehts, and URL equivalence.

use std::sync::OnceLock;

use proptest::prelude::*;
use taap::{token::BuildOptions, validate::ValidatorOptions, Error, PopToken, PopTokenValidator, PrivateKey};

const IAT: i64 = 1_767_225_600;

fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let pem = include_str!("../../tests/keys/tmobile/readme-private-pkcs8.pem");
        PrivateKey::from_pem(pem, None).unwrap()
    })
}

/// 1 to 12 entries with unique, non-blank names free of ';' and arbitrary byte values.
fn ehts() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let name = "[A-Za-z0-9_\\-=\"\\\\ éü東]{1,12}".prop_filter("non-blank", |n| !n.trim().is_empty());
    prop::collection::vec((name, prop::collection::vec(any::<u8>(), 0..64)), 1..12).prop_map(|entries| {
        let mut seen = std::collections::HashSet::new();
        entries.into_iter().filter(|(name, _)| seen.insert(name.clone())).collect()
    })
}

fn build(ehts: &[(String, Vec<u8>)]) -> String {
    let options = BuildOptions::default().issued_at(IAT).jti("4f1c2a3b-0000-4000-8000-000000000000");
    PopToken::build_with(key(), ehts.iter().map(|(n, v)| (n.as_str(), v.as_slice())), &options).unwrap()
}

fn validate(token: &str, values: &[(String, Vec<u8>)]) -> taap::Result<PopToken> {
    PopTokenValidator::new(ValidatorOptions::default()).unwrap().validate_at(
        token,
        key().public_key(),
        values,
        IAT + 1,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn build_then_validate_succeeds_with_the_same_values(ehts in ehts()) {
        let token = build(&ehts);
        prop_assert!(validate(&token, &ehts).is_ok());
    }

    #[test]
    fn any_single_changed_value_byte_is_an_edts_mismatch(
        ehts in ehts(), entry in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), flip in 1u8..=255,
    ) {
        let token = build(&ehts);
        let mut tampered = ehts.clone();
        let entry = entry.index(tampered.len());
        let value = &mut tampered[entry].1;
        if value.is_empty() {
            value.push(flip);
        } else {
            let at = at.index(value.len());
            value[at] ^= flip;
        }
        prop_assert!(matches!(validate(&token, &tampered), Err(Error::EdtsMismatch(_))));
    }

    #[test]
    fn any_single_changed_name_byte_leaves_a_signed_name_without_value(
        ehts in ehts(), entry in any::<prop::sample::Index>(), flip in 1u8..=0x7f,
    ) {
        let token = build(&ehts);
        let mut tampered = ehts.clone();
        let entry = entry.index(tampered.len());
        let mut bytes = tampered[entry].0.clone().into_bytes();
        bytes[0] ^= flip;
        prop_assume!(std::str::from_utf8(&bytes).is_ok());
        tampered[entry].0 = String::from_utf8(bytes).unwrap();
        prop_assert!(matches!(validate(&token, &tampered), Err(Error::MissingEhtsValue(_))));
    }

    #[test]
    fn decode_round_trips_what_build_signed(ehts in ehts(), ttl in 1i64..=3600, iat in 0i64..4_000_000_000) {
        let options = BuildOptions::default().ttl_secs(ttl).issued_at(iat);
        let token = PopToken::build_with(key(), ehts.iter().map(|(n, v)| (n.as_str(), v.as_slice())), &options).unwrap();
        let decoded = PopToken::decode(&token).unwrap();
        let names: Vec<&str> = ehts.iter().map(|(name, _)| name.as_str()).collect();
        prop_assert_eq!(&decoded.claims().ehts, &names);
        prop_assert_eq!(decoded.claims().iat, iat);
        prop_assert_eq!(decoded.claims().exp, iat + ttl);
        prop_assert_eq!(decoded.claims().v.as_str(), "1");
        prop_assert!(uuid_v4(&decoded.claims().jti));
        prop_assert_eq!(decoded.as_str(), token.as_str());
    }

    #[test]
    fn equivalent_urls_sign_the_same_uri(
        segments in prop::collection::vec("[a-zA-Z0-9_~-]{1,8}", 0..5),
        query in prop::option::of("[a-z]{1,5}=[a-zA-Z0-9]{0,6}(&[a-z]{1,5}=[a-zA-Z0-9]{0,6}){0,3}"),
    ) {
        let path = format!("/{}", segments.join("/"));
        let query = query.map(|q| format!("?{q}")).unwrap_or_default();
        let canonical = taap::request::request_uri(&format!("https://api.t-mobile.com{path}{query}")).unwrap();
        let dotted = format!("/./{}", segments.iter().map(|s| format!("x/../{s}")).collect::<Vec<_>>().join("/"));
        for same in [
            format!("HTTPS://API.T-Mobile.com:443{path}{query}"),
            format!("https://api.t-mobile.com{path}{query}#fragment"),
            format!("https://user@api.t-mobile.com{dotted}{query}"),
            format!("{path}{query}"),
        ] {
            prop_assert_eq!(&taap::request::request_uri(&same).unwrap(), &canonical, "{}", same);
        }
    }
}

fn uuid_v4(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok_and(|id| id.get_version_num() == 4 && text == id.to_string())
}
