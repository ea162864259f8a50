//! Building and decoding PoP tokens (JWS compact, RS256).

use alloc::borrow::Cow;
use core::fmt;

use serde::{Deserialize, Serialize};

use crate::ehts::{pseudo_name_variant, pseudo_variant_reason};
pub use crate::ehts::{Ehts, EhtsName, EhtsValues, MAX_EHTS_ENTRIES};
use crate::error::{shorten, Error, Result};
use crate::keys::{check_signature, sign_checked, Signer};
#[cfg(not(feature = "std"))]
use crate::prelude::*;
use crate::{base64url, base64url_decode};

/// Validity T-Mobile's builders give a PoP token.
pub const DEFAULT_TTL_SECS: i64 = 120;
/// Longest validity taap will sign: a PoP token is for one hop, not a session.
pub const MAX_TTL_SECS: i64 = 3600;
/// Tokens longer than this are refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;
/// Longest `jti` taap builds or accepts: a UUID is 36; anything far longer only fills replay
/// caches.
pub const MAX_JTI_BYTES: usize = 256;
/// base64url of `{"alg":"RS256","typ":"JWT"}`, the header of every token taap builds.
const HEADER_B64: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9";

/// Options for one token: validity, and fixed `iat`/`jti` for reproducible output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Seconds from `iat` to `exp`; 1 to 3600, default 120.
    pub ttl_secs: i64,
    /// Issued-at in epoch seconds; `None` reads the clock (a build without `std` has none
    /// and refuses `None` as [`Error::Config`]).
    pub iat: Option<i64>,
    /// Token id; `None` draws a fresh random UUID v4 (what every real call must use; a build
    /// without `std` has no OS randomness: use [`BuildOptions::jti_from_random_bytes`]).
    pub jti: Option<String>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions { ttl_secs: DEFAULT_TTL_SECS, iat: None, jti: None }
    }
}

impl BuildOptions {
    /// Sets the validity in seconds.
    pub fn ttl_secs(mut self, ttl_secs: i64) -> Self {
        self.ttl_secs = ttl_secs;
        self
    }

    /// Fixes `iat` (epoch seconds) instead of reading the clock.
    pub fn issued_at(mut self, iat: i64) -> Self {
        self.iat = Some(iat);
        self
    }

    /// Fixes `jti` instead of drawing a random UUID; for tests and conformance vectors only.
    pub fn jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// Sets `jti` to the UUID v4 made of 16 random bytes (version and variant bits set, as
    /// `Uuid::new_v4` does). For targets without OS randomness: the caller draws the bytes
    /// from its own RNG (a microcontroller's hardware RNG) and passes them with
    /// [`BuildOptions::issued_at`], so a token needs neither clock nor OS.
    pub fn jti_from_random_bytes(self, random: [u8; 16]) -> Self {
        let uuid = uuid::Builder::from_random_bytes(random).into_uuid();
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        self.jti(&*uuid.hyphenated().encode_lower(&mut text))
    }

    fn check(&self) -> Result<()> {
        if !(1..=MAX_TTL_SECS).contains(&self.ttl_secs) {
            return Err(Error::Config(format!(
                "ttl_secs is {}; a PoP token lives 1 to {MAX_TTL_SECS} seconds",
                self.ttl_secs
            )));
        }
        if let Some(iat) = self.iat {
            if !(0..=i64::MAX - MAX_TTL_SECS).contains(&iat) {
                return Err(Error::Config(format!("iat {iat} is not a valid epoch time")));
            }
        }
        if let Some(jti) = &self.jti {
            if jti.is_empty() || jti.len() > MAX_JTI_BYTES {
                return Err(Error::Config(format!("jti must be 1 to {MAX_JTI_BYTES} bytes long")));
            }
        }
        Ok(())
    }
}

