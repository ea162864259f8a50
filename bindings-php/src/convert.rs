//! PHP values into core inputs: binary-safe strings, ordered name/value pairs, build options,
//! and option arrays as the JSON objects the core's settings schema checks (and settings views
//! back as PHP arrays).

use std::borrow::Cow;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};
use serde_json::{Map, Number, Value};
use taap::settings::{restyled, NameStyle};
use taap::token::BuildOptions;

use crate::errors::{config, ehts};

/// One ordered (name, value) entry: header or ehts name, and its exact bytes.
pub type Pair<'a> = (Cow<'a, str>, Cow<'a, [u8]>);

/// The bytes of a PHP string (binary-safe) or of an integer written in decimal.
pub fn bytes<'a>(value: &'a Zval, what: &str) -> taap::Result<Cow<'a, [u8]>> {
    let value = value.dereference();
    if let Some(text) = value.zend_str() {
        return Ok(Cow::Borrowed(text.as_bytes()));
    }
    if let Some(number) = value.long() {
        return Ok(Cow::Owned(number.to_string().into_bytes()));
    }
    Err(ehts(format!("{what} must be a string, not {}", value.get_type())))
}

/// A PHP string that must be UTF-8 text (names, methods, URLs, tokens).
pub fn text<'a>(value: &'a Zval, what: &str) -> taap::Result<Cow<'a, str>> {
    match bytes(value, what)? {
        Cow::Borrowed(raw) => std::str::from_utf8(raw).map(Cow::Borrowed),
        Cow::Owned(raw) => String::from_utf8(raw).map(Cow::Owned).map_err(|error| error.utf8_error()),
    }
    .map_err(|_| ehts(format!("{what} is not UTF-8 text")))
}

/// Ordered pairs from an associative array (`['Content-Type' => 'application/json']`, PHP keeps
/// insertion order) or a list of `[name, value]` pairs (for repeated or numeric names).
pub fn pairs<'a>(array: &'a ZendHashTable, what: &str) -> taap::Result<Vec<Pair<'a>>> {
    let mut out = Vec::with_capacity(array.len());
    for (index, (key, value)) in array.iter().enumerate() {
        let entry = format!("{what} entry {index}");
        let pair = match (key, value.dereference().array()) {
            (ArrayKey::Long(_), Some(pair)) => pair_of(pair, &entry)?,
            (ArrayKey::Long(number), None) => (Cow::Owned(number.to_string()), bytes(value, &entry)?),
            (ArrayKey::String(name), _) => (Cow::Owned(name), bytes(value, &entry)?),
            (ArrayKey::Str(name), _) => (Cow::Borrowed(name), bytes(value, &entry)?),
            (ArrayKey::ZendString(name), _) => {
                let name = std::str::from_utf8(name.as_bytes())
                    .map_err(|_| ehts(format!("the name of {entry} is not UTF-8 text")))?;
                (Cow::Borrowed(name), bytes(value, &entry)?)
            }
        };
        out.push(pair);
    }
    Ok(out)
}

fn pair_of<'a>(pair: &'a ZendHashTable, entry: &str) -> taap::Result<Pair<'a>> {
    let shape = || ehts(format!("{entry} must be a [name, value] pair"));
    if pair.len() != 2 {
        return Err(shape());
    }
    let name = pair.get_index(0).ok_or_else(shape)?;
    let value = pair.get_index(1).ok_or_else(shape)?;
    Ok((text(name, &format!("the name of {entry}"))?, bytes(value, entry)?))
}

/// An optional integer option; other types are a configuration error naming the option.
pub fn int_option(options: Option<&ZendHashTable>, name: &str) -> taap::Result<Option<i64>> {
    match options.and_then(|options| options.get(name)).map(Zval::dereference) {
        None => Ok(None),
        Some(value) if value.is_null() => Ok(None),
        Some(value) => {
            value.long().map(Some).ok_or_else(|| config(format!("option {name} must be an integer")))
        }
    }
}

/// An optional string option.
pub fn string_option(options: Option<&ZendHashTable>, name: &str) -> taap::Result<Option<String>> {
    match options.and_then(|options| options.get(name)).map(Zval::dereference) {
        None => Ok(None),
        Some(value) if value.is_null() => Ok(None),
        Some(value) => text(value, &format!("option {name}"))
            .map(|text| Some(text.into_owned()))
            .map_err(|_| config(format!("option {name} must be a UTF-8 string"))),
    }
}

