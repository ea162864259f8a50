//! The one rule for hiding credentials in anything taap prints about a request.

/// What a masked credential is shown as.
const MASK: &str = "****";

/// Words that make a header, query parameter or JSON member name a credential.
const SECRET_WORDS: [&str; 10] = [
    "authorization",
    "cookie",
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "api-key",
    "credential",
    "private-key",
];

/// The value of `name` (a header, `uri`, `body` or any ehts name) fit to print.
///
/// `Basic`/`Bearer` credentials keep their scheme (`Authorization: Basic ****`); a header named
/// like a credential is hidden whole; in a `uri` or a body, the values of query, form and JSON
/// members named like credentials (`client_secret`, `access_token`, …) are hidden.
pub fn mask_secret(name: &str, value: &str) -> String {
    if let Some(scheme) = auth_scheme(value) {
        return format!("{scheme} {MASK}");
    }
    if is_secret_name(name) {
        return MASK.to_owned();
    }
    let trimmed = value.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return mask_json(value);
    }
    match value.split_once('?') {
        Some((path, query)) => format!("{path}?{}", mask_pairs(query)),
        None if value.contains('=') => mask_pairs(value),
        None => value.to_owned(),
    }
}

/// Whether a name reads like a credential (case, `_` and `-` ignored).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace('_', "-");
    SECRET_WORDS.iter().any(|word| name.contains(word)) || name.replace('-', "").contains("apikey")
}

fn auth_scheme(value: &str) -> Option<&str> {
    let trimmed = value.trim_start();
    let (scheme, _) = trimmed.split_once(' ')?;
    ["Basic", "Bearer", "Digest", "Token"]
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(scheme))
        .map(|_| scheme)
}

/// `a=1&client_secret=x` → `a=1&client_secret=****`.
fn mask_pairs(text: &str) -> String {
    let masked: Vec<String> = text
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_secret_name(key) => format!("{key}={MASK}"),
            _ => pair.to_owned(),
        })
        .collect();
    masked.join("&")
}

/// Hides the string value of every JSON member named like a credential, keeping the rest of
/// the text byte for byte (re-serialising would change what the user compares).
fn mask_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut mask_next = false;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = string_end(after) else {
            out.push_str(if mask_next { "\"****" } else { &rest[start..] });
            return out;
        };
        let content = &after[..end];
        rest = &after[end + 1..];
        if std::mem::take(&mut mask_next) {
            out.push('"');
            out.push_str(MASK);
            out.push('"');
            continue;
        }
        out.push('"');
        out.push_str(content);
        out.push('"');
        let next = rest.trim_start();
        mask_next =
            is_secret_name(content) && next.starts_with(':') && next[1..].trim_start().starts_with('"');
    }
    out.push_str(rest);
    out
}

/// Index of the quote closing a JSON string whose opening quote came just before `text`.
fn string_end(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, byte) in text.bytes().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(index),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_keep_their_scheme_only() {
        assert_eq!(mask_secret("Authorization", "Basic dXNlcjpzZWNyZXQ="), "Basic ****");
        assert_eq!(mask_secret("Authorization", "Bearer abc.def"), "Bearer ****");
        assert_eq!(mask_secret("X-Custom", "bearer abc"), "bearer ****");
        assert_eq!(mask_secret("Authorization", "opaque"), "****");
        assert_eq!(mask_secret("X-Api-Key", "k-123"), "****");
        assert_eq!(mask_secret("X_API_KEY", "k-123"), "****");
        assert_eq!(mask_secret("Content-Type", "application/json"), "application/json");
    }

    #[test]
    fn query_form_and_json_members_named_like_secrets_are_hidden() {
        assert_eq!(mask_secret("uri", "/a?x=1&access_token=t0k&y=2"), "/a?x=1&access_token=****&y=2");
        assert_eq!(mask_secret("body", "client_id=c&client_secret=s3"), "client_id=c&client_secret=****");
        assert_eq!(
            mask_secret("body", r#"{"client_id": "c", "client_secret" : "s\"3", "n": 1}"#),
            r#"{"client_id": "c", "client_secret" : "****", "n": 1}"#
        );
        assert_eq!(mask_secret("body", r#"{"password":"#), r#"{"password":"#);
        assert_eq!(mask_secret("body", r#"{"password":"unterminated"#), r#"{"password":"****"#);
        assert_eq!(mask_secret("uri", "/plain/path"), "/plain/path");
    }
}
