//! The ways real signers hash a request differently from the docs, tried one at a time until
//! one reproduces the token's `edts`.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::base64url;
use crate::crypto::Sha256;
use crate::request::{BODY, HTTP_METHOD, URI};

/// Entries up to which every order of the values is tried (6! = 720 hashes).
const MAX_PERMUTED_ENTRIES: usize = 6;
/// Bytes hashed at most while trying orders; large bodies fall back to a few likely orders.
const ORDER_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// A known way a signer's values differ from the docs' rules; the id is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// `uri` with the query exactly as sent, not percent-decoded.
    UriEncoded,
    /// `uri` with the path percent-decoded too, not only the query.
    UriDecoded,
    /// `uri` without its query.
    QueryDropped,
    /// `uri` with a trailing `/` added to or removed from the path.
    TrailingSlash,
    /// `http-method` as sent or lower-case, not upper-cased.
    MethodCase,
    /// `body` with a trailing newline added or removed.
    BodyTrailingNewline,
    /// A header value with a leading or trailing space, or trimmed.
    HeaderWhitespace,
    /// The values hashed in another order than the `ehts` claim lists them.
    HeaderOrder,
}

impl Variant {
    /// Every variant, in the order they are tried.
    pub const ALL: [Variant; 8] = [
        Variant::UriEncoded,
        Variant::UriDecoded,
        Variant::QueryDropped,
        Variant::TrailingSlash,
        Variant::MethodCase,
        Variant::BodyTrailingNewline,
        Variant::HeaderWhitespace,
        Variant::HeaderOrder,
    ];

    /// The stable id, e.g. `uri-encoded`.
    pub fn id(self) -> &'static str {
        match self {
            Variant::UriEncoded => "uri-encoded",
            Variant::UriDecoded => "uri-decoded",
            Variant::QueryDropped => "query-dropped",
            Variant::TrailingSlash => "trailing-slash",
            Variant::MethodCase => "method-case",
            Variant::BodyTrailingNewline => "body-trailing-newline",
            Variant::HeaderWhitespace => "header-whitespace",
            Variant::HeaderOrder => "header-order",
        }
    }

    /// What the signer did, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            Variant::UriEncoded => "the signer hashed uri with the query as sent, not percent-decoded",
            Variant::UriDecoded => "the signer hashed uri with the path percent-decoded too",
            Variant::QueryDropped => "the signer hashed uri without the query string",
            Variant::TrailingSlash => "the signer's path differs from the request's by a trailing '/'",
            Variant::MethodCase => "the signer hashed http-method without upper-casing it",
            Variant::BodyTrailingNewline => {
                "the signer's body differs from the request's by a trailing newline"
            }
            Variant::HeaderWhitespace => "the signer hashed a header value with extra or trimmed whitespace",
            Variant::HeaderOrder => {
                "the signer hashed the values in another order than its ehts claim lists them"
            }
        }
    }
}

/// What the variants start from: the token's names and the request's values for them.
pub(crate) struct Baseline<'a> {
    pub names: &'a [String],
    pub values: Vec<Cow<'a, [u8]>>,
    pub method_as_sent: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
}

/// The first variant whose values hash to `claimed`.
pub(crate) fn find(baseline: &Baseline<'_>, claimed: &str) -> Option<Variant> {
    Variant::ALL
        .into_iter()
        .find(|&variant| candidates(baseline, variant).into_iter().any(|values| edts_of(&values) == claimed))
}

/// base64url SHA-256 over the values in order, as the `edts` claim is made.
pub(crate) fn edts_of<V: AsRef<[u8]>>(values: &[V]) -> String {
    let mut digest = Sha256::new();
    for value in values {
        digest.update(value.as_ref());
    }
    base64url(&digest.finish())
}

fn candidates(baseline: &Baseline<'_>, variant: Variant) -> Vec<Vec<Vec<u8>>> {
    match variant {
        Variant::UriEncoded => {
            replace(baseline, URI, baseline.query.map(|q| join_uri(baseline.path, Some(q))))
        }
        Variant::UriDecoded => {
            let path: Cow<'_, [u8]> = percent_decode_str(baseline.path).into();
            let mut uri = path.into_owned();
            if let Some(query) = baseline.query {
                uri.push(b'?');
                uri.extend(Cow::from(percent_decode_str(query)).iter());
            }
            replace(baseline, URI, Some(uri))
        }
        Variant::QueryDropped => {
            replace(baseline, URI, baseline.query.map(|_| baseline.path.as_bytes().to_vec()))
        }
        Variant::TrailingSlash => {
            let toggled = match baseline.path.strip_suffix('/') {
                Some(stripped) if !stripped.is_empty() => stripped.to_owned(),
                Some(_) => return Vec::new(),
                None => format!("{}/", baseline.path),
            };
            let decoded = baseline
                .query
                .map(|q| String::from_utf8_lossy(&Cow::from(percent_decode_str(q))).into_owned());
            replace(baseline, URI, Some(join_uri(&toggled, decoded.as_deref())))
        }
        Variant::MethodCase => {
            [baseline.method_as_sent.to_owned(), baseline.method_as_sent.to_ascii_lowercase()]
                .into_iter()
                .flat_map(|method| replace(baseline, HTTP_METHOD, Some(method.into_bytes())))
                .collect()
        }
        Variant::BodyTrailingNewline => body_newlines(baseline),
        Variant::HeaderWhitespace => header_whitespace(baseline),
        Variant::HeaderOrder => orders(baseline),
    }
}