/// The claims of a PoP token, in T-Mobile's member order (the order they serialise in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// base64url SHA-256 of the concatenated ehts values.
    pub edts: String,
    /// Version: `"1"` (T-Mobile's validator demo also sent `"v1"`).
    pub v: String,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// The signed names, in order.
    pub ehts: Vec<String>,
    /// Issued-at, epoch seconds.
    pub iat: i64,
    /// Unique token id.
    pub jti: String,
}

/// The JOSE header of a PoP token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Always `"RS256"` for a token that decoded.
    pub alg: String,
    /// Usually `"JWT"`.
    pub typ: Option<String>,
}

/// Claims and JOSE header members some integrations add to the standard ones (e.g. `iss`,
/// `kid`); they are serialised after the standard members, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PopExtras {
    /// Extra JOSE header members, after `alg` and `typ`.
    pub header: Vec<(String, serde_json::Value)>,
    /// Extra claims, after `edts, v, exp, ehts, iat, jti`.
    pub claims: Vec<(String, serde_json::Value)>,
}

/// Claim names the PoP token itself sets.
const STANDARD_CLAIMS: [&str; 6] = ["edts", "v", "exp", "ehts", "iat", "jti"];
/// Header names the PoP token itself sets, and `crit`, which validators refuse.
const STANDARD_HEADER: [&str; 3] = ["alg", "typ", "crit"];

impl PopExtras {
    /// Whether there is nothing to add.
    pub fn is_empty(&self) -> bool {
        self.header.is_empty() && self.claims.is_empty()
    }

    /// Refuses a blank, repeated or standard name: a token must never carry one twice.
    pub(crate) fn check(&self) -> Result<()> {
        check_extra_names("pop_header", &self.header, &STANDARD_HEADER)?;
        check_extra_names("pop_claims", &self.claims, &STANDARD_CLAIMS)
    }

    fn header_b64(&self) -> Cow<'static, str> {
        if self.header.is_empty() {
            return HEADER_B64.into();
        }
        let mut header = br#"{"alg":"RS256","typ":"JWT"}"#.to_vec();
        append_members(&mut header, &self.header);
        base64url(&header).into()
    }
}

fn check_extra_names(what: &str, members: &[(String, serde_json::Value)], standard: &[&str]) -> Result<()> {
    for (index, (name, _)) in members.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(Error::Config(format!("{what} has a blank name")));
        }
        if standard.contains(&name.as_str()) {
            return Err(Error::Config(format!(
                "{what} cannot set {:?}: the PoP token sets it itself",
                shorten(name, 64)
            )));
        }
        if members[..index].iter().any(|(known, _)| known == name) {
            return Err(Error::Config(format!("{what} names {:?} twice", shorten(name, 64))));
        }
    }
    Ok(())
}

/// A decoded (not yet verified) PoP token; build tokens with [`PopToken::build`].
#[derive(Clone, PartialEq, Eq)]
pub struct PopToken {
    header: Header,
    claims: Claims,
    token: String,
    signing_input_len: usize,
    signature: Vec<u8>,
}

#[derive(Serialize)]
struct SerializedClaims<'a> {
    edts: &'a str,
    v: &'a str,
    exp: i64,
    ehts: &'a str,
    iat: i64,
    jti: &'a str,
}

