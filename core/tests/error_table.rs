//! The README's error table is a rendering of the core's: one row per `ErrorKind`, in order,
//! with the same name, code, C status value and description.

use std::path::Path;

use taap::ErrorKind;

/// The comment that precedes the table in README.md.
const MARKER: &str =
    "<!-- One row per core error kind, checked against core/src/error/kind.rs by core/tests/error_table.rs. -->";

/// The table README.md must show, header included.
fn expected_table() -> Vec<String> {
    let mut lines = vec![
        "| kind | Python and JS class | code (JS `code`, C `taap_status`) | C value | description |"
            .to_owned(),
        "|---|---|---|---|---|".to_owned(),
    ];
    lines.extend(ErrorKind::ALL.iter().map(|kind| {
        format!(
            "| `{name}` | `{name}Error` | `{code}` | {status} | {description} |",
            name = kind.name(),
            code = kind.code(),
            status = kind.c_status(),
            description = kind.description()
        )
    }));
    lines
}

#[test]
fn readme_error_table_matches_the_core_table() {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let text = std::fs::read_to_string(&readme).expect("README.md is readable");
    let (_, after) = text.split_once(&format!("{MARKER}\n")).expect("README.md has the error table marker");
    let shown: Vec<String> =
        after.lines().take_while(|line| line.starts_with('|')).map(str::to_owned).collect();
    let expected = expected_table();
    assert!(
        shown == expected,
        "README.md's error table differs from core/src/error/kind.rs; it should read:\n{}",
        expected.join("\n")
    );
}

#[test]
fn the_table_has_one_row_per_kind() {
    assert_eq!(expected_table().len(), 2 + 14);
    assert_eq!(
        expected_table()[6],
        "| `TokenExpired` | `TokenExpiredError` | `TAAP_TOKEN_EXPIRED` | 5 | The token's `exp` lies in the past, beyond the leeway. |"
    );
}
