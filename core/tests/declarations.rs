//! The error kinds the bindings declare in their static files (the `taap_status` that libtaap
//! and the embedded library share through bindings-cabi, the Kotlin exceptions, the `.d.ts`,
//! `.pyi` and PHP stub classes, the ESM and Python export lists) are rendered here from the
//! core's table, `taap::ErrorKind::ALL`.
//!
//! Each file holds the rendering between two marker lines, in its own comment syntax:
//! `BEGIN GENERATED error kinds[: part] (core/tests/declarations.rs)` and `END GENERATED`.
//! This test fails, naming the file and showing the difference, when a block is not what the
//! table gives. To rewrite the blocks instead:
//!
//! ```sh
//! TAAP_UPDATE_DECLARATIONS=1 cargo test --release -p taap --test declarations
//! # C's and the embedded library's headers are cbindgen's rendering of the Rust enums:
//! cargo check -p taap-c --features generate-headers
//! cargo check -p taap-embedded --features generate-headers
//! ```
//!
//! Besides the table, a rendering knows each binding's shape: the OAuth kind's classes keep the
//! server's HTTP status (`status`, `httpStatus`), Python's `InvalidEhtsError` is also a
//! `ValueError`, and a few bindings add a note to a kind's description ([`note`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use taap::ErrorKind;

/// This file, as the markers name it.
const GENERATOR: &str = "core/tests/declarations.rs";

/// Set to `1` to rewrite the blocks instead of failing.
const UPDATE: &str = "TAAP_UPDATE_DECLARATIONS";

/// The binding a block is rendered for, where its text differs by binding.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Binding {
    Node,
    Wasm,
    Php,
    Other,
}

/// A sentence a binding adds to a kind's description, or None.
fn note(binding: Binding, kind: ErrorKind) -> Option<&'static str> {
    match (binding, kind) {
        (Binding::Wasm, ErrorKind::OAuth | ErrorKind::Transport) => {
            Some("Not raised by this package, which has no client.")
        }
        (Binding::Php, ErrorKind::OAuth) => {
            Some("In PHP the exception's message carries it, with the server's own message.")
        }
        _ => None,
    }
}

/// The kind's description as one line of a doc comment or docstring.
fn description(binding: Binding, kind: ErrorKind) -> String {
    let text = kind.description();
    // Safe inside `/** … */`, `"""…"""`, KDoc (where `[…]` is a link) and `//`.
    for forbidden in ["*/", "\"\"\"", "\\", "[", "]", "\n"] {
        assert!(!text.contains(forbidden), "{kind:?}'s description contains {forbidden:?}");
    }
    match note(binding, kind) {
        Some(note) => format!("{text} {note}"),
        None => text.to_owned(),
    }
}

/// One generated block: the file (from the repository root), the part's name when the file
/// has more than one block, and its lines, without the indentation of the BEGIN marker.
struct Block {
    file: &'static str,
    part: Option<&'static str>,
    lines: Vec<String>,
}

impl Block {
    fn new(file: &'static str, part: Option<&'static str>, lines: Vec<String>) -> Self {
        Block { file, part, lines }
    }

    /// The text the BEGIN line carries after its comment leader.
    fn begin(&self) -> String {
        match self.part {
            Some(part) => format!("BEGIN GENERATED error kinds: {part} ({GENERATOR})"),
            None => format!("BEGIN GENERATED error kinds ({GENERATOR})"),
        }
    }
}

/// Renders each kind and puts `separator` lines between two kinds.
fn each(kinds: &[ErrorKind], separator: &[&str], render: impl Fn(ErrorKind) -> Vec<String>) -> Vec<String> {
    let mut lines = Vec::new();
    for (index, kind) in kinds.iter().enumerate() {
        if index > 0 {
            lines.extend(separator.iter().map(|line| (*line).to_owned()));
        }
        lines.extend(render(*kind));
    }
    lines
}

/// The `taap_status` variants of a Rust enum cbindgen turns into C: `TAAP_<KIND> = c_status`,
/// the description as the doc comment.
fn c_variants(kinds: &[ErrorKind]) -> Vec<String> {
    each(kinds, &[], |kind| {
        vec![
            format!("/// {}", description(Binding::Other, kind)),
            format!("{} = {},", kind.code(), kind.c_status()),
        ]
    })
}

fn c_all(kinds: &[ErrorKind]) -> Vec<String> {
    each(kinds, &[], |kind| vec![format!("taap_status::{},", kind.code())])
}