impl PopToken {
    /// Builds a PoP token over ordered `(name, value)` pairs with default options; `key` is
    /// any [`Signer`] (a [`PrivateKey`](crate::PrivateKey), a callback, a hardware key).
    pub fn build<I, N, V>(key: &(impl Signer + ?Sized), ehts: I) -> Result<String>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        Self::sign(key, &Ehts::from_pairs(ehts)?, &BuildOptions::default())
    }

    /// Builds a PoP token over ordered `(name, value)` pairs with the given options.
    pub fn build_with<I, N, V>(
        key: &(impl Signer + ?Sized),
        ehts: I,
        options: &BuildOptions,
    ) -> Result<String>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        Self::sign(key, &Ehts::from_pairs(ehts)?, options)
    }

    /// Signs an [`Ehts`] list (e.g. one whose body was streamed from a reader).
    pub fn sign(key: &(impl Signer + ?Sized), ehts: &Ehts, options: &BuildOptions) -> Result<String> {
        // Not through `sign_with_extras`: a caller that never adds extras (a microcontroller)
        // then links none of the JSON-value code.
        Self::sign_input(key, Self::signing_input_of(ehts, options, None, key.public_key().bits())?)
    }

    /// [`PopToken::sign`] with extra JOSE header members and claims, appended after the
    /// standard ones (with no extras, the token is exactly [`PopToken::sign`]'s).
    pub fn sign_with_extras(
        key: &(impl Signer + ?Sized),
        ehts: &Ehts,
        options: &BuildOptions,
        extras: &PopExtras,
    ) -> Result<String> {
        Self::sign_input(
            key,
            Self::signing_input_with_extras(ehts, options, extras, key.public_key().bits())?,
        )
    }

    fn sign_input(key: &(impl Signer + ?Sized), signing_input: String) -> Result<String> {
        let signature = sign_checked(key, signing_input.as_bytes())?;
        Ok(Self::attach_signature(signing_input, &signature))
    }

    /// `header.payload` of the token [`PopToken::sign`] would build, for a signer outside the
    /// core (WebCrypto in a browser) whose RSA key has `key_bits` bits: the claims, edts and
    /// encoding stay the core's. Finish it with [`PopToken::attach_signature`].
    pub fn unsigned_token(ehts: &Ehts, options: &BuildOptions, key_bits: u32) -> Result<String> {
        Self::signing_input_of(ehts, options, None, key_bits)
    }

    /// [`PopToken::unsigned_token`] with extra header members and claims.
    pub fn signing_input_with_extras(
        ehts: &Ehts,
        options: &BuildOptions,
        extras: &PopExtras,
        key_bits: u32,
    ) -> Result<String> {
        Self::signing_input_of(ehts, options, Some(extras), key_bits)
    }

    /// The signing input; no extras is the same as empty ones.
    fn signing_input_of(
        ehts: &Ehts,
        options: &BuildOptions,
        extras: Option<&PopExtras>,
        key_bits: u32,
    ) -> Result<String> {
        options.check()?;
        if let Some(extras) = extras {
            extras.check()?;
        }
        if ehts.is_empty() {
            return Err(Error::InvalidEhts("no entries; sign at least uri and http-method".into()));
        }
        let iat = match options.iat {
            Some(iat) => iat,
            None => clock_now()?,
        };
        let jti = match &options.jti {
            Some(jti) => jti.clone(),
            None => random_jti()?,
        };
        let claims = SerializedClaims {
            edts: &ehts.edts(),
            v: "1",
            exp: iat + options.ttl_secs,
            ehts: &ehts.claim(),
            iat,
            jti: &jti,
        };
        let mut payload = serde_json::to_vec(&claims).expect("claims always serialise");
        if let Some(extras) = extras {
            append_members(&mut payload, &extras.claims);
        }
        let header = extras.map_or(Cow::Borrowed(HEADER_B64), PopExtras::header_b64);
        check_token_size(&header, &payload, key_bits)?;
        let mut token = String::with_capacity(header.len() + payload.len() * 4 / 3 + 350);
        token.push_str(&header);
        token.push('.');
        token.push_str(&base64url(&payload));
        Ok(token)
    }

    /// The token text: `signing_input` from [`PopToken::unsigned_token`] plus the RS256
    /// signature over it.
    pub fn attach_signature(mut signing_input: String, signature: &[u8]) -> String {
        signing_input.push('.');
        signing_input.push_str(&base64url(signature));
        signing_input
    }

    /// [`PopToken::attach_signature`] for a signature `signer` made outside this call (an
    /// asynchronous callback, WebCrypto), checked as every signature from outside taap's own
    /// backend is: [`Error::SignatureInvalid`] unless it is as long as the modulus and verifies
    /// over `signing_input` under `signer`'s public key (for taap's own [`crate::PrivateKey`],
    /// signed elsewhere with the same key material, e.g. WebCrypto: the length only).
    pub fn attach_checked_signature(
        signer: &(impl Signer + ?Sized),
        signing_input: String,
        signature: &[u8],
    ) -> Result<String> {
        check_signature(signer, signing_input.as_bytes(), signature)?;
        Ok(Self::attach_signature(signing_input, signature))
    }

    /// Decodes a token's header and claims without verifying anything but their shape.
    pub fn decode(token: &str) -> Result<PopToken> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(invalid(format!(
                "it is {} bytes; PoP tokens are at most {MAX_TOKEN_BYTES}",
                token.len()
            )));
        }
        let token = token.trim();
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid("a PoP token has three base64url parts separated by '.'"));
        };
        let header = decode_header(header)?;
        let claims = decode_claims(payload)?;
        let signature = base64url_decode(signature)
            .filter(|bytes| !bytes.is_empty())
            .ok_or_else(|| invalid("the signature part is not base64url"))?;
        Ok(PopToken {
            header,
            claims,
            signing_input_len: token.len() - token.rsplit('.').next().map_or(0, str::len) - 1,
            token: token.to_owned(),
            signature,
        })
    }

    /// The JOSE header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// Seconds from `now` until `exp` (negative once expired).
    pub fn expires_in(&self, now: i64) -> i64 {
        self.claims.exp.saturating_sub(now)
    }

    /// The token text as decoded.
    pub fn as_str(&self) -> &str {
        &self.token
    }

    /// `header.payload`: the bytes the signature covers.
    #[cfg(feature = "std")]
    pub(crate) fn signing_input(&self) -> &[u8] {
        &self.token.as_bytes()[..self.signing_input_len]
    }

    /// The raw RSA signature.
    #[cfg(feature = "std")]
    pub(crate) fn signature(&self) -> &[u8] {
        &self.signature
    }
}

