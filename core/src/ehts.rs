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

/// Checks one ehts name: non-blank and without `;`, which separates names in the claim.
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
        let cases: [(&[(&str, &str)], &str); 4] = [
            (&[("uri", "/"), ("", "x")], "entry 1 has a blank name"),
            (&[("  ", "x")], "entry 0 has a blank name"),
            (&[("a;b", "x")], "entry 0 (\"a;b\") contains ';'"),
            (&[("uri", "/"), ("uri", "/x")], "entry 1 (\"uri\") repeats the name of entry 0"),
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
    fn lookups_find_values_by_exact_name() {
        let pairs = vec![("uri", "/a"), ("body", "")];
        assert_eq!(pairs.value("uri"), Some(&b"/a"[..]));
        assert_eq!(pairs.value("URI"), None);
        let map: HashMap<String, Vec<u8>> = [("k".to_string(), b"v".to_vec())].into();
        assert_eq!(map.value("k"), Some(&b"v"[..]));
    }
}