/// `taap_status::name`'s match arms: each kind's code as a static C string.
fn c_names(kinds: &[ErrorKind]) -> Vec<String> {
    each(kinds, &[], |kind| vec![format!("taap_status::{code} => c\"{code}\",", code = kind.code())])
}

fn kotlin_classes() -> Vec<String> {
    each(&ErrorKind::ALL, &[""], |kind| {
        let (name, code) = (kind.name(), kind.code());
        let mut lines = vec![format!("/** {} */", description(Binding::Other, kind))];
        if kind == ErrorKind::OAuth {
            lines.push(format!(
                "class {name} internal constructor(message: String, /** The server's HTTP status, when known. */ val httpStatus: Int?) :"
            ));
            lines.push(format!("    TaapException(message, \"{code}\")"));
        } else {
            lines.push(format!(
                "class {name} internal constructor(message: String) : TaapException(message, \"{code}\")"
            ));
        }
        lines
    })
}

fn kotlin_of() -> Vec<String> {
    each(&ErrorKind::ALL, &[], |kind| {
        let arguments = if kind == ErrorKind::OAuth { "message, httpStatus" } else { "message" };
        vec![format!("\"{}\" -> {}({arguments})", kind.code(), kind.name())]
    })
}

/// The error section of a `.d.ts`: the code union, the base class and one class per kind.
fn typescript(binding: Binding) -> Vec<String> {
    let mut lines =
        vec!["/** Every `code` a TaapError carries. */".to_owned(), "export type TaapErrorCode =".to_owned()];
    for (index, kind) in ErrorKind::ALL.iter().enumerate() {
        let end = if index + 1 == ErrorKind::ALL.len() { ";" } else { "" };
        lines.push(format!("  | '{}'{end}", kind.code()));
    }
    lines.extend([
        String::new(),
        "/** Base class of every error taap raises for a failed operation (wrong argument types raise TypeError). */".to_owned(),
        "export declare class TaapError extends Error {".to_owned(),
        "  readonly code: TaapErrorCode;".to_owned(),
        "}".to_owned(),
    ]);
    lines.extend(each(&ErrorKind::ALL, &[], |kind| {
        let code = kind.code();
        let mut lines = vec![
            format!("/** {} */", description(binding, kind)),
            format!("export declare class {}Error extends TaapError {{", kind.name()),
            format!("  static readonly code: '{code}';"),
            format!("  readonly code: '{code}';"),
        ];
        if kind == ErrorKind::OAuth {
            lines.push("  readonly status: number;".to_owned());
        }
        lines.push("}".to_owned());
        lines
    }));
    lines
}

/// `XError,` per kind: an ESM export list or a Python import list.
fn class_names(suffix: &str, quoted: bool) -> Vec<String> {
    each(&ErrorKind::ALL, &[], |kind| {
        let name = format!("{}{suffix}", kind.name());
        vec![if quoted { format!("\"{name}\",") } else { format!("{name},") }]
    })
}

/// `from ._errors import (…)`: the base class and every kind's, sorted as isort sorts them.
fn python_imports() -> Vec<String> {
    let mut names: Vec<String> = ErrorKind::ALL.iter().map(|kind| format!("{}Error", kind.name())).collect();
    names.push("TaapError".to_owned());
    names.sort();
    names.into_iter().map(|name| format!("{name},")).collect()
}

fn python_stub_classes() -> Vec<String> {
    each(&ErrorKind::ALL, &[""], |kind| {
        let bases = if kind == ErrorKind::InvalidEhts { "TaapError, ValueError" } else { "TaapError" };
        let mut lines = vec![
            format!("class {}Error({bases}):", kind.name()),
            format!("    \"\"\"{}\"\"\"", description(Binding::Other, kind)),
            String::new(),
            format!("    code: ClassVar[Literal[\"{}\"]]", kind.code()),
        ];
        if kind == ErrorKind::OAuth {
            lines.extend([
                "    status: Optional[int]".to_owned(),
                String::new(),
                "    def __init__(self, message: str, status: Optional[int] = None) -> None: ...".to_owned(),
            ]);
        }
        lines
    })
}

fn php_classes() -> Vec<String> {
    each(&ErrorKind::ALL, &[""], |kind| {
        vec![
            format!("/** {} */", description(Binding::Php, kind)),
            format!("class {}Exception extends TaapException", kind.name()),
            "{".to_owned(),
            format!("    protected ?string $kind = '{}';", kind.code()),
            "}".to_owned(),
        ]
    })
}

