//! The one signing policy: which of a request's headers a PoP token signs, and in what order.
//!
//! Every door (the Rust client, Python's `PopAuth`, Node's `signRequest`, the C client) asks
//! this type, so one request gets one `ehts` claim whichever door sends it.

use crate::ehts::{check_name, Ehts};
use crate::error::{shorten, Error, Result};
use crate::keys::Signer;
use crate::token::{BuildOptions, PopToken};

use super::{UriForm, BODY, POP_HEADER};

/// The headers T-Mobile's docs sign when a request carries them, in the docs' order.
pub const DEFAULT_SIGNED_HEADERS: [&str; 2] = ["Content-Type", "Authorization"];

/// Which headers of an outgoing request get signed, ahead of `uri`, `http-method` and `body`.
///
/// The default follows T-Mobile's docs: `Content-Type`, then `Authorization`, each when the
/// request has it. Names match ignoring ASCII case; the ehts entry keeps the name as sent.
/// `X-Authorization` (the PoP token itself) is never signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignPolicy {
    selection: Selection,
    uri_form: UriForm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Selection {
    /// These names, in this order, each when the request has it.
    Named(Vec<String>),
    /// Every header the request has, in the request's order, except these names.
    AllExcept(Vec<String>),
}

impl Default for SignPolicy {
    fn default() -> Self {
        SignPolicy::new()
    }
}

impl SignPolicy {
    /// The docs' policy: `Content-Type` and `Authorization` when present.
    pub fn new() -> Self {
        SignPolicy {
            selection: Selection::Named(DEFAULT_SIGNED_HEADERS.map(String::from).to_vec()),
            uri_form: UriForm::Decoded,
        }
    }

    /// Signs exactly these headers, in this order, each when the request has it.
    pub fn headers<I, S>(names: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut policy = SignPolicy { selection: Selection::Named(Vec::new()), uri_form: UriForm::Decoded };
        for name in names {
            policy = policy.with_header(name.as_ref())?;
        }
        Ok(policy)
    }

    /// Signs every header the request carries, in the request's order.
    pub fn all_headers() -> Self {
        SignPolicy { selection: Selection::AllExcept(Vec::new()), uri_form: UriForm::Decoded }
    }

    /// Signs `uri` in this form (default [`UriForm::Decoded`], as the docs).
    pub fn with_uri_form(mut self, form: UriForm) -> Self {
        self.uri_form = form;
        self
    }

    /// The form `uri` is signed in.
    pub fn uri_form(&self) -> UriForm {
        self.uri_form
    }

    /// Widens the policy by one header name (appended after the others).
    pub fn with_header(mut self, name: &str) -> Result<Self> {
        let name = checked_name(name)?;
        match &mut self.selection {
            Selection::Named(names) => {
                if !names.iter().any(|known| known.eq_ignore_ascii_case(&name)) {
                    names.push(name);
                }
            }
            Selection::AllExcept(excluded) => excluded.retain(|known| !known.eq_ignore_ascii_case(&name)),
        }
        Ok(self)
    }

    /// Narrows the policy by one header name, which is then never signed.
    pub fn without_header(mut self, name: &str) -> Result<Self> {
        let name = checked_name(name)?;
        match &mut self.selection {
            Selection::Named(names) => names.retain(|known| !known.eq_ignore_ascii_case(&name)),
            Selection::AllExcept(excluded) => excluded.push(name),
        }
        Ok(self)
    }

    /// The headers this policy signs out of `headers`, in signing order, as sent: the first
    /// occurrence of each name, its value stripped of surrounding HTTP whitespace (which no
    /// receiver keeps).
    pub fn select<'h, N, V>(&self, headers: &'h [(N, V)]) -> Vec<(&'h str, &'h [u8])>
    where
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let sent = || headers.iter().map(|(name, value)| (name.as_ref(), trim_whitespace(value.as_ref())));
        let signable = |name: &str| !name.eq_ignore_ascii_case(POP_HEADER);
        match &self.selection {
            Selection::Named(names) => names
                .iter()
                .filter(|wanted| signable(wanted))
                .filter_map(|wanted| sent().find(|(name, _)| name.eq_ignore_ascii_case(wanted)))
                .collect(),
            Selection::AllExcept(excluded) => {
                let mut chosen: Vec<(&str, &[u8])> = Vec::new();
                for (name, value) in sent() {
                    let skip = !signable(name)
                        || excluded.iter().any(|known| known.eq_ignore_ascii_case(name))
                        || chosen.iter().any(|(seen, _)| seen.eq_ignore_ascii_case(name));
                    if !skip {
                        chosen.push((name, value));
                    }
                }
                chosen
            }
        }
    }

    /// The complete ehts of a request: the selected headers, `uri`, `http-method`, `body`.
    pub fn ehts<N, V>(&self, method: &str, url: &str, headers: &[(N, V)], body: &[u8]) -> Result<Ehts>
    where
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let mut ehts = Ehts::for_request_as(method, url, self.select(headers), self.uri_form)?;
        ehts.push(BODY, body)?;
        Ok(ehts)
    }

    /// The PoP token for a request as this policy signs it.
    pub fn sign<N, V>(
        &self,
        key: &(impl Signer + ?Sized),
        method: &str,
        url: &str,
        headers: &[(N, V)],
        body: &[u8],
        options: &BuildOptions,
    ) -> Result<String>
    where
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        PopToken::sign(key, &self.ehts(method, url, headers, body)?, options)
    }

    /// The names this policy signs, in order; `None` for [`SignPolicy::all_headers`] (every
    /// header the request carries).
    pub fn named_headers(&self) -> Option<&[String]> {
        match &self.selection {
            Selection::Named(names) => Some(names),
            Selection::AllExcept(_) => None,
        }
    }

    /// The header names this policy names (for [`SignPolicy::all_headers`], the excluded ones
    /// are not listed): for `repr`/`inspect` in the bindings.
    pub fn describe(&self) -> String {
        match &self.selection {
            Selection::Named(names) => names.join(", "),
            Selection::AllExcept(excluded) if excluded.is_empty() => "every header".into(),
            Selection::AllExcept(excluded) => format!("every header but {}", excluded.join(", ")),
        }
    }
}

