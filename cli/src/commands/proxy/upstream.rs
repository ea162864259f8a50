//! The connection to the upstream API: hyper over rustls (AWS-LC), trusting the system's CA
//! certificates plus `--ca-file`, and the URL each request goes to.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use url::Url;

use crate::output::config;

/// The pooled client requests go upstream through.
pub type Upstream = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Largest CA file read (a system bundle is about 200 KiB).
const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The client: keep-alive connections, header names sent as signed (`Content-Type`), no
/// redirects followed (hyper never follows them; the PoP token binds the URL).
pub fn client(ca_file: Option<&Path>, connect_timeout: Duration) -> taap::Result<Upstream> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| config(format!("TLS cannot be set up ({error})")))?
        .with_root_certificates(roots(ca_file)?)
        .with_no_client_auth();
    let mut connector = HttpConnector::new();
    connector.enforce_http(false);
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(connect_timeout));
    let https = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(connector);
    Ok(Client::builder(TokioExecutor::new()).http1_title_case_headers(true).build(https))
}

/// The system's CA certificates (where OpenSSL looks for them; the bundled Mozilla set when
/// there are none) plus the certificates of `ca_file`.
fn roots(ca_file: Option<&Path>) -> taap::Result<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    let probe = openssl_probe::probe();
    let system_files =
        probe.cert_file.into_iter().chain(probe.cert_dir.iter().flat_map(|dir| {
            std::fs::read_dir(dir).into_iter().flatten().flatten().map(|entry| entry.path())
        }));
    for path in system_files {
        // An unreadable or odd file in the system's folders is skipped, as OpenSSL does.
        if let Ok(certificates) = CertificateDer::pem_file_iter(&path) {
            roots.add_parsable_certificates(certificates.flatten());
        }
    }
    if roots.is_empty() {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if let Some(path) = ca_file {
        let unreadable = |reason: String| config(format!("--ca-file {}: {reason}", path.display()));
        let size = std::fs::metadata(path).map_err(|error| unreadable(error.to_string()))?.len();
        if size > MAX_CA_FILE_BYTES {
            return Err(unreadable(format!("{size} bytes; a CA file is at most {MAX_CA_FILE_BYTES}")));
        }
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(|error| unreadable(error.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| unreadable(format!("not PEM certificates ({error})")))?;
        if certificates.is_empty() {
            return Err(unreadable("holds no PEM certificate".into()));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|error| unreadable(format!("a certificate is unusable ({error})")))?;
        }
    }
    Ok(roots)
}

/// The base every request path is appended to: an absolute http(s) URL without query,
/// fragment or credentials.
pub fn base(text: &str) -> taap::Result<Url> {
    let url =
        Url::parse(text).map_err(|error| config(format!("--upstream is not an absolute URL ({error})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(config("--upstream must be https://host[:port][/base]"));
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(config("--upstream takes no credentials, query or fragment: https://host[:port][/base]"));
    }
    Ok(url)
}

/// The upstream URL of a request target (`/path?query`, as the client sent it): the base's
/// path, then the target. The url crate's text of it is both what is sent and what is signed.
pub fn target(base: &Url, path_and_query: &str) -> taap::Result<Url> {
    let prefix = base.as_str().trim_end_matches('/');
    Url::parse(&format!("{prefix}{path_and_query}"))
        .map_err(|_| taap::Error::Config("the request target is not a valid URL path".into()))
}

/// The origin of a token URL: where T-Mobile serves the APIs that use it (and where `taap
/// serve` serves its resources), the upstream when none is given.
pub fn origin_of(token_url: &str) -> taap::Result<Url> {
    let mut url =
        Url::parse(token_url).map_err(|error| config(format!("the token URL is not a URL ({error})")))?;
    url.set_path("/");
    url.set_query(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_append_to_the_base_path() {
        let root = base("https://api.t-mobile.com").unwrap();
        assert_eq!(target(&root, "/a/b?q=1").unwrap().as_str(), "https://api.t-mobile.com/a/b?q=1");
        let nested = base("https://h.example/base/").unwrap();
        assert_eq!(target(&nested, "/x").unwrap().as_str(), "https://h.example/base/x");
    }

    #[test]
    fn bases_with_credentials_or_queries_are_refused() {
        for bad in ["https://u:p@h/", "https://h/?q=1", "ftp://h/", "nonsense", "https://h/#f"] {
            assert!(base(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_origin_of_a_token_url_is_its_scheme_host_and_port() {
        let origin = origin_of("http://127.0.0.1:9/oauth2/v2/tokens").unwrap();
        assert_eq!(origin.as_str(), "http://127.0.0.1:9/");
    }
}
