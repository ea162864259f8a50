//! The Kotlin option classes (`ClientOptions`, `ValidatorOptions`, `MiddlewareOptions` in
//! `kotlin/dev/taap/Options.kt`) are rendered here from the core's settings schema,
//! `taap::settings::SETTINGS`: one property per option, typed by its kind, named by the schema's
//! camel name, with the schema's default and doc. Each class sits between the marker lines
//! `BEGIN GENERATED <group> options (bindings-kotlin/tests/options.rs)` and `END GENERATED`.
//! `MiddlewareOptions` (`PopGate`, `PopFilter`) holds what the core's
//! `taap::settings::middleware_settings` takes: the middleware group and the validator's options
//! but `replay_cache` (which `replayStore` sets), with that function's defaults.
//!
//! This test (run by `make test-kotlin`) fails when a block is not what the schema gives; to
//! rewrite the blocks instead:
//!
//! ```sh
//! TAAP_UPDATE_DECLARATIONS=1 cargo test --release -p taap-kotlin --test options
//! ```

use std::path::PathBuf;

use serde_json::{Map, Value};
use taap::settings::{middleware_settings, settings_of, NameStyle, Setting, SettingGroup, SettingKind};

/// This file, as the markers name it.
const GENERATOR: &str = "bindings-kotlin/tests/options.rs";

/// The file holding the classes, from the crate's folder.
const FILE: &str = "kotlin/dev/taap/Options.kt";

/// The Kotlin type of an option: nullable when its `default` is `null`.
fn kotlin_type(setting: &Setting, default: &Value) -> String {
    let base = match setting.kind {
        SettingKind::Seconds => "Double",
        SettingKind::WholeSeconds | SettingKind::Bytes => "Long",
        SettingKind::Count => "Int",
        SettingKind::Flag => "Boolean",
        SettingKind::Text | SettingKind::Choice(_) => "String",
        SettingKind::Members => "Map<String, Any?>",
        SettingKind::Headers => "Map<String, String>",
        SettingKind::Names => "List<String>",
        // "memory", a capacity, a redis:// URL or false: the core checks which.
        SettingKind::ReplayStore => "Any",
    };
    let nullable = if default.is_null() { "?" } else { "" };
    format!("{base}{nullable}")
}

/// The `default` as a Kotlin literal of [`kotlin_type`].
fn kotlin_default(setting: &Setting, default: &Value) -> String {
    match (setting.kind, default.clone()) {
        (_, Value::Null) => "null".into(),
        (SettingKind::Seconds, Value::Number(number)) => format!("{:?}", number.as_f64().expect("a number")),
        (SettingKind::Names, Value::Array(names)) if names.is_empty() => "emptyList()".into(),
        (SettingKind::Names, Value::Array(names)) => {
            let quoted: Vec<String> = names.iter().map(Value::to_string).collect();
            format!("listOf({})", quoted.join(", "))
        }
        (_, default @ (Value::Number(_) | Value::Bool(_) | Value::String(_))) => default.to_string(),
        (_, default) => panic!("{}: no Kotlin literal for the default {default}", setting.name),
    }
}

/// The property's KDoc: the schema's doc, then unit, range and `default`.
fn kdoc(setting: &Setting, default: &Value) -> String {
    for forbidden in ["*/", "[", "]", "\n"] {
        assert!(!setting.doc.contains(forbidden), "{}'s doc contains {forbidden:?}", setting.name);
    }
    let mut unit = match setting.kind {
        SettingKind::Choice(words) => format!("One of {}", words.join(", ")),
        kind => format!("{}{}", kind.name()[..1].to_uppercase(), &kind.name()[1..]),
    };
    let range = setting.range_text();
    if !range.is_empty() {
        unit = format!("{unit}, {range}");
    }
    let default = match default {
        Value::Null => "none".to_owned(),
        default => default.to_string(),
    };
    format!("/** {}. {unit}; default {default}. */", setting.doc)
}