fn join_uri(path: &str, query: Option<&str>) -> Vec<u8> {
    match query {
        Some(query) => format!("{path}?{query}").into_bytes(),
        None => path.as_bytes().to_vec(),
    }
}

/// The baseline with `name`'s value replaced, when the token signs `name` and the value differs.
fn replace(baseline: &Baseline<'_>, name: &str, value: Option<Vec<u8>>) -> Vec<Vec<Vec<u8>>> {
    let Some(index) = baseline.names.iter().position(|known| known == name) else { return Vec::new() };
    match value {
        Some(value) if value.as_slice() != baseline.values[index].as_ref() => {
            vec![with(baseline, index, value)]
        }
        _ => Vec::new(),
    }
}

fn with(baseline: &Baseline<'_>, index: usize, value: Vec<u8>) -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = baseline.values.iter().map(|v| v.to_vec()).collect();
    values[index] = value;
    values
}

fn body_newlines(baseline: &Baseline<'_>) -> Vec<Vec<Vec<u8>>> {
    let Some(index) = baseline.names.iter().position(|name| name == BODY) else { return Vec::new() };
    let body = baseline.values[index].as_ref();
    let mut bodies = vec![[body, b"\n"].concat(), [body, b"\r\n"].concat()];
    for ending in [&b"\r\n"[..], b"\n"] {
        if let Some(stripped) = body.strip_suffix(ending) {
            bodies.push(stripped.to_vec());
        }
    }
    bodies.into_iter().map(|candidate| with(baseline, index, candidate)).collect()
}

fn header_whitespace(baseline: &Baseline<'_>) -> Vec<Vec<Vec<u8>>> {
    let headers: Vec<usize> = (0..baseline.names.len())
        .filter(|&index| ![URI, HTTP_METHOD, BODY].contains(&baseline.names[index].as_str()))
        .collect();
    let forms = |value: &[u8]| -> Vec<Vec<u8>> {
        let text = String::from_utf8_lossy(value);
        vec![
            format!(" {text}").into_bytes(),
            format!("{text} ").into_bytes(),
            text.trim().as_bytes().to_vec(),
        ]
    };
    let mut all = Vec::new();
    for form in 0..3 {
        let mut every: Vec<Vec<u8>> = baseline.values.iter().map(|v| v.to_vec()).collect();
        for &index in &headers {
            let candidate = forms(&baseline.values[index])[form].clone();
            all.push(with(baseline, index, candidate.clone()));
            every[index] = candidate;
        }
        all.push(every);
    }
    all
}

fn orders(baseline: &Baseline<'_>) -> Vec<Vec<Vec<u8>>> {
    let count = baseline.values.len();
    let bytes: usize = baseline.values.iter().map(|v| v.len()).sum();
    let mut orders: Vec<Vec<usize>> = Vec::new();
    if count <= MAX_PERMUTED_ENTRIES && bytes.saturating_mul(720) <= ORDER_BUDGET_BYTES {
        permutations(&mut (0..count).collect(), 0, &mut orders);
    } else {
        let mut sorted: Vec<usize> = (0..count).collect();
        sorted.sort_by_key(|&index| baseline.names[index].to_ascii_lowercase());
        orders.push(sorted);
        orders.push((0..count).rev().collect());
    }
    let identity: Vec<usize> = (0..count).collect();
    orders
        .into_iter()
        .filter(|order| *order != identity)
        .map(|order| order.into_iter().map(|index| baseline.values[index].to_vec()).collect())
        .collect()
}

fn permutations(items: &mut Vec<usize>, start: usize, out: &mut Vec<Vec<usize>>) {
    if start == items.len() {
        out.push(items.clone());
        return;
    }
    for index in start..items.len() {
        items.swap(start, index);
        permutations(items, start + 1, out);
        items.swap(start, index);
    }
}