impl fmt::Debug for PopToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PopToken")
            .field("header", &self.header)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

/// The clock, for a token whose `iat` was not given.
#[cfg(feature = "std")]
fn clock_now() -> Result<i64> {
    Ok(crate::now_unix())
}

/// Without `std` there is no clock; a fixed or zero `iat` would be a wrong token.
#[cfg(not(feature = "std"))]
fn clock_now() -> Result<i64> {
    Err(Error::Config("this build has no clock; pass iat (BuildOptions::issued_at)".into()))
}

/// A fresh UUID v4 from the OS, for a token whose `jti` was not given.
#[cfg(feature = "std")]
fn random_jti() -> Result<String> {
    Ok(uuid::Uuid::new_v4().to_string())
}

/// Without `std` there is no OS randomness, and a fixed `jti` would make every token a replay.
#[cfg(not(feature = "std"))]
fn random_jti() -> Result<String> {
    Err(Error::Config(
        "this build has no OS randomness; pass 16 random bytes (BuildOptions::jti_from_random_bytes)".into(),
    ))
}

/// Refuses, before signing, a token that [`PopToken::decode`] and every validator would refuse.
fn check_token_size(header_b64: &str, payload: &[u8], key_bits: u32) -> Result<()> {
    let base64_len = |bytes: usize| bytes.div_ceil(3) * 4 - (3 - bytes % 3) % 3;
    let signature_len = (key_bits as usize).div_ceil(8);
    let token_len = header_b64.len() + 1 + base64_len(payload.len()) + 1 + base64_len(signature_len);
    if token_len > MAX_TOKEN_BYTES {
        return Err(Error::InvalidEhts(format!(
            "the token would be {token_len} bytes; PoP tokens are at most {MAX_TOKEN_BYTES} \
             (shorten the ehts names or the extra claims)"
        )));
    }
    Ok(())
}

