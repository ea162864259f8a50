//! The request rules both sides share: the ehts of an HTTP request the way T-Mobile's docs
//! describe it, the signing policy, and the adapter for a request as a gateway received it.

mod policy;
mod received;

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use url::Url;

use crate::ehts::Ehts;
use crate::error::{shorten, Error, Result};
use crate::keys::Signer;
use crate::token::{BuildOptions, PopToken};

pub use policy::{SignPolicy, DEFAULT_SIGNED_HEADERS};
pub use received::ReceivedRequest;

pub use crate::ehts::{BODY, HTTP_METHOD, URI};
/// The header that carries the PoP token; never signed itself.
pub const POP_HEADER: &str = "X-Authorization";

impl Ehts {
    /// The ehts of a request, all but the body: the headers (names as given, in order),
    /// then `uri` and `http-method`. Push `body` next (bytes or a reader) to complete it.
    pub fn for_request<I, N, V>(method: &str, url: &str, headers: I) -> Result<Ehts>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        Self::for_request_as(method, url, headers, UriForm::Decoded)
    }

    /// [`Ehts::for_request`] with `uri` in the given form.
    pub fn for_request_as<I, N, V>(method: &str, url: &str, headers: I, form: UriForm) -> Result<Ehts>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let method = request_method(method)?;
        let uri = request_uri_as(url, form)?;
        let mut ehts = Ehts::from_pairs(headers)?;
        ehts.push(URI, uri)?;
        ehts.push(HTTP_METHOD, method)?;
        Ok(ehts)
    }
}

impl PopToken {
    /// Builds the PoP token for one HTTP request: headers, `uri`, `http-method`, `body`.
    ///
    /// `url` is a full URL or a path (`/commerce/v1/orders?account-number=1`); `body` may be
    /// empty, and is always signed.
    pub fn for_request<I, N, V>(
        key: &(impl Signer + ?Sized),
        method: &str,
        url: &str,
        headers: I,
        body: &[u8],
    ) -> Result<String>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        Self::for_request_with(key, method, url, headers, body, &BuildOptions::default())
    }

    /// [`PopToken::for_request`] with explicit options.
    pub fn for_request_with<I, N, V>(
        key: &(impl Signer + ?Sized),
        method: &str,
        url: &str,
        headers: I,
        body: &[u8],
        options: &BuildOptions,
    ) -> Result<String>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let mut ehts = Ehts::for_request(method, url, headers)?;
        ehts.push(BODY, body)?;
        PopToken::sign(key, &ehts, options)
    }
}

/// The `http-method` value: the method upper-cased, which must be an HTTP token.
pub fn request_method(method: &str) -> Result<String> {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if method.is_empty() || !method.chars().all(is_token_char) {
        let shown: String = method.chars().take(32).collect();
        return Err(Error::InvalidEhts(format!("{shown:?} is not an HTTP method")));
    }
    Ok(method.to_ascii_uppercase())
}

/// The `uri` value: path plus query, the query percent-decoded, as the gateway compares it.
///
/// `https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000` gives
/// `/commerce/v1/orders?account-number=0000000000`; a bare path is taken as it would be sent.
pub fn request_uri(url: &str) -> Result<Vec<u8>> {
    request_uri_as(url, UriForm::Decoded)
}

/// The `uri` value in the given form: [`UriForm::Decoded`] is [`request_uri`];
/// [`UriForm::Encoded`] keeps the query exactly as it goes on the wire.
pub fn request_uri_as(url: &str, form: UriForm) -> Result<Vec<u8>> {
    let parsed = parse_request_url(url)?;
    let mut uri = parsed.path().as_bytes().to_vec();
    if let Some(query) = parsed.query() {
        uri.push(b'?');
        match form {
            UriForm::Decoded => uri.extend(Cow::from(percent_decode_str(query)).iter()),
            UriForm::Encoded => uri.extend_from_slice(query.as_bytes()),
        }
    }
    Ok(uri)
}

/// The `uri` value of a request target as a gateway received it (origin form `/path?query`,
/// or absolute form `https://host/path?query`): the path exactly as sent, the query in `form`.
///
/// Unlike [`request_uri_as`], dot segments (`..`, `%2e%2e`) are kept: the application routes
/// on the target as received, so the token must bind those bytes, not a normalised path.
pub fn received_uri(target: &str, form: UriForm) -> Result<Vec<u8>> {
    let path_and_query = received_path_and_query(target)?;
    let path_and_query = path_and_query.split('#').next().unwrap_or_default();
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let mut uri = if path.is_empty() { b"/".to_vec() } else { path.as_bytes().to_vec() };
    if let Some(query) = query {
        uri.push(b'?');
        match form {
            UriForm::Decoded => uri.extend(Cow::from(percent_decode_str(query)).iter()),
            UriForm::Encoded => uri.extend_from_slice(query.as_bytes()),
        }
    }
    Ok(uri)
}

