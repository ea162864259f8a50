//! `--postman-env FILE`: a Postman environment whose `baseUrl` is the proxy, so a collection
//! written against `{{baseUrl}}` goes through it. It holds no secret.

use std::path::Path;

use crate::output::config;

/// Writes the environment for the proxy at `proxy_url` (e.g. `http://127.0.0.1:8077`).
pub fn write(path: &Path, proxy_url: &str) -> taap::Result<()> {
    let environment = serde_json::json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "name": "taap proxy",
        "values": [
            {"key": "baseUrl", "value": proxy_url, "type": "default", "enabled": true},
        ],
        "_postman_variable_scope": "environment",
    });
    let mut text = serde_json::to_string_pretty(&environment)
        .map_err(|error| config(format!("cannot write the Postman environment: {error}")))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|error| config(format!("cannot write {}: {error}", path.display())))
}
