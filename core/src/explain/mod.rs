//! Why a gateway rejects a PoP token: the token and the request as sent, explained check by
//! check, with the signer variant that reproduces the token's `edts` when the docs' rules do not.

mod mask;
mod variants;

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::ehts::EhtsValues;
use crate::error::Result;
use crate::keys::PublicKey;
use crate::now_unix;
use crate::request::{request_uri_parts, ReceivedRequest, BODY};
use crate::token::PopToken;
use crate::validator::{DEFAULT_LEEWAY_SECS, DEFAULT_MAX_AGE_SECS};

pub use mask::mask_secret;
pub use variants::Variant;

/// Longest value shown per entry; the length is always reported in full.
const SHOWN_CHARS: usize = 200;

/// An HTTP request as it was sent: method, URL (or path), headers in order, exact body.
#[derive(Clone, Default)]
pub struct ExplainRequest {
    /// The method as sent.
    pub method: String,
    /// The full URL, or the path and query.
    pub url: String,
    /// Headers as sent, names in any case.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The exact body.
    pub body: Vec<u8>,
}

impl ExplainRequest {
    /// A request without headers or body.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        ExplainRequest { method: method.into(), url: url.into(), ..Default::default() }
    }

    /// Adds a header, in order.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the exact body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

impl fmt::Debug for ExplainRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values, the URL's query and the body can carry credentials: only shapes here.
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ExplainRequest")
            .field("method", &self.method)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// What else [`explain`] may use: a public key for the signature, a fixed clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExplainOptions<'a> {
    /// The signer's public key; without it the signature is not checked.
    pub public_key: Option<&'a PublicKey>,
    /// The time to judge by, epoch seconds; `None` reads the clock.
    pub now: Option<i64>,
}

/// Everything [`explain`] found; serialises to the JSON `taap doctor --json` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Whether every check that could be made passed (the signature only with a key).
    pub valid: bool,
    /// The JOSE header.
    pub header: ExplainedHeader,
    /// The claims, as the token states them.
    pub claims: ExplainedClaims,
    /// The time checks, by the default validator's leeway and maximum age.
    pub time: TimeCheck,
    /// Each signed name with the value the request gives it (masked), in ehts order.
    pub entries: Vec<Entry>,
    /// The `edts` claimed and recomputed from the request.
    pub edts: EdtsCheck,
    /// The signature check.
    pub signature: SignatureCheck,
    /// The signer variant that reproduces the claimed `edts`, when the docs' rules do not.
    pub variant: Option<VariantMatch>,
    /// One sentence per failed check, in check order; empty when valid.
    pub problems: Vec<String>,
}

/// The token's JOSE header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplainedHeader {
    /// Always `RS256` for a token that decodes.
    pub alg: String,
    /// Usually `JWT`.
    pub typ: Option<String>,
}

/// The token's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExplainedClaims {
    /// base64url SHA-256 of the values the signer hashed.
    pub edts: String,
    /// Protocol version.
    pub v: String,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// The signed names, in order.
    pub ehts: Vec<String>,
    /// Issued at, epoch seconds.
    pub iat: i64,
    /// Token id.
    pub jti: String,
}

/// The token's lifetime against the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeCheck {
    /// The time judged by, epoch seconds.
    pub now: i64,
    /// Seconds until `exp`; negative once expired.
    pub expires_in: i64,
    /// Seconds since `iat`.
    pub age: i64,
    /// Whether a gateway with the default leeway and maximum age accepts it now.
    pub ok: bool,
    /// Seconds to add to `now` for the token to be accepted; `None` when it is.
    pub clock_offset: Option<i64>,
}

/// One signed name and the request's value for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The ehts name.
    pub name: String,
    /// The value that is hashed, masked by [`mask_secret`] and shortened; `None` when missing.
    pub value: Option<String>,
    /// The value's length in bytes; `None` when missing.
    pub bytes: Option<usize>,
}

/// The `edts` comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdtsCheck {
    /// The token's `edts`.
    pub claimed: String,
    /// The `edts` of the request's values; `None` when a value is missing.
    pub computed: Option<String>,
    /// Whether they are equal.
    pub matches: bool,
}

/// The outcome of the signature check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureCheck {
    /// The key verifies the signature.
    Valid,
    /// The key does not verify it.
    Invalid,
    /// No key was given.
    NotChecked,
}

/// A variant that reproduces the claimed `edts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariantMatch {
    /// The stable id, e.g. `uri-encoded`.
    pub id: Variant,
    /// What the signer did.
    pub description: &'static str,
}

