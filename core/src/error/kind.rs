//! The error table: every kind with its code, C status value and description, declared once.
//!
//! Bindings read this table (Python exception classes, JS error classes, C statuses) instead of
//! listing the kinds themselves; their static files are checked against it by their tests.

/// Declares [`ErrorKind`] and its accessors from one row per kind, so that a kind's name, code,
/// C status and description cannot disagree with each other.
macro_rules! error_table {
    ($($kind:ident => $code:literal, $c_status:literal, $description:literal;)+) => {
        /// The description of a kind as a literal, so that `#[doc]` attributes can show it.
        macro_rules! kind_description {
            $(($kind) => { $description };)+
        }

        /// The stable, binding-independent name of each error kind.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $(
                #[doc = $description]
                $kind,
            )+
        }

        impl ErrorKind {
            /// Every kind, in the order of the design contract (and of the C status values).
            pub const ALL: [ErrorKind; [$(ErrorKind::$kind),+].len()] = [$(ErrorKind::$kind),+];

            /// The kind's name, e.g. `"TokenExpired"` (Python and JS classes add `Error`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => stringify!($kind),)+
                }
            }

            /// The kind's code, e.g. `"TAAP_TOKEN_EXPIRED"` (JS `error.code`, Python `code`,
            /// the C status's name).
            pub const fn code(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => $code,)+
                }
            }

            /// The kind's value of the C `taap_status` enum; part of the C ABI, never renumbered.
            pub const fn c_status(self) -> u32 {
                match self {
                    $(ErrorKind::$kind => $c_status,)+
                }
            }

            /// One line saying what went wrong, the same in every binding's documentation.
            pub const fn description(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => $description,)+
                }
            }
        }
    };
}

error_table! {
    InvalidKey => "TAAP_INVALID_KEY", 1,
        "The key cannot be parsed, is not RSA, or is outside 2048 to 8192 bits.";
    KeyDecrypt => "TAAP_KEY_DECRYPT", 2,
        "The private key is encrypted and the password is missing or wrong.";
    InvalidEhts => "TAAP_INVALID_EHTS", 3,
        "The ehts are empty, over 100, or have a blank, duplicate or `;` name; or a method or URL is bad.";
    InvalidToken => "TAAP_INVALID_TOKEN", 4,
        "The token is not a well-formed RS256 PoP token, is issued in the future, or lacks a required name.";
    TokenExpired => "TAAP_TOKEN_EXPIRED", 5,
        "The token's `exp` lies in the past, beyond the leeway.";
    TokenTooOld => "TAAP_TOKEN_TOO_OLD", 6,
        "The token's `iat` is older than the validator's maximum age.";
    SignatureInvalid => "TAAP_SIGNATURE_INVALID", 7,
        "The RS256 signature does not verify with the given public key.";
    EdtsMismatch => "TAAP_EDTS_MISMATCH", 8,
        "The request's values differ from the ones the token signed.";
    MissingEhtsValue => "TAAP_MISSING_EHTS_VALUE", 9,
        "The token signs a name the request has no value for.";
    Replay => "TAAP_REPLAY", 10,
        "The token's `jti` was seen before, or the replay cache is full (it fails closed).";
    OAuth => "TAAP_OAUTH", 11,
        "The OAuth server answered with an error or an unusable token; its HTTP status is kept.";
    Transport => "TAAP_TRANSPORT", 12,
        "The HTTP exchange failed: connection, DNS, TLS, timeout, I/O or an oversized response.";
    Config => "TAAP_CONFIG", 13,
        "An option or argument is out of range or inconsistent.";
    KeySourceUnavailable => "TAAP_KEY_SOURCE_UNAVAILABLE", 14,
        "The client's keys cannot be fetched (a JWK set URL is down) and no usable copy is cached.";
}

impl ErrorKind {
    /// Looks a kind up by its name (`"TokenExpired"`) or code (`"TAAP_TOKEN_EXPIRED"`).
    pub fn parse(text: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.name() == text || kind.code() == text)
    }
}

impl core::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `TokenTooOld` -> `TAAP_TOKEN_TOO_OLD`, `OAuth` -> `TAAP_OAUTH`: the rule every code follows.
    fn code_of(name: &str) -> String {
        let mut code = String::from("TAAP");
        let mut previous_lower = false;
        for c in name.chars() {
            if (c.is_ascii_uppercase() && previous_lower) || code == "TAAP" {
                code.push('_');
            }
            previous_lower = c.is_ascii_lowercase();
            code.push(c.to_ascii_uppercase());
        }
        code
    }

    #[test]
    fn codes_and_names_round_trip() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::parse(kind.name()), Some(kind));
            assert_eq!(ErrorKind::parse(kind.code()), Some(kind));
            assert_eq!(kind.code(), code_of(kind.name()), "{kind:?}");
            assert_eq!(kind.to_string(), kind.name());
        }
        assert_eq!(ErrorKind::parse("Nope"), None);
        assert_eq!(ErrorKind::TokenTooOld.code(), "TAAP_TOKEN_TOO_OLD");
        assert_eq!(ErrorKind::OAuth.code(), "TAAP_OAUTH");
    }

    #[test]
    fn c_statuses_number_the_kinds_from_one_in_table_order() {
        let statuses: Vec<u32> = ErrorKind::ALL.iter().map(|kind| kind.c_status()).collect();
        assert_eq!(statuses, (1..=14).collect::<Vec<u32>>());
        assert_eq!(ErrorKind::TokenExpired.c_status(), 5);
        assert_eq!(ErrorKind::Config.c_status(), 13);
        assert_eq!(ErrorKind::KeySourceUnavailable.c_status(), 14);
    }

    #[test]
    fn descriptions_are_one_distinct_sentence_each() {
        for kind in ErrorKind::ALL {
            let description = kind.description();
            assert!(description.ends_with('.') && !description.contains('\n'), "{kind:?}");
            assert!(description.starts_with(|c: char| c.is_ascii_uppercase()), "{kind:?}");
            // Bindings put it on one line of a doc comment.
            assert!(description.len() <= 100, "{kind:?} has {} characters", description.len());
        }
        let mut distinct: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.description()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), ErrorKind::ALL.len());
        assert_eq!(
            ErrorKind::Replay.description(),
            "The token's `jti` was seen before, or the replay cache is full (it fails closed)."
        );
    }
}