/// Every generated block, by file.
fn blocks() -> Vec<Block> {
    // The one `taap_status` of taap.h and taap_embedded.h.
    const C: &str = "bindings-cabi/src/status.rs";
    const KOTLIN: &str = "bindings-kotlin/kotlin/dev/taap/TaapException.kt";
    const PYTHON_INIT: &str = "bindings-python/python/taap/__init__.py";
    const PYTHON_STUB: &str = "bindings-python/python/taap/_errors.pyi";
    vec![
        Block::new(C, Some("variants"), c_variants(&ErrorKind::ALL)),
        Block::new(C, Some("ALL"), c_all(&ErrorKind::ALL)),
        Block::new(C, Some("names"), c_names(&ErrorKind::ALL)),
        Block::new(KOTLIN, Some("classes"), kotlin_classes()),
        Block::new(KOTLIN, Some("of"), kotlin_of()),
        // The JavaScript doors' one declaration source and the API they share: bindings-js
        // renders the first into both packages' index.d.ts, and builds both from the second.
        Block::new("bindings-js/taap.d.ts.in", None, typescript(Binding::Node)),
        Block::new("bindings-js/src/index.js", None, class_names("Error", false)),
        Block::new(PYTHON_STUB, Some("__all__"), class_names("Error", true)),
        Block::new(PYTHON_STUB, Some("classes"), python_stub_classes()),
        Block::new(PYTHON_INIT, Some("imports"), python_imports()),
        Block::new(PYTHON_INIT, Some("__all__"), class_names("Error", true)),
        Block::new("bindings-php/taap.stub.php", None, php_classes()),
    ]
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The file's text with every block of `file` rendered, or an error naming what is missing.
fn render_file(file: &str, text: &str, blocks: &[&Block]) -> Result<String, String> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let found = lines.iter().filter(|line| line.contains("BEGIN GENERATED error kinds")).count();
    if found != blocks.len() {
        return Err(format!(
            "{file}: {found} BEGIN GENERATED error kinds markers, expected {}",
            blocks.len()
        ));
    }
    for block in blocks {
        let begin_text = block.begin();
        let mut begins = lines.iter().enumerate().filter(|(_, line)| line.contains(&begin_text));
        let (Some((begin, _)), None) = (begins.next(), begins.next()) else {
            return Err(format!("{file}: needs exactly one line with {begin_text:?}"));
        };
        let Some(end) = (begin + 1..lines.len()).find(|&at| lines[at].contains("END GENERATED")) else {
            return Err(format!("{file}:{}: {begin_text:?} has no END GENERATED line after it", begin + 1));
        };
        if lines[begin + 1..end].iter().any(|line| line.contains("BEGIN GENERATED")) {
            return Err(format!("{file}:{}: a BEGIN GENERATED before this block's END", begin + 1));
        }
        let indent: String = lines[begin].chars().take_while(|c| c.is_whitespace()).collect();
        let rendered =
            block
                .lines
                .iter()
                .map(|line| if line.is_empty() { String::new() } else { format!("{indent}{line}") });
        lines.splice(begin + 1..end, rendered);
    }
    Ok(lines.join("\n"))
}