/// Explains `token` against `request`: decoded claims, time, each hashed value (masked), the
/// `edts` recomputed, the signature when a key is given, and the matching signer variant.
///
/// Fails only when the token does not decode or the request's method or URL is unusable.
pub fn explain(token: &str, request: &ExplainRequest, options: &ExplainOptions<'_>) -> Result<Explanation> {
    let decoded = PopToken::decode(token)?;
    let headers = request.headers.iter().map(|(name, value)| (name.as_str(), value.as_slice()));
    let received = ReceivedRequest::new(&request.method, &request.url, headers, &request.body)?;
    let (path, query) = request_uri_parts(&request.url)?;
    let claims = decoded.claims();
    let values: Vec<Option<&[u8]>> = claims.ehts.iter().map(|name| received.value(name)).collect();
    let entries = claims.ehts.iter().zip(&values).map(|(name, value)| entry(name, *value)).collect();
    let present: Option<Vec<Cow<'_, [u8]>>> = values.iter().map(|v| v.map(Cow::Borrowed)).collect();
    let computed = present.as_deref().map(variants::edts_of);
    let matches = computed.as_deref() == Some(claims.edts.as_str());
    let variant = match (&present, matches) {
        (Some(values), false) => {
            let baseline = variants::Baseline {
                names: &claims.ehts,
                values: values.clone(),
                method_as_sent: request.method.trim(),
                path: &path,
                query: query.as_deref(),
            };
            variants::find(&baseline, &claims.edts)
        }
        _ => None,
    };
    let signature = match options.public_key {
        Some(key) if key.verify(decoded.signing_input(), decoded.signature()) => SignatureCheck::Valid,
        Some(_) => SignatureCheck::Invalid,
        None => SignatureCheck::NotChecked,
    };
    let time = time_check(&decoded, options.now.unwrap_or_else(now_unix));
    let edts = EdtsCheck { claimed: claims.edts.clone(), computed, matches };
    let mut explanation = Explanation {
        valid: false,
        header: ExplainedHeader { alg: decoded.header().alg.clone(), typ: decoded.header().typ.clone() },
        claims: ExplainedClaims {
            edts: claims.edts.clone(),
            v: claims.v.clone(),
            exp: claims.exp,
            ehts: claims.ehts.clone(),
            iat: claims.iat,
            jti: claims.jti.clone(),
        },
        time,
        entries,
        edts,
        signature,
        variant: variant.map(|id| VariantMatch { id, description: id.description() }),
        problems: Vec::new(),
    };
    explanation.problems = problems(&explanation, !request.body.is_empty());
    explanation.valid = explanation.problems.is_empty();
    Ok(explanation)
}

fn entry(name: &str, value: Option<&[u8]>) -> Entry {
    let Some(value) = value else { return Entry { name: name.to_owned(), value: None, bytes: None } };
    let masked = mask_secret(name, &String::from_utf8_lossy(value));
    let mut shown: String = masked.chars().take(SHOWN_CHARS).collect();
    if shown.len() < masked.len() {
        shown.push('…');
    }
    Entry { name: name.to_owned(), value: Some(shown), bytes: Some(value.len()) }
}

/// The window the default validator accepts: from `iat - leeway` to the earlier of `exp` and
/// `iat + max age`, plus leeway.
fn time_check(token: &PopToken, now: i64) -> TimeCheck {
    let claims = token.claims();
    let earliest = claims.iat.saturating_sub(DEFAULT_LEEWAY_SECS);
    let latest =
        claims.exp.min(claims.iat.saturating_add(DEFAULT_MAX_AGE_SECS)).saturating_add(DEFAULT_LEEWAY_SECS);
    let clock_offset = if now > latest {
        Some(latest - now)
    } else if now < earliest {
        Some(earliest - now)
    } else {
        None
    };
    TimeCheck {
        now,
        expires_in: token.expires_in(now),
        age: now.saturating_sub(claims.iat),
        ok: clock_offset.is_none(),
        clock_offset,
    }
}

fn problems(explanation: &Explanation, has_body: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let time = &explanation.time;
    if let Some(offset) = time.clock_offset {
        problems.push(if offset > 0 {
            format!("the token is not valid yet: issued {} s in the future", -time.age)
        } else if time.expires_in < 0 {
            format!("the token expired {} s ago", -time.expires_in)
        } else {
            format!("the token is too old: issued {} s ago (maximum {DEFAULT_MAX_AGE_SECS} s)", time.age)
        });
    }
    for missing in explanation.entries.iter().filter(|entry| entry.value.is_none()) {
        problems.push(format!("the token signs {:?} but the request has no value for it", missing.name));
    }
    if has_body && !explanation.claims.ehts.iter().any(|name| name == BODY) {
        problems.push("the request has a body but the token does not sign it".to_owned());
    }
    if explanation.edts.computed.is_some() && !explanation.edts.matches {
        problems.push(match &explanation.variant {
            Some(found) => format!("edts mismatch: {} ({})", found.description, found.id.id()),
            None => "edts mismatch: no known variant reproduces the signed values".to_owned(),
        });
    }
    if explanation.signature == SignatureCheck::Invalid {
        problems.push("the signature does not verify with this public key".to_owned());
    }
    problems
}
