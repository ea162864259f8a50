//! The gateway side of the request rules: an HTTP request as received, seen as the values a
//! PoP token's ehts names refer to.

use crate::ehts::{EhtsName, EhtsValues};
use crate::error::{shorten, Error, Result};

use super::{received_uri, request_method, UriForm, POP_HEADER};

/// The header that carries the access token (or Basic credentials) beside the PoP token.
const AUTHORIZATION: &str = "Authorization";

/// An HTTP request as a gateway received it, ready for
/// [`PopTokenValidator::validate_request`](crate::PopTokenValidator::validate_request).
///
/// `uri` is the target as received (see [`received_uri`]) and `http-method` the upper-cased
/// method, so a gateway in any language compares like with like; header names match ignoring
/// ASCII case, and header values are the bytes received.
#[derive(Debug, Clone)]
pub struct ReceivedRequest<'a> {
    method: String,
    uri: Vec<u8>,
    headers: Vec<(&'a str, &'a [u8])>,
    body: &'a [u8],
}

impl<'a> ReceivedRequest<'a> {
    /// A request from its method, target (path and query as on the request line, or a full
    /// URL), headers as received and exact body.
    pub fn new<I>(method: &str, target: &str, headers: I, body: &'a [u8]) -> Result<Self>
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        Self::with_uri_form(method, target, headers, body, UriForm::Decoded)
    }

    /// [`ReceivedRequest::new`] for signers that sign `uri` in another form (e.g. SDKs that
    /// sign the query as sent: [`UriForm::Encoded`]).
    pub fn with_uri_form<I>(
        method: &str,
        target: &str,
        headers: I,
        body: &'a [u8],
        form: UriForm,
    ) -> Result<Self>
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        let method = request_method(method)?;
        let uri = received_uri(target, form).map_err(|_| {
            Error::InvalidEhts("the request target is neither a path nor an http(s) URL".into())
        })?;
        Ok(ReceivedRequest { method, uri, headers: headers.into_iter().collect(), body })
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)).map(|(_, value)| *value)
    }

    /// The PoP token the request carries in `X-Authorization`, if any.
    pub fn pop_token(&self) -> Option<&'a [u8]> {
        self.header(POP_HEADER)
    }

    /// How many times header `name` (any case) was received.
    pub fn header_count(&self, name: &str) -> usize {
        self.headers.iter().filter(|(known, _)| known.eq_ignore_ascii_case(name)).count()
    }

    /// Refuses a request whose credentials are ambiguous: `X-Authorization` or `Authorization`
    /// sent twice, or two values joined by `,` (as WSGI servers and Node join repeats). A proxy
    /// or app that took the other value would act on a credential the validator never saw.
    pub fn check_credentials(&self) -> Result<()> {
        for name in [POP_HEADER, AUTHORIZATION] {
            let count = self.header_count(name);
            if count > 1 {
                return Err(Error::InvalidToken(format!(
                    "{name} appears {count} times; send it exactly once"
                )));
            }
        }
        let joined = |value: &[u8]| value.contains(&b',');
        if self.pop_token().is_some_and(joined) {
            return Err(Error::InvalidToken(format!(
                "{POP_HEADER} holds two values joined by ','; send one PoP token"
            )));
        }
        if self.header(AUTHORIZATION).is_some_and(|value| is_token68_scheme(value) && joined(value)) {
            return Err(Error::InvalidToken(format!(
                "{AUTHORIZATION} holds two credentials joined by ','; send one"
            )));
        }
        Ok(())
    }

    /// The `uri` value: path and query, the query in the request's [`UriForm`].
    pub fn uri(&self) -> &[u8] {
        &self.uri
    }

    /// The `http-method` value: the method upper-cased.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The exact body.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

/// Bearer and Basic credentials are one token68, which never holds a comma.
fn is_token68_scheme(value: &[u8]) -> bool {
    let scheme = value.split(|byte| *byte == b' ').next().unwrap_or_default();
    scheme.eq_ignore_ascii_case(b"Bearer") || scheme.eq_ignore_ascii_case(b"Basic")
}