/// A line diff of `old` to `new` (longest common subsequence), with two lines of context.
fn diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] =
                if a[i] == b[j] { common[i + 1][j + 1] + 1 } else { common[i + 1][j].max(common[i][j + 1]) };
        }
    }
    // (kind, line number in the new text, line)
    let mut ops: Vec<(char, usize, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', j + 1, a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || common[i + 1][j] >= common[i][j + 1]) {
            ops.push(('-', j + 1, a[i]));
            i += 1;
        } else {
            ops.push(('+', j + 1, b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|&at| ops[at].0 != ' ').collect();
    let shown = |at: usize| changed.iter().any(|&change| change.abs_diff(at) <= 2);
    let mut out = String::new();
    let mut gap = true;
    for (at, (kind, line_number, line)) in ops.iter().enumerate() {
        if shown(at) {
            if gap {
                let _ = writeln!(out, "@@ line {line_number} @@");
            }
            let _ = writeln!(out, "{kind}{line}");
            gap = false;
        } else {
            gap = true;
        }
    }
    out
}

#[test]
fn binding_declarations_are_the_core_error_table() {
    let update = std::env::var(UPDATE).is_ok_and(|value| value == "1");
    let blocks = blocks();
    let mut files: Vec<&str> = blocks.iter().map(|block| block.file).collect();
    files.dedup();
    let mut problems = Vec::new();
    let mut updated = Vec::new();
    for file in files {
        let path = root().join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{file}: {error}"));
        assert!(!text.contains('\r'), "{file} has CR line endings");
        let of_file: Vec<&Block> = blocks.iter().filter(|block| block.file == file).collect();
        let expected = match render_file(file, &text, &of_file) {
            Ok(expected) => expected,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        if expected == text {
            continue;
        }
        if update {
            std::fs::write(&path, &expected).unwrap_or_else(|error| panic!("{file}: {error}"));
            updated.push(file);
        } else {
            problems.push(format!("{file} differs from the core's error table:\n{}", diff(&text, &expected)));
        }
    }
    for file in &updated {
        eprintln!("{GENERATOR}: rewrote the generated error kinds of {file}");
    }
    if updated.iter().any(|file| file.ends_with("status.rs")) {
        eprintln!(
            "{GENERATOR}: regenerate the C headers: cargo check -p taap-c --features generate-headers; \
             cargo check -p taap-embedded --features generate-headers"
        );
    }
    assert!(
        problems.is_empty(),
        "{}\nRewrite the blocks with: {UPDATE}=1 cargo test --release -p taap --test declarations",
        problems.join("\n")
    );
}

/// The committed headers are cbindgen's rendering of the generated enums (the header drift
/// checks of make test-c and make test-embedded compare the whole files).
#[test]
fn c_headers_declare_every_kind_with_its_value_and_description() {
    let headers: [(&str, &[ErrorKind], bool); 3] = [
        ("bindings-c/include/taap.h", &ErrorKind::ALL, true),
        ("bindings-c/include/taap_ffi.h", &ErrorKind::ALL, false),
        ("bindings-embedded/include/taap_embedded.h", &ErrorKind::ALL, true),
    ];
    for (file, kinds, documented) in headers {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let (_, body) = text.split_once("typedef enum taap_status {\n").expect("declares taap_status");
        let (body, _) = body.split_once("} taap_status;").expect("the enum ends");
        let mut expected = String::new();
        for kind in kinds {
            if documented {
                let _ = write!(expected, "    /**\n     * {}\n     */\n", kind.description());
            }
            let _ = writeln!(expected, "    {} = {},", kind.code(), kind.c_status());
        }
        // The kinds are consecutive in the enum, between TAAP_OK and the C-only statuses.
        assert!(
            body.contains(&expected),
            "{file}'s taap_status does not show the generated kinds; regenerate it with \
             cargo check -p {} --features generate-headers\nexpected:\n{expected}",
            if file.contains("embedded") { "taap-embedded" } else { "taap-c" }
        );
    }
}

#[test]
fn the_renderings_follow_the_table() {
    let typescript = typescript(Binding::Node);
    assert_eq!(typescript[2], "  | 'TAAP_INVALID_KEY'");
    assert_eq!(typescript[2 + 12], "  | 'TAAP_CONFIG'");
    assert_eq!(typescript[2 + 13], "  | 'TAAP_KEY_SOURCE_UNAVAILABLE';");
    assert!(typescript.contains(&"/** The token's `exp` lies in the past, beyond the leeway. */".to_owned()));
    assert_eq!(c_variants(&ErrorKind::ALL)[9], "TAAP_TOKEN_EXPIRED = 5,");
    assert_eq!(kotlin_of()[10], "\"TAAP_OAUTH\" -> OAuth(message, httpStatus)");
    assert_eq!(python_imports()[0], "ConfigError,");
    assert!(python_imports().contains(&"TaapError,".to_owned()));
    assert_eq!(blocks().iter().filter(|block| block.file.ends_with("status.rs")).count(), 3);
    let with_note = description(Binding::Wasm, ErrorKind::Transport);
    assert!(with_note.starts_with(ErrorKind::Transport.description()) && with_note.ends_with("no client."));
    assert_eq!(description(Binding::Node, ErrorKind::Transport), ErrorKind::Transport.description());
}

#[test]
fn the_diff_shows_changed_lines_with_context() {
    let shown = diff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nD\ne\nf\ng\n");
    assert_eq!(shown, "@@ line 2 @@\n b\n c\n-d\n+D\n e\n f\n");
}
