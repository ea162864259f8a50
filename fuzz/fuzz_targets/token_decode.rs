//! `PopToken::decode` on any text: a typed error or a token whose claims obey the PoP rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taap::{ErrorKind, PopToken, token::MAX_EHTS_ENTRIES};
use taap_fuzz::assert_error;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match PopToken::decode(&text) {
        Ok(token) => {
            assert_eq!(token.header().alg, "RS256");
            let claims = token.claims();
            assert!(claims.exp >= claims.iat, "{claims:?}");
            assert!(claims.v == "1" || claims.v == "v1", "{claims:?}");
            assert!((1..=MAX_EHTS_ENTRIES).contains(&claims.ehts.len()), "{claims:?}");
            for (index, name) in claims.ehts.iter().enumerate() {
                assert!(!name.trim().is_empty() && !name.contains(';'), "{claims:?}");
                assert!(!claims.ehts[..index].contains(name), "{claims:?}");
            }
            assert_eq!(token.as_str(), text.trim());
            assert_eq!(PopToken::decode(token.as_str()).as_ref(), Ok(&token), "decode is not stable");
        }
        Err(error) => assert_error(&error, &[ErrorKind::InvalidToken]),
    }
});