impl EhtsValues for ReceivedRequest<'_> {
    fn value(&self, name: &str) -> Option<&[u8]> {
        match EhtsName::of(name) {
            EhtsName::Uri => Some(&self.uri),
            EhtsName::HttpMethod => Some(self.method.as_bytes()),
            EhtsName::Body => Some(self.body),
            EhtsName::Header(header) => self.header(header),
        }
    }

    fn check_single(&self, name: &str) -> Result<()> {
        let EhtsName::Header(header) = EhtsName::of(name) else { return Ok(()) };
        match self.header_count(header) {
            0 | 1 => Ok(()),
            count => Err(Error::InvalidToken(format!(
                "the token signs header {:?}, which the request carries {count} times; send it once",
                shorten(header, 64)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_follow_the_signer_rules() {
        let headers = [("content-type", &b"application/json"[..]), ("X-AUTHORIZATION", b"tok")];
        let request = ReceivedRequest::new("post", "/a?q=a%20b", headers, b"{}").unwrap();
        assert_eq!(request.value("uri"), Some(&b"/a?q=a b"[..]));
        assert_eq!(request.value("http-method"), Some(&b"POST"[..]));
        assert_eq!(request.value("body"), Some(&b"{}"[..]));
        assert_eq!(request.value("Content-Type"), Some(&b"application/json"[..]));
        assert_eq!(request.value("Accept"), None);
        assert_eq!(request.pop_token(), Some(&b"tok"[..]));
    }

    #[test]
    fn the_encoded_form_compares_the_query_as_received() {
        let none: [(&str, &[u8]); 0] = [];
        let request =
            ReceivedRequest::with_uri_form("GET", "/a?q=a%20b", none, b"", UriForm::Encoded).unwrap();
        assert_eq!(request.value("uri"), Some(&b"/a?q=a%20b"[..]));
    }

    #[test]
    fn repeated_or_joined_credentials_are_refused() {
        let check = |headers: &[(&'static str, &'static [u8])]| {
            ReceivedRequest::new("GET", "/", headers.iter().copied(), b"").unwrap().check_credentials()
        };
        let refused = |headers: &[(&'static str, &'static [u8])], expected: &str| match check(headers) {
            Err(Error::InvalidToken(message)) => assert_eq!(message, expected),
            other => panic!("{headers:?}: {other:?}"),
        };
        refused(
            &[("X-Authorization", b"a"), ("x-authorization", b"b")],
            "X-Authorization appears 2 times; send it exactly once",
        );
        refused(
            &[("Authorization", b"Bearer a"), ("AUTHORIZATION", b"Bearer b")],
            "Authorization appears 2 times; send it exactly once",
        );
        refused(
            &[("X-Authorization", b"a.b.c,d.e.f")],
            "X-Authorization holds two values joined by ','; send one PoP token",
        );
        refused(
            &[("Authorization", b"bearer a,Bearer b")],
            "Authorization holds two credentials joined by ','; send one",
        );
        check(&[("Authorization", b"Digest realm=\"a\", nonce=\"b\""), ("X-Authorization", b"t")]).unwrap();
        check(&[]).unwrap();
    }

    #[test]
    fn a_signed_header_sent_twice_is_refused_and_pseudo_names_are_exact() {
        let headers = [("X-Note", &b"a"[..]), ("x-note", b"b"), ("URI", b"/forged")];
        let request = ReceivedRequest::new("GET", "/real", headers, b"").unwrap();
        assert!(matches!(request.check_single("X-Note"), Err(Error::InvalidToken(_))));
        request.check_single("uri").unwrap();
        assert_eq!(request.value("uri"), Some(&b"/real"[..]));
        assert_eq!(
            request.value("URI"),
            Some(&b"/forged"[..]),
            "only the exact pseudo-name reads the request line"
        );
    }

    #[test]
    fn a_bad_target_or_method_is_invalid_ehts() {
        let none: [(&str, &[u8]); 0] = [];
        let error = ReceivedRequest::new("GET", "ftp://h/x", none, b"").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid ehts: the request target is neither a path nor an http(s) URL"
        );
        assert!(matches!(ReceivedRequest::new("G T", "/", none, b""), Err(Error::InvalidEhts(_))));
    }
}