fn checked_name(name: &str) -> Result<String> {
    check_name(0, name).map_err(|_| {
        Error::Config(format!("{:?} is not a header name a PoP token can sign", shorten(name, 64)))
    })?;
    Ok(name.to_owned())
}

/// Surrounding space, tab, CR and LF: what fetch strips and HTTP parsers drop from a value.
fn trim_whitespace(value: &[u8]) -> &[u8] {
    let is_space = |byte: &u8| matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
    let start = value.iter().position(|byte| !is_space(byte)).unwrap_or(value.len());
    let end = value.iter().rposition(|byte| !is_space(byte)).map_or(start, |last| last + 1);
    &value[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: [(&str, &str); 5] = [
        ("accept", "application/json"),
        ("authorization", "Bearer t"),
        ("X-Authorization", "old"),
        ("content-type", " application/json\t"),
        ("Accept", "text/plain"),
    ];

    fn names(policy: &SignPolicy) -> Vec<(String, String)> {
        let selected = policy.select(&REQUEST);
        selected
            .into_iter()
            .map(|(name, value)| (name.to_owned(), String::from_utf8(value.to_vec()).unwrap()))
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
    }

    #[test]
    fn default_signs_content_type_then_authorization_as_sent() {
        let expected = [("content-type", "application/json"), ("authorization", "Bearer t")];
        assert_eq!(names(&SignPolicy::new()), pairs(&expected));
    }

    #[test]
    fn all_headers_keeps_request_order_first_occurrence_and_never_the_pop_header() {
        let expected = [
            ("accept", "application/json"),
            ("authorization", "Bearer t"),
            ("content-type", "application/json"),
        ];
        assert_eq!(names(&SignPolicy::all_headers()), pairs(&expected));
        let narrowed = SignPolicy::all_headers().without_header("AUTHORIZATION").unwrap();
        assert_eq!(names(&narrowed), pairs(&[expected[0], expected[2]]));
    }

    #[test]
    fn named_policies_widen_narrow_and_ignore_the_pop_header() {
        let policy = SignPolicy::headers(["Accept", "X-Authorization"]).unwrap().with_header("Content-Type");
        let expected = [("accept", "application/json"), ("content-type", "application/json")];
        assert_eq!(names(&policy.unwrap()), pairs(&expected));
        let narrowed = SignPolicy::new().without_header("content-type").unwrap();
        assert_eq!(names(&narrowed), pairs(&[("authorization", "Bearer t")]));
        assert_eq!(SignPolicy::headers(["a", "A"]).unwrap().describe(), "a");
    }

    #[test]
    fn bad_names_are_config_errors() {
        for bad in ["", " ", "a;b"] {
            assert!(matches!(SignPolicy::new().with_header(bad), Err(Error::Config(_))), "{bad:?}");
        }
    }

    #[test]
    fn ehts_order_is_headers_uri_method_body() {
        let ehts = SignPolicy::new().ehts("get", "https://h/a?b=%20", &REQUEST, b"").unwrap();
        assert_eq!(ehts.claim(), "content-type;authorization;uri;http-method;body");
        let direct = Ehts::from_pairs([
            ("content-type", "application/json"),
            ("authorization", "Bearer t"),
            ("uri", "/a?b= "),
            ("http-method", "GET"),
            ("body", ""),
        ])
        .unwrap();
        assert_eq!(ehts.edts(), direct.edts());
    }

    #[test]
    fn the_uri_form_decides_how_the_query_is_signed() {
        let policy = SignPolicy::new().with_uri_form(UriForm::Encoded);
        let ehts = policy.ehts("GET", "https://h/a?b=%20", &REQUEST, b"").unwrap();
        let direct = Ehts::from_pairs([
            ("content-type", "application/json"),
            ("authorization", "Bearer t"),
            ("uri", "/a?b=%20"),
            ("http-method", "GET"),
            ("body", ""),
        ])
        .unwrap();
        assert_eq!((ehts.edts(), policy.uri_form()), (direct.edts(), UriForm::Encoded));
    }

    #[test]
    fn whitespace_trim_handles_blank_values() {
        assert_eq!(trim_whitespace(b" \t "), b"");
        assert_eq!(trim_whitespace(b" a b "), b"a b");
    }
}