/// Appends `,"name":value` members before the closing `}` of a compact JSON object, so the
/// standard members keep their bytes and order.
fn append_members(object: &mut Vec<u8>, members: &[(String, serde_json::Value)]) {
    if members.is_empty() {
        return;
    }
    object.pop();
    for (name, value) in members {
        object.push(b',');
        object.extend(serde_json::to_vec(name).expect("a string always serialises"));
        object.push(b':');
        object.extend(serde_json::to_vec(value).expect("a JSON value always serialises"));
    }
    object.push(b'}');
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidToken(message.into())
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    typ: Option<String>,
    /// Present at all, even as `null`: an `Option` would read `"crit": null` as absent.
    #[serde(default, deserialize_with = "member_present")]
    crit: bool,
}

fn member_present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> core::result::Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

fn decode_header(part: &str) -> Result<Header> {
    // The header every standard token carries is known without decoding (validation's hot path).
    if part == HEADER_B64 {
        return Ok(Header { alg: "RS256".into(), typ: Some("JWT".into()) });
    }
    let bytes = base64url_decode(part).ok_or_else(|| invalid("the header part is not base64url"))?;
    let header: RawHeader = serde_json::from_slice(&bytes).map_err(|error| {
        invalid(format!("the header is not a JSON object with 'alg' ({})", shorten(&error.to_string(), 120)))
    })?;
    if header.alg != "RS256" {
        let shown: String = header.alg.chars().take(16).collect();
        return Err(invalid(format!("alg {shown:?} is not accepted; PoP tokens are RS256")));
    }
    if header.crit {
        return Err(invalid("the header has a 'crit' member, which PoP tokens never use"));
    }
    Ok(Header { alg: header.alg, typ: header.typ })
}

#[derive(Deserialize)]
struct RawClaims {
    edts: String,
    v: String,
    exp: i64,
    ehts: String,
    iat: i64,
    jti: String,
}

fn decode_claims(part: &str) -> Result<Claims> {
    let bytes = base64url_decode(part).ok_or_else(|| invalid("the payload part is not base64url"))?;
    let raw: RawClaims = serde_json::from_slice(&bytes).map_err(|error| {
        invalid(format!(
            "the payload lacks a PoP claim or has one of the wrong type ({})",
            shorten(&error.to_string(), 120)
        ))
    })?;
    if raw.v != "1" && raw.v != "v1" {
        return Err(invalid("claim 'v' must be \"1\""));
    }
    if raw.exp < raw.iat {
        return Err(invalid("claim 'exp' lies before 'iat'"));
    }
    if raw.jti.is_empty() || raw.jti.len() > MAX_JTI_BYTES {
        return Err(invalid(format!(
            "claim 'jti' is {} bytes; taap builds and accepts 1 to {MAX_JTI_BYTES}",
            raw.jti.len()
        )));
    }
    let ehts = split_ehts(&raw.ehts)?;
    Ok(Claims { edts: raw.edts, v: raw.v, exp: raw.exp, ehts, iat: raw.iat, jti: raw.jti })
}

fn split_ehts(claim: &str) -> Result<Vec<String>> {
    let names: Vec<String> = claim.split(';').map(str::to_owned).collect();
    if names.len() > MAX_EHTS_ENTRIES {
        return Err(invalid(format!("claim 'ehts' names more than {MAX_EHTS_ENTRIES} entries")));
    }
    for (index, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(invalid(format!("claim 'ehts' has a blank name at entry {index}")));
        }
        if names[..index].contains(name) {
            return Err(invalid(format!("claim 'ehts' names {:?} twice", shorten(name, 64))));
        }
        if let Some(pseudo) = pseudo_name_variant(name) {
            return Err(invalid(format!("claim 'ehts': {}", pseudo_variant_reason(name, pseudo))));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version and variant bits are forced, whatever the RNG gave.
    #[test]
    fn random_bytes_become_a_uuid_v4() {
        let all_ones = BuildOptions::default().jti_from_random_bytes([0xff; 16]);
        assert_eq!(all_ones.jti.as_deref(), Some("ffffffff-ffff-4fff-bfff-ffffffffffff"));
        let all_zeros = BuildOptions::default().jti_from_random_bytes([0; 16]);
        assert_eq!(all_zeros.jti.as_deref(), Some("00000000-0000-4000-8000-000000000000"));
    }
}
