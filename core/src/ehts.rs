//! The ordered ehts (external headers to sign) list and its edts hash.

use alloc::collections::BTreeMap;
use core::borrow::Borrow;
use core::fmt;
#[cfg(feature = "std")]
use std::collections::HashMap;
#[cfg(feature = "std")]
use std::hash::{BuildHasher, Hash};
#[cfg(feature = "std")]
use std::io::Read;

use crate::base64url;
use crate::crypto::Sha256;
use crate::error::{Error, Result};
#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// The most entries one PoP token may sign.
pub const MAX_EHTS_ENTRIES: usize = 100;

/// ehts name of the request's path and query.
pub const URI: &str = "uri";
/// ehts name of the request's upper-case method.
pub const HTTP_METHOD: &str = "http-method";
/// ehts name of the request's exact body.
pub const BODY: &str = "body";

/// What an ehts name refers to: the request line and body (the docs' lower-case pseudo-names,
/// spelled exactly), or a header. The validator reads values and checks required names by
/// this one classification, so the two can never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EhtsName<'a> {
    /// `uri`: path and query.
    Uri,
    /// `http-method`: the upper-case method.
    HttpMethod,
    /// `body`: the exact body.
    Body,
    /// Any other name: a header, matched ignoring ASCII case.
    Header(&'a str),
}

impl<'a> EhtsName<'a> {
    /// Classifies `name`. Only the exact lower-case spellings are pseudo-names; other
    /// spellings of them are refused when a token is built and when one is decoded, because a
    /// gateway would read them as headers the sender can add at will.
    pub fn of(name: &'a str) -> Self {
        match name {
            URI => EhtsName::Uri,
            HTTP_METHOD => EhtsName::HttpMethod,
            BODY => EhtsName::Body,
            header => EhtsName::Header(header),
        }
    }

    /// Whether `self` (a name a token signs) meets `required` (a name a gateway requires).
    pub fn meets(self, required: EhtsName<'_>) -> bool {
        match (self, required) {
            (EhtsName::Header(signed), EhtsName::Header(wanted)) => signed.eq_ignore_ascii_case(wanted),
            (signed, wanted) => signed == wanted,
        }
    }
}

/// The pseudo-name `name` spells in another case (`URI`, `Http-Method`), if any.
pub(crate) fn pseudo_name_variant(name: &str) -> Option<&'static str> {
    [URI, HTTP_METHOD, BODY].into_iter().find(|pseudo| name != *pseudo && name.eq_ignore_ascii_case(pseudo))
}

/// Why a case variant of a pseudo-name is refused, for every door's message.
pub(crate) fn pseudo_variant_reason(name: &str, pseudo: &str) -> String {
    format!(
        "{:?} is {pseudo} in another case; write {pseudo} (a gateway would read {:?} as a header \
         the sender can add, not the request line)",
        crate::error::shorten(name, 32),
        crate::error::shorten(name, 32)
    )
}

/// Ordered ehts names plus the running SHA-256 of their values (the future `edts`).
///
/// Values are hashed as they are pushed, so a large body can be streamed from a reader
/// without being held in memory.
#[derive(Clone)]
pub struct Ehts {
    names: Vec<String>,
    digest: Sha256,
}

impl Ehts {
    /// An empty list; push at least one entry before signing.
    pub fn new() -> Self {
        Ehts { names: Vec::new(), digest: Sha256::new() }
    }

    /// Builds the list from ordered `(name, value)` pairs.
    pub fn from_pairs<I, N, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let mut ehts = Ehts::new();
        for (name, value) in pairs {
            ehts.push(name.as_ref(), value.as_ref())?;
        }
        Ok(ehts)
    }

    /// Appends one entry; the name must be non-blank, unique and free of `;`.
    pub fn push(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<&mut Self> {
        self.admit(name)?;
        self.digest.update(value.as_ref());
        Ok(self)
    }

    /// Appends one entry whose value is read to the end from `reader` (e.g. a large body).
    #[cfg(feature = "std")]
    pub fn push_reader(&mut self, name: &str, mut reader: impl Read) -> Result<&mut Self> {
        self.admit(name)?;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buffer) {
                Ok(0) => return Ok(self),
                Ok(read) => self.digest.update(&buffer[..read]),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => {
                    return Err(Error::InvalidEhts(format!(
                        "reading the value of {} failed: {error}",
                        describe(self.names.len() - 1, name)
                    )))
                }
            }
        }
    }

    fn admit(&mut self, name: &str) -> Result<()> {
        let index = self.names.len();
        check_name(index, name)?;
        if index >= MAX_EHTS_ENTRIES {
            return Err(Error::InvalidEhts(format!(
                "{} is one too many; a PoP token signs at most {MAX_EHTS_ENTRIES} entries",
                describe(index, name)
            )));
        }
        if let Some(first) = self.names.iter().position(|existing| existing == name) {
            return Err(Error::InvalidEhts(format!(
                "{} repeats the name of entry {first}; each name is signed once",
                describe(index, name)
            )));
        }
        self.names.push(name.to_owned());
        Ok(())
    }

    /// The names in signing order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no entry has been pushed yet.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The `ehts` claim: the names joined by `;`.
    pub fn claim(&self) -> String {
        self.names.join(";")
    }

    /// The `edts` claim: base64url SHA-256 over the values concatenated in order.
    pub fn edts(&self) -> String {
        base64url(&self.digest.clone().finish())
    }
}

impl Default for Ehts {
    fn default() -> Self {
        Ehts::new()
    }
}

impl fmt::Debug for Ehts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values are never kept; names are not secret.
        f.debug_struct("Ehts").field("names", &self.names).finish_non_exhaustive()
    }
}

