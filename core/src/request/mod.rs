//! The request rules both sides share: the ehts of an HTTP request the way T-Mobile's docs
//! describe it, the signing policy, and the adapter for a request as a gateway received it.

mod policy;
mod received;

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use url::Url;

use crate::ehts::Ehts;
use crate::error::{shorten, Error, Result};
use crate::keys::PrivateKey;
use crate::token::{BuildOptions, PopToken};

pub use policy::{SignPolicy, DEFAULT_SIGNED_HEADERS};
pub use received::ReceivedRequest;

/// ehts name of the request's path and query.
pub const URI: &str = "uri";
/// ehts name of the request's upper-case method.
pub const HTTP_METHOD: &str = "http-method";
/// ehts name of the request's exact body.
pub const BODY: &str = "body";
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
        key: &PrivateKey,
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
        key: &PrivateKey,
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
