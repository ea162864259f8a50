//! The gateway side of the request rules: an HTTP request as received, seen as the values a
//! PoP token's ehts names refer to.

use crate::ehts::EhtsValues;
use crate::error::{Error, Result};

use super::{request_method, request_uri_as, UriForm, BODY, HTTP_METHOD, POP_HEADER, URI};

/// An HTTP request as a gateway received it, ready for
/// [`PopTokenValidator::validate_request`](crate::PopTokenValidator::validate_request).
///
/// `uri` and `http-method` are derived by the same rules the signer uses, so a gateway in any
/// language compares like with like; header names match ignoring ASCII case.
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
        let uri = request_uri_as(target, form).map_err(|_| {
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

impl EhtsValues for ReceivedRequest<'_> {
    fn value(&self, name: &str) -> Option<&[u8]> {
        match name {
            URI => Some(&self.uri),
            HTTP_METHOD => Some(self.method.as_bytes()),
            BODY => Some(self.body),
            header => self.header(header),
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
