//! `-v`: one line per request on stderr, with nothing in it that grants access: method, path
//! (no query, which may hold subscriber data), status, time, and a masked token id.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::time::Duration;

use hyper::{Method, StatusCode};
use taap::client::AccessToken;

/// Writes `taap proxy: GET /path -> 200 in 12.3 ms (token #1a2b3c4d)`.
pub fn request(method: &Method, path: &str, status: StatusCode, took: Duration, token: Option<&AccessToken>) {
    let token = token.map_or_else(|| "no token".to_owned(), |token| format!("token #{}", token_id(token)));
    let millis = took.as_secs_f64() * 1000.0;
    let _ = writeln!(
        std::io::stderr().lock(),
        "taap proxy: {method} {path} -> {} in {millis:.1} ms ({token})",
        status.as_u16()
    );
}

/// Eight hex digits that tell access tokens apart in a log (a new one after a refresh) and
/// reveal nothing usable of them: 32 bits of a hash of a high-entropy secret.
fn token_id(token: &AccessToken) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    token.secret().hash(&mut hasher);
    format!("{:08x}", hasher.finish() >> 32)
}
