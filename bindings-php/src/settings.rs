//! `Taap\settingsSchema()`: the core's settings schema as PHP data, so the stub's documented
//! options and defaults (and a caller's tools) can be checked against the one table.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::builders::FunctionBuilder;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;
use serde_json::Value;

use crate::convert::php_array;

/// Every option of the client, the validator and the middleware: a list of arrays with `name`,
/// `camel` (the name PHP options use), `group`, `kind`, `default`, `min`, `max`, `doc` and
/// `secret` (whether a value may hold a secret).
#[php_function]
#[php(name = "Taap\\settingsSchema")]
pub fn settings_schema() -> PhpResult<ZBox<ZendHashTable>> {
    let schema: Value = serde_json::from_str(&taap::settings::settings_schema_json()).map_err(|error| {
        PhpException::from_message(format!("taap: the settings schema is not JSON: {error}"))
    })?;
    Ok(php_array(&schema)?)
}

/// `Taap\settingsSchema()` as the module registers it.
pub fn schema_function() -> FunctionBuilder<'static> {
    wrap_function!(settings_schema)
}