/// Checks one ehts name: non-blank, without `;` (which separates names in the claim), and not
/// a pseudo-name in another case.
pub(crate) fn check_name(index: usize, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::InvalidEhts(format!(
            "entry {index} has a blank name; every ehts entry needs a name"
        )));
    }
    if name.contains(';') {
        return Err(Error::InvalidEhts(format!(
            "{} contains ';', which separates names in the ehts claim",
            describe(index, name)
        )));
    }
    if let Some(pseudo) = pseudo_name_variant(name) {
        return Err(Error::InvalidEhts(format!("entry {index}: {}", pseudo_variant_reason(name, pseudo))));
    }
    Ok(())
}

/// `entry 3 ("uri")`, with long names shortened: messages stay one readable line.
pub(crate) fn describe(index: usize, name: &str) -> String {
    let shown: String = name.chars().take(64).collect();
    let ellipsis = if shown.len() < name.len() { "…" } else { "" };
    format!("entry {index} ({shown:?}{ellipsis})")
}

/// Where a validator finds the caller's value for each name the token signs.
pub trait EhtsValues {
    /// The value for `name`, or `None` when the caller has none.
    fn value(&self, name: &str) -> Option<&[u8]>;

    /// Refuses a name whose value is ambiguous (a received header sent twice); a plain list of
    /// values has one per name by construction.
    fn check_single(&self, _name: &str) -> Result<()> {
        Ok(())
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> EhtsValues for [(N, V)] {
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.iter().find(|(key, _)| key.as_ref() == name).map(|(_, value)| value.as_ref())
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> EhtsValues for Vec<(N, V)> {
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().value(name)
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>, const LEN: usize> EhtsValues for [(N, V); LEN] {
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().value(name)
    }
}

#[cfg(feature = "std")]
impl<K, V, S> EhtsValues for HashMap<K, V, S>
where
    K: Borrow<str> + Hash + Eq,
    V: AsRef<[u8]>,
    S: BuildHasher,
{
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(AsRef::as_ref)
    }
}

impl<K: Borrow<str> + Ord, V: AsRef<[u8]>> EhtsValues for BTreeMap<K, V> {
    fn value(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(AsRef::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edts_hashes_values_in_order() {
        let ehts = Ehts::from_pairs([("a", "x"), ("b", "yz")]).unwrap();
        let whole = Ehts::from_pairs([("c", "xyz")]).unwrap();
        assert_eq!(ehts.edts(), whole.edts());
        assert_eq!(ehts.claim(), "a;b");
        // SHA-256("") in base64url: an empty value list still has a defined edts.
        assert_eq!(Ehts::new().edts(), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
    }

    #[test]
    fn reader_and_bytes_hash_the_same() {
        let body = vec![7u8; 200_000];
        let mut streamed = Ehts::new();
        streamed.push("body", b"").unwrap();
        streamed.push_reader("big", body.as_slice()).unwrap();
        let direct = Ehts::from_pairs([("body", &b""[..]), ("big", &body[..])]).unwrap();
        assert_eq!(streamed.edts(), direct.edts());
    }

    #[test]
    fn every_rule_is_an_invalid_ehts_naming_the_entry() {
        let cases: [(&[(&str, &str)], &str); 7] = [
            (&[("uri", "/"), ("", "x")], "entry 1 has a blank name"),
            (&[("  ", "x")], "entry 0 has a blank name"),
            (&[("a;b", "x")], "entry 0 (\"a;b\") contains ';'"),
            (&[("uri", "/"), ("uri", "/x")], "entry 1 (\"uri\") repeats the name of entry 0"),
            (&[("a", ""), ("URI", "/x")], "entry 1: \"URI\" is uri in another case; write uri"),
            (&[("Http-Method", "GET")], "entry 0: \"Http-Method\" is http-method in another case"),
            (&[("BODY", "")], "entry 0: \"BODY\" is body in another case"),
        ];
        for (pairs, expected) in cases {
            match Ehts::from_pairs(pairs.iter().copied()) {
                Err(Error::InvalidEhts(message)) => assert!(message.starts_with(expected), "{message}"),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn at_most_one_hundred_entries() {
        let names: Vec<String> = (0..=MAX_EHTS_ENTRIES).map(|i| format!("h{i}")).collect();
        let pairs = names.iter().map(|name| (name.as_str(), ""));
        let error = Ehts::from_pairs(pairs.clone().take(MAX_EHTS_ENTRIES)).map(|e| e.len());
        assert_eq!(error, Ok(MAX_EHTS_ENTRIES));
        match Ehts::from_pairs(pairs) {
            Err(Error::InvalidEhts(message)) => assert!(message.starts_with("entry 100 (\"h100\")")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pseudo_names_meet_only_themselves_and_headers_ignore_case() {
        assert!(EhtsName::of("uri").meets(EhtsName::of("uri")));
        assert!(
            !EhtsName::of("URI").meets(EhtsName::of("uri")),
            "a header named URI is not the request line"
        );
        assert!(!EhtsName::of("uri").meets(EhtsName::of("URI")));
        assert!(EhtsName::of("content-type").meets(EhtsName::of("Content-Type")));
        assert!(!EhtsName::of("body").meets(EhtsName::of("Body")));
        assert_eq!(EhtsName::of("Http-Method"), EhtsName::Header("Http-Method"));
    }

    #[test]
    fn lookups_find_values_by_exact_name() {
        let pairs = vec![("uri", "/a"), ("body", "")];
        assert_eq!(pairs.value("uri"), Some(&b"/a"[..]));
        assert_eq!(pairs.value("URI"), None);
        let map: HashMap<String, Vec<u8>> = [("k".to_string(), b"v".to_vec())].into();
        assert_eq!(map.value("k"), Some(&b"v"[..]));
    }
}
