//! The ehts flags `taap pop` and `taap verify` share: verbatim entries or an HTTP request.

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::output::config;

/// Either verbatim `--ehts NAME=VALUE` entries, or a request (`-H`, `--method`, `--url`,
/// `--body`) that goes through the request signer's rules.
#[derive(Debug, Clone, clap::Args)]
pub struct EhtsArgs {
    /// An ehts entry, verbatim and in order; split at the first '='. Repeatable.
    #[arg(long = "ehts", value_name = "NAME=VALUE")]
    entries: Vec<String>,
    /// A request header to sign, 'Name: value', in order. Repeatable.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The request method (signed upper-cased as http-method).
    #[arg(long, value_name = "METHOD")]
    method: Option<String>,
    /// The full request URL; its path and decoded query are signed as uri.
    #[arg(long, value_name = "URL", conflicts_with = "uri")]
    url: Option<String>,
    /// The request path and query, when there is no full URL.
    #[arg(long, value_name = "URI")]
    uri: Option<String>,
    /// The request body.
    #[arg(long, value_name = "STRING", conflicts_with = "body_file")]
    body: Option<String>,
    /// Read the request body from this file (streamed; any size).
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
}

/// A request described on the command line.
pub struct RequestArgs {
    /// Method as given (upper-cased by the core).
    pub method: String,
    /// URL or path.
    pub target: String,
    /// Headers, names as given.
    pub headers: Vec<(String, Zeroizing<String>)>,
    /// Where the body comes from.
    pub body: BodySource,
}

/// Where the request body comes from.
pub enum BodySource {
    /// Given inline (possibly empty).
    Inline(Zeroizing<String>),
    /// Streamed from a file.
    File(PathBuf),
}

/// What the flags describe.
pub enum EhtsInput {
    /// Verbatim entries.
    Entries(Vec<(String, Zeroizing<String>)>),
    /// A request for the signer.
    Request(RequestArgs),
}

impl EhtsArgs {
    /// Interprets the flags; mixing the two styles, or giving neither, is a usage error.
    pub fn input(&self) -> taap::Result<EhtsInput> {
        let request_style = !self.headers.is_empty()
            || self.method.is_some()
            || self.url.is_some()
            || self.uri.is_some()
            || self.body.is_some()
            || self.body_file.is_some();
        match (self.entries.is_empty(), request_style) {
            (false, true) => {
                Err(config("use either --ehts entries or request flags (-H/--method/--url/--body), not both"))
            }
            (true, false) => Err(config(
                "nothing to sign: give --ehts NAME=VALUE entries, or --url/--uri with -H/--method/--body",
            )),
            (false, false) => Ok(EhtsInput::Entries(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(index, entry)| split_entry(index, entry))
                    .collect::<taap::Result<_>>()?,
            )),
            (true, true) => self.request().map(EhtsInput::Request),
        }
    }

    fn request(&self) -> taap::Result<RequestArgs> {
        let target = self
            .url
            .clone()
            .or_else(|| self.uri.clone())
            .ok_or_else(|| config("a request needs --url or --uri"))?;
        let headers = self
            .headers
            .iter()
            .enumerate()
            .map(|(index, header)| split_header(index, header))
            .collect::<taap::Result<_>>()?;
        let body = match &self.body_file {
            Some(path) => BodySource::File(path.clone()),
            None => BodySource::Inline(Zeroizing::new(self.body.clone().unwrap_or_default())),
        };
        Ok(RequestArgs { method: self.method.clone().unwrap_or_else(|| "GET".into()), target, headers, body })
    }
}

/// Messages give the argument's position, never its text: a value may be a bearer token.
fn split_entry(index: usize, entry: &str) -> taap::Result<(String, Zeroizing<String>)> {
    let (name, value) = entry.split_once('=').ok_or_else(|| {
        config(format!("--ehts takes NAME=VALUE; --ehts argument {} has no '='", index + 1))
    })?;
    Ok((name.to_owned(), Zeroizing::new(value.to_owned())))
}

/// `Name: value` into its parts, the value's leading spaces dropped as HTTP does.
pub fn split_header(index: usize, header: &str) -> taap::Result<(String, Zeroizing<String>)> {
    let (name, value) = header
        .split_once(':')
        .ok_or_else(|| config(format!("-H takes 'Name: value'; -H argument {} has no ':'", index + 1)))?;
    Ok((name.to_owned(), Zeroizing::new(value.trim_start().to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_split_at_the_first_equals_sign() {
        let (name, value) = split_entry(0, "body=a=b").unwrap();
        assert_eq!((name.as_str(), value.as_str()), ("body", "a=b"));
        assert!(split_entry(0, "novalue").is_err());
    }

    #[test]
    fn headers_split_at_the_first_colon_and_drop_leading_spaces() {
        let (name, value) = split_header(0, "Authorization: Bearer a:b").unwrap();
        assert_eq!((name.as_str(), value.as_str()), ("Authorization", "Bearer a:b"));
    }

    #[test]
    fn messages_name_the_argument_without_echoing_it() {
        let message = split_entry(2, "Bearer secret-token").unwrap_err().to_string();
        assert_eq!(message, "invalid configuration: --ehts takes NAME=VALUE; --ehts argument 3 has no '='");
        let message = split_header(0, "Bearer secret-token").unwrap_err().to_string();
        assert_eq!(message, "invalid configuration: -H takes 'Name: value'; -H argument 1 has no ':'");
    }
}
