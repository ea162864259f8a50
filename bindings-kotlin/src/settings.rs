//! The core's settings schema as the JVM sees it: options cross as one JSON object under the
//! schema's camel names, and settings views come back the same way.

use serde_json::{Map, Value};
use taap::settings::{restyled, NameStyle};

/// A settings view (snake names, from the core) as JSON text with the JVM's camel names.
pub fn camel_json(settings: &Map<String, Value>) -> String {
    Value::Object(restyled(settings, NameStyle::Camel)).to_string()
}

/// Every option of the client, the validator and the middleware as JSON text (a list of
/// objects: name, camel, group, kind, default, range, doc, secret), so `Taap.settingsSchema()`
/// and the declarations can be checked against the one table.
#[uniffi::export]
pub fn settings_schema_json() -> String {
    taap::settings::settings_schema_json()
}