/// The options of one class with each one's default: a group's, with the schema's defaults, or
/// the middleware's, with the defaults `middleware_settings` gives.
fn class_settings(group: SettingGroup) -> Vec<(&'static Setting, Value)> {
    if group != SettingGroup::Middleware {
        return settings_of(group).map(|setting| (setting, setting.default_value())).collect();
    }
    let defaults = middleware_settings(&Map::new(), NameStyle::Camel).expect("the middleware's defaults");
    settings_of(SettingGroup::Validator)
        .filter(|setting| setting.name != "replay_cache")
        .chain(settings_of(SettingGroup::Middleware))
        .map(|setting| {
            let default = defaults.get(&setting.name_in(NameStyle::Camel)).cloned();
            (setting, default.unwrap_or_else(|| setting.default_value()))
        })
        .collect()
}

/// The class of one group's options, as lines without indentation.
fn class_lines(class: &str, group: SettingGroup) -> Vec<String> {
    let with_defaults = class_settings(group);
    let settings: Vec<&Setting> = with_defaults.iter().map(|(setting, _)| *setting).collect();
    let camel = |setting: &Setting| setting.name_in(NameStyle::Camel);
    let mut lines = vec![format!("data class {class} @JvmOverloads constructor(")];
    for (setting, default) in &with_defaults {
        lines.push(format!("    {}", kdoc(setting, default)));
        lines.push(format!(
            "    var {}: {} = {},",
            camel(setting),
            kotlin_type(setting, default),
            kotlin_default(setting, default)
        ));
    }
    lines.push(") {".into());
    lines.extend(
        [
            "    /** The options that differ from their defaults, under the schema's camel names: what reaches the core. */",
            "    fun toMap(): Map<String, Any?> = changedFrom(DEFAULTS.all(), all())",
            "",
            "    /** The options that differ from their defaults; values that may hold secrets show as `<hidden>`. */",
            &format!("    override fun toString(): String = described(\"{class}\", toMap(), HIDDEN)"),
            "",
            "    private fun all(): Map<String, Any?> = linkedMapOf(",
        ]
        .map(str::to_owned),
    );
    lines.extend(settings.iter().map(|setting| format!("        \"{0}\" to {0},", camel(setting))));
    let hidden: Vec<String> = settings
        .iter()
        .filter(|setting| setting.secret)
        .map(|setting| format!("\"{}\"", camel(setting)))
        .collect();
    let hidden =
        if hidden.is_empty() { "emptySet()".to_owned() } else { format!("setOf({})", hidden.join(", ")) };
    lines.extend(
        [
            "    )",
            "",
            "    private companion object {",
            "        /** The schema's defaults, which [toMap] leaves out. */",
            &format!("        val DEFAULTS = {class}()"),
            "",
            "        /** The options whose values may hold a secret (the schema's `secret`), which [toString] hides. */",
            &format!("        val HIDDEN: Set<String> = {hidden}"),
            "    }",
            "}",
        ]
        .map(str::to_owned),
    );
    lines
}

/// `text` with the block after the line holding `begin` replaced by `block` (indented as that
/// line), up to the next `END GENERATED`.
fn with_block(text: &str, begin: &str, block: &[String]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let start = lines
        .iter()
        .position(|line| line.contains(begin))
        .unwrap_or_else(|| panic!("{FILE}: no {begin:?} line"));
    let end = (start + 1..lines.len())
        .find(|&at| lines[at].contains("END GENERATED"))
        .unwrap_or_else(|| panic!("{FILE}: {begin:?} has no END GENERATED after it"));
    let indent: String = lines[start].chars().take_while(|c| c.is_whitespace()).collect();
    let rendered =
        block.iter().map(|line| if line.is_empty() { String::new() } else { format!("{indent}{line}") });
    lines.splice(start + 1..end, rendered);
    lines.join("\n")
}

#[test]
fn the_option_classes_are_what_the_schema_gives() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FILE);
    let current = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{FILE}: {error}"));
    let mut rendered = current.clone();
    for (class, group) in [
        ("ClientOptions", SettingGroup::Client),
        ("ValidatorOptions", SettingGroup::Validator),
        ("MiddlewareOptions", SettingGroup::Middleware),
    ] {
        let begin = format!("BEGIN GENERATED {} options ({GENERATOR})", group.name());
        rendered = with_block(&rendered, &begin, &class_lines(class, group));
    }
    if std::env::var("TAAP_UPDATE_DECLARATIONS").as_deref() == Ok("1") {
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    assert!(
        current == rendered,
        "bindings-kotlin/{FILE} differs from the settings schema: \
         TAAP_UPDATE_DECLARATIONS=1 cargo test --release -p taap-kotlin --test options"
    );
}
