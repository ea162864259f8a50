//! A path-prefix route table: which token server the API behind a request path uses, for a
//! caller that serves several T-Mobile APIs at once (`taap proxy`). T-Mobile's APIs take
//! tokens from two servers (v2, v6), and a request path names the API, not its server.

use super::OAuthServer;
use crate::error::{Error, Result};

/// Path prefixes and their token servers; the longest prefix that matches a path wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    routes: Vec<(String, OAuthServer)>,
}

impl Routes {
    /// A table from `(prefix, server)` pairs: each prefix a path (`/iot-connectivity/`), each
    /// server as [`OAuthServer::parse`] reads it (`v2`, `v6`, an API name or a token URL).
    pub fn parse<I, P, S>(pairs: I) -> Result<Routes>
    where
        I: IntoIterator<Item = (P, S)>,
        P: AsRef<str>,
        S: AsRef<str>,
    {
        let mut routes = Vec::new();
        for (prefix, server) in pairs {
            let prefix = prefix.as_ref();
            if !prefix.starts_with('/') || prefix.contains(['?', '#']) {
                return Err(Error::Config(format!("route {prefix:?} must be a path starting with /")));
            }
            if routes.iter().any(|(known, _)| known == prefix) {
                return Err(Error::Config(format!("route {prefix:?} is given twice")));
            }
            routes.push((prefix.to_owned(), OAuthServer::parse(server.as_ref())?));
        }
        Ok(Routes { routes })
    }

    /// The token server of the longest prefix that `path` starts with at a segment boundary
    /// (`/sms` does not take `/smsx/…`), or `None`: the caller's default server.
    pub fn server_for(&self, path: &str) -> Option<&OAuthServer> {
        self.routes
            .iter()
            .filter(|(prefix, _)| starts_at_boundary(path, prefix))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, server)| server)
    }

    /// The table's entries in the order given.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &OAuthServer)> {
        self.routes.iter().map(|(prefix, server)| (prefix.as_str(), server))
    }

    /// Whether no route is set.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

fn starts_at_boundary(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| prefix.ends_with('/') || rest.is_empty() || rest.starts_with(['/', '?']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_prefix_at_a_segment_boundary_wins() {
        let routes =
            Routes::parse([("/sms", "v2"), ("/sms/v1/verify", "v6"), ("/fraud/", "fraud-prevention")])
                .unwrap();
        assert_eq!(routes.server_for("/sms/v1/send"), Some(&OAuthServer::V2));
        assert_eq!(routes.server_for("/sms/v1/verify/42"), Some(&OAuthServer::V6));
        assert_eq!(routes.server_for("/sms"), Some(&OAuthServer::V2));
        assert_eq!(routes.server_for("/smsx/v1"), None);
        assert_eq!(routes.server_for("/fraud/v1/check?x=1"), Some(&OAuthServer::V6));
        assert_eq!(routes.server_for("/other"), None);
    }

    #[test]
    fn bad_routes_are_config_errors() {
        let message = |pairs: &[(&str, &str)]| Routes::parse(pairs.iter().copied()).unwrap_err().to_string();
        assert_eq!(
            message(&[("sms", "v2")]),
            "invalid configuration: route \"sms\" must be a path starting with /"
        );
        assert_eq!(
            message(&[("/a", "v2"), ("/a", "v6")]),
            "invalid configuration: route \"/a\" is given twice"
        );
        assert!(message(&[("/a", "nowhere")]).contains("nowhere"), "an unknown API is named");
    }
}