/// Rejects option names this call does not know, so a typo is an error and not a default.
pub fn known_options(options: Option<&ZendHashTable>, known: &[&str]) -> taap::Result<()> {
    for (key, _) in options.into_iter().flat_map(|options| options.iter()) {
        let name = key.to_string();
        if !known.contains(&name.as_str()) {
            return Err(config(format!("unknown option {name:?}; known: {}", known.join(", "))));
        }
    }
    Ok(())
}

/// `['ttl' => seconds, 'iat' => epoch seconds, 'jti' => string]` as core build options.
pub fn build_options(options: Option<&ZendHashTable>) -> taap::Result<BuildOptions> {
    known_options(options, &["ttl", "iat", "jti"])?;
    let mut built = BuildOptions::default();
    if let Some(ttl) = int_option(options, "ttl")? {
        built = built.ttl_secs(ttl);
    }
    if let Some(iat) = int_option(options, "iat")? {
        built = built.issued_at(iat);
    }
    if let Some(jti) = string_option(options, "jti")? {
        built = built.jti(jti);
    }
    Ok(built)
}

/// The settings of an options array as a JSON object for the core's schema: every member but
/// the `handles` (objects and credentials the door passes itself), values converted as
/// `json_encode` would (a list is an array, any other array an object).
pub fn settings_map(options: &ZendHashTable, handles: &[&str]) -> taap::Result<Map<String, Value>> {
    let mut settings = Map::new();
    for (key, value) in options.iter() {
        let name = key.to_string();
        if !handles.contains(&name.as_str()) {
            let value = json_value(value, &name)?;
            settings.insert(name, value);
        }
    }
    Ok(settings)
}

/// One PHP value as JSON; what JSON cannot hold (objects, non-finite floats, bytes that are not
/// UTF-8) is a configuration error naming the `option` it sits in.
fn json_value(value: &Zval, option: &str) -> taap::Result<Value> {
    let value = value.dereference();
    if value.is_null() {
        return Ok(Value::Null);
    }
    if let Some(flag) = value.bool() {
        return Ok(Value::Bool(flag));
    }
    if let Some(number) = value.long() {
        return Ok(Value::from(number));
    }
    if let Some(number) = value.double() {
        return Number::from_f64(number)
            .map(Value::Number)
            .ok_or_else(|| config(format!("option {option} is {number}; give a finite number")));
    }
    if let Some(text) = value.zend_str() {
        return text
            .as_str()
            .map(|text| Value::String(text.to_owned()))
            .map_err(|_| config(format!("option {option} holds a string that is not UTF-8 text")));
    }
    match value.array() {
        Some(array) if array.has_sequential_keys() => {
            array.values().map(|item| json_value(item, option)).collect::<taap::Result<_>>().map(Value::Array)
        }
        Some(array) => array
            .iter()
            .map(|(key, item)| Ok((key.to_string(), json_value(item, option)?)))
            .collect::<taap::Result<_>>()
            .map(Value::Object),
        None => Err(config(format!(
            "option {option} holds {}; give a string, number, bool or array",
            php_type(value)
        ))),
    }
}

/// What a value JSON cannot hold is, for a message: an object by its class.
fn php_type(value: &Zval) -> String {
    match value.object().map(|object| object.get_class_name()) {
        Some(Ok(class)) => format!("an object of class {class}"),
        _ => format!("a value of type {}", value.get_type()),
    }
}

/// A settings view (the core's snake names) as a PHP array under the schema's camel names.
pub fn camel_array(settings: &Map<String, Value>) -> ext_php_rs::error::Result<ZBox<ZendHashTable>> {
    php_array(&Value::Object(restyled(settings, NameStyle::Camel)))
}

/// A JSON object as a PHP array with its keys in order, a JSON list as a PHP list (anything
/// else as an empty array).
pub fn php_array(value: &Value) -> ext_php_rs::error::Result<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::new();
    if let Value::Object(members) = value {
        for (name, item) in members {
            array.insert(name.as_str(), php_value(item)?)?;
        }
    }
    for item in value.as_array().into_iter().flatten() {
        array.push(php_value(item)?)?;
    }
    Ok(array)
}

/// One JSON value as PHP's: whole numbers that fit as `int`, other numbers as `float`.
fn php_value(value: &Value) -> ext_php_rs::error::Result<Zval> {
    let mut zval = Zval::new();
    match value {
        Value::Null => zval.set_null(),
        Value::Bool(flag) => zval.set_bool(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(whole) => zval.set_long(whole),
            None => zval.set_double(number.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(text) => zval.set_string(text, false)?,
        Value::Array(_) | Value::Object(_) => zval.set_hashtable(php_array(value)?),
    }
    Ok(zval)
}
