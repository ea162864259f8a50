//! `explain`: why a gateway would refuse a PoP token for a request as sent, as records the
//! Kotlin layer turns into the `Explanation` data classes (the fields of `taap doctor --json`).

use std::sync::Arc;

use crate::error::FfiResult;
use crate::keys::FfiPublicKey;
use crate::token::FfiEntry;

/// The core's `Explanation`, field for field.
#[derive(uniffi::Record)]
pub struct FfiExplanation {
    /// Whether every check that could be made passed.
    pub valid: bool,
    /// Header `alg`.
    pub alg: String,
    /// Header `typ`, when present.
    pub typ: Option<String>,
    /// The claims as the token states them.
    pub claims: FfiExplainedClaims,
    /// The time checks by the default validator's leeway and maximum age.
    pub time: FfiTimeCheck,
    /// Each signed name with the request's value for it (masked), in ehts order.
    pub entries: Vec<FfiExplainedEntry>,
    /// The `edts` claimed and recomputed.
    pub edts: FfiEdtsCheck,
    /// The signature check.
    pub signature: FfiSignatureCheck,
    /// The signer variant that reproduces the claimed `edts`, when the docs' rules do not.
    pub variant: Option<FfiVariantMatch>,
    /// One sentence per failed check, in check order.
    pub problems: Vec<String>,
}

/// The token's claims.
#[derive(uniffi::Record)]
pub struct FfiExplainedClaims {
    /// Claim `edts`.
    pub edts: String,
    /// Claim `v`.
    pub v: String,
    /// Claim `exp`, epoch seconds.
    pub exp: i64,
    /// Claim `ehts`, split into names.
    pub ehts: Vec<String>,
    /// Claim `iat`, epoch seconds.
    pub iat: i64,
    /// Claim `jti`.
    pub jti: String,
}

/// The token's lifetime against the clock.
#[derive(uniffi::Record)]
pub struct FfiTimeCheck {
    /// The time judged by, epoch seconds.
    pub now: i64,
    /// Seconds until `exp`; negative once expired.
    pub expires_in: i64,
    /// Seconds since `iat`.
    pub age: i64,
    /// Whether a default validator accepts the token's times now.
    pub ok: bool,
    /// Seconds to add to `now` for acceptance; absent when accepted.
    pub clock_offset: Option<i64>,
}

/// One signed name and the request's (masked) value for it.
#[derive(uniffi::Record)]
pub struct FfiExplainedEntry {
    /// The ehts name.
    pub name: String,
    /// The value hashed, secrets masked and shortened; absent when the request lacks it.
    pub value: Option<String>,
    /// The value's length in bytes; absent when the request lacks it.
    pub bytes: Option<u64>,
}

/// The `edts` comparison.
#[derive(uniffi::Record)]
pub struct FfiEdtsCheck {
    /// The token's `edts`.
    pub claimed: String,
    /// The `edts` of the request's values; absent when a value is missing.
    pub computed: Option<String>,
    /// Whether they are equal.
    pub matches: bool,
}

/// The outcome of the signature check.
#[derive(uniffi::Enum)]
pub enum FfiSignatureCheck {
    /// The key verifies the signature.
    Valid,
    /// The key does not verify it.
    Invalid,
    /// No key was given.
    NotChecked,
}

/// A known signer variant that reproduces the claimed `edts`.
#[derive(uniffi::Record)]
pub struct FfiVariantMatch {
    /// The stable id, e.g. `uri-encoded`.
    pub id: String,
    /// What the signer did, in one sentence.
    pub description: String,
}

/// Explains `token` against the request as sent (method, URL or path, headers in order, exact
/// body), checking the signature when `public_key` is given, judged at `now` or the clock.
#[uniffi::export]
pub fn explain(
    token: String,
    method: String,
    url: String,
    headers: Vec<FfiEntry>,
    body: Vec<u8>,
    public_key: Option<Arc<FfiPublicKey>>,
    now: Option<i64>,
) -> FfiResult<FfiExplanation> {
    let mut request = taap::diagnose::ExplainRequest::new(method, url).body(body);
    for entry in headers {
        request = request.header(entry.name, entry.value);
    }
    let options =
        taap::diagnose::ExplainOptions { public_key: public_key.as_ref().map(|key| &key.inner), now };
    Ok(taap::diagnose::explain(&token, &request, &options)?.into())
}

impl From<taap::diagnose::Explanation> for FfiExplanation {
    fn from(explanation: taap::diagnose::Explanation) -> Self {
        FfiExplanation {
            valid: explanation.valid,
            alg: explanation.header.alg,
            typ: explanation.header.typ,
            claims: explanation.claims.into(),
            time: explanation.time.into(),
            entries: explanation.entries.into_iter().map(FfiExplainedEntry::from).collect(),
            edts: explanation.edts.into(),
            signature: explanation.signature.into(),
            variant: explanation.variant.map(|found| FfiVariantMatch {
                id: found.id.id().to_owned(),
                description: found.description.to_owned(),
            }),
            problems: explanation.problems,
        }
    }
}

impl From<taap::diagnose::ExplainedClaims> for FfiExplainedClaims {
    fn from(claims: taap::diagnose::ExplainedClaims) -> Self {
        let taap::diagnose::ExplainedClaims { edts, v, exp, ehts, iat, jti } = claims;
        FfiExplainedClaims { edts, v, exp, ehts, iat, jti }
    }
}

impl From<taap::diagnose::TimeCheck> for FfiTimeCheck {
    fn from(time: taap::diagnose::TimeCheck) -> Self {
        let taap::diagnose::TimeCheck { now, expires_in, age, ok, clock_offset } = time;
        FfiTimeCheck { now, expires_in, age, ok, clock_offset }
    }
}

impl From<taap::diagnose::Entry> for FfiExplainedEntry {
    fn from(entry: taap::diagnose::Entry) -> Self {
        FfiExplainedEntry {
            name: entry.name,
            value: entry.value,
            bytes: entry.bytes.map(|bytes| bytes as u64),
        }
    }
}

impl From<taap::diagnose::EdtsCheck> for FfiEdtsCheck {
    fn from(edts: taap::diagnose::EdtsCheck) -> Self {
        let taap::diagnose::EdtsCheck { claimed, computed, matches } = edts;
        FfiEdtsCheck { claimed, computed, matches }
    }
}

impl From<taap::diagnose::SignatureCheck> for FfiSignatureCheck {
    fn from(signature: taap::diagnose::SignatureCheck) -> Self {
        match signature {
            taap::diagnose::SignatureCheck::Valid => FfiSignatureCheck::Valid,
            taap::diagnose::SignatureCheck::Invalid => FfiSignatureCheck::Invalid,
            taap::diagnose::SignatureCheck::NotChecked => FfiSignatureCheck::NotChecked,
        }
    }
}
