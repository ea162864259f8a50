//! cli/README.md's examples, run the way Rust runs doctests, so that a changed command line breaks
//! the build instead of the newcomer who copies them.
//!
//! The convention, shared by every door's README: a fenced block whose info string has the word
//! `fragment` after the language (```` ```sh fragment ````) is a deliberate fragment and is not
//! run; every other block is run here, and a failing one fails the test, naming its README line
//! and first line. In README order, in one empty folder (so that `keys/` from `taap keygen` is
//! there for the later blocks), with the `taap` under test first on `PATH`, `HOME` pointing at
//! the folder and no `TAAP_*` or `XDG_CONFIG_HOME` variable inherited:
//!   - a ```` ```sh ```` block runs under `bash -euo pipefail`, in its own process group (killed
//!     afterwards, so a gateway it started in the background cannot outlive it), within 120 s;
//!     blocks needing a gateway start `taap serve` themselves, as the README shows;
//!   - a ```` ```toml ```` block is written to the file its first line names (`# taap.toml`);
//!   - any other block not marked `fragment` fails: it needs a runner here, or the mark.
//!
//! Prints `README examples: N run, M fragments` (to the real stdout, past the test harness's
//! capture).
#![cfg(unix)]

use std::fs::File;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a block may run; `taap demo`, the slowest, takes well under a second.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(120);

struct Block {
    lang: String,
    fragment: bool,
    line: usize,
    first: String,
    text: String,
}

impl Block {
    fn name(&self) -> String {
        format!("cli/README.md:{} (```{}: {})", self.line, self.lang, self.first)
    }
}

/// The fenced blocks of a Markdown text, in order.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        match open.as_mut() {
            None if line.starts_with("```") => {
                let mut words = line[3..].split_whitespace();
                let lang = words.next().unwrap_or("text").to_owned();
                let fragment = words.any(|word| word == "fragment");
                open = Some(Block {
                    lang,
                    fragment,
                    line: index + 1,
                    first: String::new(),
                    text: String::new(),
                });
            }
            None => {}
            Some(_) if line.starts_with("```") && line[3..].trim().is_empty() => {
                found.push(open.take().unwrap())
            }
            Some(block) => {
                block.text.push_str(line);
                block.text.push('\n');
                if block.first.is_empty() && !line.trim().is_empty() {
                    block.first = line.trim().to_owned();
                }
            }
        }
    }
    if let Some(block) = open {
        panic!("cli/README.md:{}: the fence opened here is never closed", block.line);
    }
    found
}

/// Runs one `sh` block in `folder`; panics with its output when it fails or hangs.
fn run_sh(block: &Block, folder: &Path, scratch: &Path, path: &str) {
    let log_path = scratch.join(format!("block-{}.log", block.line));
    let log = File::create(&log_path).unwrap();
    let mut command = Command::new("bash");
    command
        .args(["-euo", "pipefail", "-c", &block.text])
        .current_dir(folder)
        .env("PATH", path)
        .env("HOME", folder)
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TAAP_") {
            command.env_remove(name);
        }
    }
    let mut child =
        command.spawn().unwrap_or_else(|error| panic!("{}: cannot start bash: {error}", block.name()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > BLOCK_TIMEOUT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // The whole group: bash, and whatever it left running in the background.
    let group = i32::try_from(child.id()).unwrap();
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
    let _ = child.wait();
    let output = std::fs::read_to_string(&log_path).unwrap_or_default();
    match status {
        Some(status) if status.success() => {}
        Some(status) => panic!("{} failed ({status}):\n{output}", block.name()),
        None => panic!("{} did not finish within {BLOCK_TIMEOUT:?}:\n{output}", block.name()),
    }
}

/// Writes a `toml` block to the file named by its first line, `# NAME`.
fn write_toml(block: &Block, folder: &Path) {
    let name = block
        .first
        .strip_prefix('#')
        .map(str::trim)
        .filter(|name| {
            name.ends_with(".toml") && !name.contains(char::is_whitespace) && !name.starts_with('/')
        })
        .unwrap_or_else(|| {
            panic!("{}: a toml block must start with a comment naming its file, `# taap.toml`", block.name())
        });
    std::fs::write(folder.join(name), &block.text).unwrap();
}

#[test]
fn every_readme_example_runs_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let taap_dir = Path::new(env!("CARGO_BIN_EXE_taap")).parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(taap_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let path = path.to_str().unwrap();

    let (mut ran, mut fragments) = (0, 0);
    for block in blocks(&readme) {
        if block.fragment {
            fragments += 1;
            continue;
        }
        match block.lang.as_str() {
            "sh" => run_sh(&block, folder.path(), scratch.path(), path),
            "toml" => write_toml(&block, folder.path()),
            other => panic!("{}: no runner for ```{other} blocks; mark it ```{other} fragment", block.name()),
        }
        ran += 1;
    }
    assert!(ran > 0, "cli/README.md has no block to run");
    let summary = format!("README examples: {ran} run, {fragments} fragments\n");
    std::io::stdout().write_all(summary.as_bytes()).unwrap();
}

#[test]
fn the_block_parser_reads_the_convention() {
    let parsed = blocks("text\n```sh\necho a\n```\n```sh fragment\nexit 1\n```\n```toml\n# x.toml\n```\n");
    let summary: Vec<_> = parsed
        .iter()
        .map(|block| (block.lang.as_str(), block.fragment, block.line, block.first.as_str()))
        .collect();
    assert_eq!(
        summary,
        [("sh", false, 2, "echo a"), ("sh", true, 5, "exit 1"), ("toml", false, 8, "# x.toml")]
    );
}