/// The path and query of a received target, as the bytes that arrived.
fn received_path_and_query(target: &str) -> Result<&str> {
    if target.starts_with('/') && !target.starts_with("//") {
        return Ok(target);
    }
    // Absolute form: the url crate checks it is an http(s) URL; the path is then cut from the
    // text itself, because the parsed URL's path has its dot segments removed.
    let parsed = parse_request_url(target)?;
    let after_scheme =
        target.get(parsed.scheme().len()..).and_then(|rest| rest.strip_prefix("://")).ok_or_else(|| {
            Error::InvalidEhts("the request target is neither a path nor an http(s) URL".into())
        })?;
    Ok(after_scheme.find(['/', '?', '#']).map_or("", |start| &after_scheme[start..]))
}

/// The credentials after `scheme` in an `Authorization` value (`Bearer abc` → `abc`); the
/// scheme matches ignoring ASCII case, as RFC 7235 makes it case-insensitive.
pub fn authorization_credentials<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, credentials) = value.trim_start().split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| credentials.trim())
        .filter(|credentials| !credentials.is_empty())
}

/// How the query of the `uri` value is written: T-Mobile's docs decode it; some SDKs sign it
/// as sent. Signer and gateway must agree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum UriForm {
    /// Percent-decoded query, as T-Mobile's docs (the default).
    #[default]
    Decoded,
    /// The query exactly as sent, percent-encoding kept.
    Encoded,
}

impl UriForm {
    /// `"decoded"` or `"encoded"`, the names every door and the config file use.
    pub fn name(self) -> &'static str {
        match self {
            UriForm::Decoded => "decoded",
            UriForm::Encoded => "encoded",
        }
    }

    /// Parses `decoded` or `encoded`.
    pub fn parse(text: &str) -> Result<UriForm> {
        match text.trim() {
            "decoded" => Ok(UriForm::Decoded),
            "encoded" => Ok(UriForm::Encoded),
            other => Err(Error::Config(format!(
                "uri_form is {:?}; choose decoded (the docs) or encoded (the query as sent)",
                shorten(other, 32)
            ))),
        }
    }

    /// [`UriForm::parse`] of an optional argument: absent means the default (`decoded`, the
    /// docs' form), as every door's `uriForm`/`uri_form` argument reads it.
    pub fn parse_or_default(text: Option<&str>) -> Result<UriForm> {
        text.map_or(Ok(UriForm::default()), UriForm::parse)
    }
}

/// The path (as sent) and the raw query (not percent-decoded) `request_uri` starts from; the
/// doctor derives the `uri` forms other signers use from them.
pub(crate) fn request_uri_parts(url: &str) -> Result<(String, Option<String>)> {
    let parsed = parse_request_url(url)?;
    Ok((parsed.path().to_owned(), parsed.query().map(str::to_owned)))
}

