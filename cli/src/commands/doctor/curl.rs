//! The request a curl command line sends, for `taap doctor --curl`.

use std::path::Path;

use taap::diagnose::ExplainRequest;

use crate::ehts_args::split_header;
use crate::output::config;

/// What curl sends with `-d` when no `Content-Type` is given.
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
/// Flags that change nothing about the request's method, URL, headers or body.
const HARMLESS_FLAGS: [&str; 16] = [
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-sS",
    "-v",
    "--verbose",
    "-i",
    "--include",
    "-k",
    "--insecure",
    "-L",
    "--location",
    "--compressed",
    "-f",
    "--fail",
];

/// Parses the common curl flags: `-X/--request`, `-H/--header`, `-d/--data/--data-raw/
/// --data-binary/--data-ascii` (`@file` too), `--url` and the URL. Anything else is refused
/// by name, never by value (values may be credentials).
pub fn parse(command: &str) -> taap::Result<ExplainRequest> {
    let joined = command.replace("\\\r\n", " ").replace("\\\n", " ");
    let words = shell_words::split(&joined)
        .map_err(|_| config("--curl: the command line has an unclosed quote or a trailing backslash"))?;
    let mut words = words.into_iter().peekable();
    if words.peek().map(String::as_str) == Some("curl") {
        words.next();
    }
    let mut parsed = Parsed::default();
    while let Some(word) = words.next() {
        let mut value =
            |flag: &str| words.next().ok_or_else(|| config(format!("--curl: {flag} needs a value")));
        match word.as_str() {
            "-X" | "--request" => parsed.method = Some(value(&word)?),
            "-H" | "--header" => parsed.headers.push(value(&word)?),
            "--url" => parsed.set_url(value(&word)?)?,
            "-d" | "--data" | "--data-ascii" => parsed.data(&value(&word)?, true, true)?,
            "--data-binary" => parsed.data(&value(&word)?, true, false)?,
            "--data-raw" => parsed.data(&value(&word)?, false, false)?,
            flag if HARMLESS_FLAGS.contains(&flag) => {}
            flag if flag.starts_with("-X") && flag.len() > 2 => parsed.method = Some(flag[2..].to_owned()),
            flag if flag.starts_with('-') => {
                let name: String = flag.chars().take_while(|c| *c != '=').take(32).collect();
                return Err(config(format!(
                    "--curl: cannot read the flag {name}; taap doctor understands -X, -H, -d/--data, \
                     --data-raw, --data-binary, --url and the URL (give the request with --method, \
                     --url, -H and --body instead)"
                )));
            }
            _ => parsed.set_url(word)?,
        }
    }
    parsed.into_request()
}

#[derive(Default)]
struct Parsed {
    method: Option<String>,
    url: Option<String>,
    headers: Vec<String>,
    body: Option<Vec<u8>>,
}

impl Parsed {
    fn set_url(&mut self, url: String) -> taap::Result<()> {
        if self.url.replace(url).is_some() {
            return Err(config("--curl: more than one URL; doctor explains one request"));
        }
        Ok(())
    }

    /// One `-d`-style argument: `@file` read unless raw, newlines dropped as curl's `--data`
    /// does, pieces joined with `&` as curl joins them.
    fn data(&mut self, argument: &str, files: bool, strip_newlines: bool) -> taap::Result<()> {
        let mut piece = match argument.strip_prefix('@') {
            Some(path) if files => std::fs::read(Path::new(path))
                .map_err(|error| config(format!("--curl: cannot read {path}: {error}")))?,
            _ => argument.as_bytes().to_vec(),
        };
        if strip_newlines && argument.starts_with('@') {
            piece.retain(|byte| *byte != b'\n' && *byte != b'\r');
        }
        let body = self.body.get_or_insert_with(Vec::new);
        if !body.is_empty() {
            body.push(b'&');
        }
        body.extend_from_slice(&piece);
        Ok(())
    }

    fn into_request(self) -> taap::Result<ExplainRequest> {
        let url = self.url.ok_or_else(|| config("--curl: the command line has no URL"))?;
        let has_body = self.body.is_some();
        let method = self.method.unwrap_or_else(|| if has_body { "POST" } else { "GET" }.to_owned());
        let mut request = ExplainRequest::new(method, url);
        for (index, header) in self.headers.iter().enumerate() {
            let (name, value) = split_header(index, header)?;
            request = request.header(name, value.as_bytes());
        }
        let typed = request.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("Content-Type"));
        if has_body && !typed {
            request = request.header("Content-Type", FORM_CONTENT_TYPE);
        }
        Ok(request.body(self.body.unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_flags_give_the_request() {
        let request = parse(
            "curl -sS -X post 'https://h/a?q=1' -H 'Content-Type: application/json' \\\n \
             -H \"Authorization: Bearer t\" --data-raw '{\"a\": 1}'",
        )
        .unwrap();
        assert_eq!((request.method.as_str(), request.url.as_str()), ("post", "https://h/a?q=1"));
        let headers: Vec<(&str, &[u8])> =
            request.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        assert_eq!(headers, [("Content-Type", &b"application/json"[..]), ("Authorization", b"Bearer t")]);
        assert_eq!(request.body, br#"{"a": 1}"#);
    }

    #[test]
    fn data_means_post_with_curls_form_type_and_joined_pieces() {
        let request = parse("curl -d a=1 --data b=2 https://h/x").unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.headers, [("Content-Type".to_owned(), FORM_CONTENT_TYPE.as_bytes().to_vec())]);
        assert_eq!(request.body, b"a=1&b=2");
        assert_eq!(parse("curl -XPUT https://h/x").unwrap().method, "PUT");
    }

    #[test]
    fn what_cannot_be_read_is_refused_by_name_only() {
        let cases = [
            ("curl -u user:SECRET https://h/x", "--curl: cannot read the flag -u;"),
            ("curl --user=user:SECRET https://h/x", "--curl: cannot read the flag --user;"),
            ("curl 'https://h/x", "--curl: the command line has an unclosed quote"),
            ("curl -H", "--curl: -H needs a value"),
            ("curl -X GET", "--curl: the command line has no URL"),
            ("curl https://h/a https://h/b", "--curl: more than one URL"),
        ];
        for (command, expected) in cases {
            let message = parse(command).unwrap_err().to_string();
            assert!(message.contains(expected), "{command}: {message}");
            assert!(!message.contains("SECRET"), "{message}");
        }
    }
}
