#!/usr/bin/env python3
"""Every fenced block in the project's Markdown is run by a test or marked a fragment on purpose.

A block whose info string carries the word ``fragment`` after the language (```` ```sh fragment
````) is documentation only. Any other block must be one that a suite runs: RUNNERS below says,
per file and language, which test extracts and runs it. A new block in a file or language no
runner reads fails here, in ``make lint``, instead of going stale unseen.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (file, language) -> the suite that runs those blocks. `README.md#Heading` is one `## ` section.
RUNNERS = {
    ("README.md#Rust", "rust"): "core/tests/readme.rs",
    ("README.md#Python", "python"): "bindings-python/tests/test_readme.py",
    ("README.md#Node.js", "js"): "bindings-node/test/readme.test.js",
    ("README.md#Browser and edge (WebAssembly)", "js"): "bindings-node/test/readme.test.js",
    ("README.md#PHP", "php"): "bindings-php/tests/ReadmeTest.php",
    ("README.md#Java and Kotlin", "kotlin"): "bindings-kotlin/scripts/test.sh",
    ("README.md#C and C++", "c"): "bindings-c/scripts/test.sh",
    ("README.md#Microcontrollers (`no_std`)", "c"): "examples/embedded (make test-embedded)",
    ("core/README.md", "rust"): "core/tests/readme.rs",
    ("layer/README.md", "rust"): "layer/src/lib.rs (the crate doc: cargo test --doc -p taap-tower)",
    ("cli/README.md", "sh"): "cli/tests/readme.rs",
    ("cli/README.md", "toml"): "cli/tests/readme.rs",
    ("docs/operations.md#Per-route policy", "toml"): "gateway/tests/routes.rs",
    ("bindings-python/README.md", "python"): "bindings-python/tests/test_readme.py",
    ("bindings-node/README.md", "js"): "bindings-node/test/readme.test.js",
    ("bindings-wasm/README.md", "js"): "bindings-wasm/test/readme.test.mjs",
    ("bindings-php/README.md", "php"): "bindings-php/tests/ReadmeTest.php",
    ("bindings-php/README.md", "sh"): "bindings-php/tests/ReadmeTest.php",
    ("bindings-kotlin/README.md", "java"): "bindings-kotlin/scripts/test.sh",
    ("bindings-kotlin/README.md", "kotlin"): "bindings-kotlin/scripts/test.sh",
    ("bindings-c/README.md", "c"): "bindings-c/scripts/test.sh",
    ("bindings-c/README.md", "sh"): "bindings-c/scripts/test.sh",
    ("bindings-embedded/README.md", "c"): "examples/embedded (make test-embedded)",
    ("bindings-embedded/README.md", "sh"): "examples/embedded (make test-embedded)",
    ("docs/fleet.md", "python"): "bindings-python/tests/test_readme.py",
    ("docs/fleet.md", "js"): "bindings-node/test/readme.test.js",
    ("docs/profiles.md", "toml"): "core/tests/profiles.rs",
}

FENCE = re.compile(r"^```(.*)$")


def tracked_markdown() -> list[str]:
    """The Markdown files git tracks, less generated package copies."""
    listed = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [name for name in listed.stdout.split() if "/pkg/" not in name]


def blocks(path: str):
    """(line, language, is_fragment, section) of each fenced block of `path`."""
    section, opened = "", None
    for number, line in enumerate((ROOT / path).read_text(encoding="utf-8").splitlines(), 1):
        if opened is None and line.startswith("## "):
            section = line[3:].strip()
        match = FENCE.match(line)
        if not match:
            continue
        if opened is None:
            words = match.group(1).split()
            opened = (number, words[0] if words else "", "fragment" in words[1:], section)
        elif not match.group(1).strip():
            yield opened
            opened = None
    if opened is not None:
        raise SystemExit(f"{path}:{opened[0]}: the fence opened here is never closed")


def main() -> int:
    unrun, ran, fragments = [], 0, 0
    for path in tracked_markdown():
        for line, language, fragment, section in blocks(path):
            if fragment:
                fragments += 1
            elif (path, language) in RUNNERS or (f"{path}#{section}", language) in RUNNERS:
                ran += 1
            else:
                shown = language or "(no language)"
                unrun.append(f"{path}:{line}: a ```{shown} block no test runs; run it or mark it ```{language or 'text'} fragment")
    for problem in unrun:
        print(problem)
    print(f"documentation blocks: {ran} run by a suite, {fragments} fragments, {len(unrun)} neither")
    return 1 if unrun else 0


if __name__ == "__main__":
    sys.exit(main())