fn parse_request_url(url: &str) -> Result<Url> {
    let bad_url = |error: url::ParseError| {
        // The URL itself is not echoed: query strings can carry credentials.
        Error::InvalidEhts(format!("the request URL is neither a URL nor a path ({error})"))
    };
    if url.starts_with('/') && !url.starts_with("//") {
        let base = Url::parse("http://localhost").expect("a constant URL parses");
        return base.join(url).map_err(bad_url);
    }
    let parsed = Url::parse(url).map_err(bad_url)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::InvalidEhts(format!(
            "only http and https URLs can be signed, not {}:",
            shorten(parsed.scheme(), 16)
        )));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(url: &str) -> String {
        String::from_utf8(request_uri(url).unwrap()).unwrap()
    }

    #[test]
    fn uri_is_path_and_decoded_query() {
        assert_eq!(
            uri("https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000"),
            "/commerce/v1/orders?account-number=0000000000"
        );
        assert_eq!(uri("https://h/a?q=a%20b%2Cc&x=%E2%82%AC"), "/a?q=a b,c&x=€");
        assert_eq!(uri("https://h/a%20b?x=1#frag"), "/a%20b?x=1");
        assert_eq!(uri("https://h"), "/");
        assert_eq!(uri("/commerce/v1/orders?a=1"), "/commerce/v1/orders?a=1");
    }

    #[test]
    fn the_encoded_form_keeps_the_query_as_sent() {
        let encoded = request_uri_as("https://h/a?q=a%20b%2Cc&x=%E2%82%AC", UriForm::Encoded).unwrap();
        assert_eq!(encoded, b"/a?q=a%20b%2Cc&x=%E2%82%AC");
        assert_eq!(request_uri_as("/p?a=1", UriForm::Encoded).unwrap(), b"/p?a=1");
        assert_eq!(UriForm::parse("encoded").unwrap(), UriForm::Encoded);
        assert_eq!(
            UriForm::parse("raw").unwrap_err().to_string(),
            "invalid configuration: uri_form is \"raw\"; choose decoded (the docs) or encoded (the query as sent)"
        );
    }

    #[test]
    fn equivalent_urls_give_the_same_uri() {
        let expected = uri("https://api.t-mobile.com/a/b?x=1");
        for same in
            ["HTTPS://API.T-MOBILE.COM:443/a/./b?x=1", "https://api.t-mobile.com/a/c/../b?x=1", "/a/b?x=1"]
        {
            assert_eq!(uri(same), expected, "{same}");
        }
    }

    #[test]
    fn a_received_target_keeps_its_dot_segments() {
        let received = |target| String::from_utf8(received_uri(target, UriForm::Decoded).unwrap()).unwrap();
        assert_eq!(received("/api/admin/%2e%2e/items/42"), "/api/admin/%2e%2e/items/42");
        assert_eq!(received("/api/admin/../items/42?a=%20"), "/api/admin/../items/42?a= ");
        assert_eq!(received("/a/./b"), "/a/./b");
        assert_eq!(received("https://h:8443/a/../b?x=%41"), "/a/../b?x=A");
        assert_eq!(received("HTTP://h?x=1"), "/?x=1");
        assert_eq!(received("http://h"), "/");
        assert_eq!(received_uri("/a?x=%41", UriForm::Encoded).unwrap(), b"/a?x=%41");
        for bad in ["*", "ftp://h/x", "//h/x", ""] {
            assert!(matches!(received_uri(bad, UriForm::Decoded), Err(Error::InvalidEhts(_))), "{bad:?}");
        }
    }

    #[test]
    fn authorization_schemes_match_ignoring_case() {
        assert_eq!(authorization_credentials("Bearer abc", "Bearer"), Some("abc"));
        assert_eq!(authorization_credentials("bearer abc ", "Bearer"), Some("abc"));
        assert_eq!(authorization_credentials("BASIC dXM6cHc=", "Basic"), Some("dXM6cHc="));
        assert_eq!(authorization_credentials("Bearer", "Bearer"), None);
        assert_eq!(authorization_credentials("Bearer ", "Bearer"), None);
        assert_eq!(authorization_credentials("Basic abc", "Bearer"), None);
        assert_eq!(authorization_credentials("Bearerabc", "Bearer"), None);
    }

    #[test]
    fn bad_urls_and_methods_are_invalid_ehts() {
        for url in ["", "ftp://h/x", "not a url", "http://"] {
            assert!(matches!(request_uri(url), Err(Error::InvalidEhts(_))), "{url:?}");
        }
        for method in ["", "GE T", "POST\r\n"] {
            assert!(matches!(request_method(method), Err(Error::InvalidEhts(_))), "{method:?}");
        }
        assert_eq!(request_method("patch").unwrap(), "PATCH");
    }

    #[test]
    fn request_ehts_order_is_headers_uri_method_body() {
        let mut ehts = Ehts::for_request("post", "/x", [("Content-Type", "application/json")]).unwrap();
        ehts.push(BODY, b"{}").unwrap();
        assert_eq!(ehts.claim(), "Content-Type;uri;http-method;body");
        let direct = Ehts::from_pairs([
            ("Content-Type", "application/json"),
            ("uri", "/x"),
            ("http-method", "POST"),
            ("body", "{}"),
        ])
        .unwrap();
        assert_eq!(ehts.edts(), direct.edts());
    }

    #[test]
    fn a_header_named_like_a_reserved_entry_is_a_duplicate() {
        let error = Ehts::for_request("GET", "/x", [("uri", "/y")]).unwrap_err();
        assert!(matches!(error, Error::InvalidEhts(_)));
    }
}
