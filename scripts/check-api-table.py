#!/usr/bin/env python3
"""Checks docs/api.md against the doors: every identifier of a name in a door's column (both
`PrivateKey` and `from_pem` of `PrivateKey.from_pem`) must be *declared* in that door's public
surface (a function, class, method, field, constant or keyword of its declaration files), so the
naming table cannot drift from the code. Whether an option has its effect is not this script's
job: every door runs the API behaviour suite, tests/api/cases.json."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SURFACES = {
    "Rust": ["core/src/**/*.rs", "gateway/src/**/*.rs", "layer/src/**/*.rs"],
    "Python": ["bindings-python/python/taap/*.py", "bindings-python/python/taap/*.pyi"],
    "Node": ["bindings-node/index.d.ts", "bindings-node/express.d.ts"],
    "wasm": ["bindings-wasm/index.d.ts"],
    "C": ["bindings-c/include/taap.h"],
    "Kotlin": ["bindings-kotlin/kotlin/dev/taap/*.kt", "bindings-kotlin/kotlin/com/tmobile/taap/**/*.kt"],
    "PHP": ["bindings-php/taap.stub.php", "bindings-php/php/Taap/**/*.php"],
}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# What declares a name, per door: the declaring keyword before it, or the shape after it.
DECLARATIONS = {
    "Rust": [r"\b(?:fn|struct|enum|trait|type|const|static|mod)\s+([A-Za-z_]\w*)",
             r"pub use [^;]*?\b([A-Za-z_]\w*)\b", r"^\s*(?:pub\s+)?([A-Za-z_]\w*)\s*[:(,{]"],
    "Python": [r"\b(?:def|class)\s+([A-Za-z_]\w*)", r"^\s*([A-Za-z_]\w*)\s*[:=]", r"[(,]\s*\**([A-Za-z_]\w*)\s*[:=]"],
    "Node": [r"\b(?:function|class|interface|type|const|let|namespace)\s+([A-Za-z_]\w*)",
             r"^\s*(?:static\s+|readonly\s+|get\s+)*([A-Za-z_]\w*)\??\s*[(:<]"],
    "C": [r"\b([A-Za-z_]\w*)\s*\(", r"\b([A-Za-z_]\w*)\s*(?:;|=|\[|,|\))", r"\b(?:struct|enum)\s+([A-Za-z_]\w*)"],
    "Kotlin": [r"\b(?:fun interface|fun|class|object|interface|val|var|typealias)\s+(?:[A-Za-z_<>?, .]+\.)?([A-Za-z_]\w*)"],
    "PHP": [r"\b(?:function|class|interface|const|enum)\s+&?([A-Za-z_]\w*)", r"\$([A-Za-z_]\w*)",
            r"'([A-Za-z_]\w*)'\s*=>", r"[{,]\s*([A-Za-z_]\w*)\??:\s", r"\b(?:namespace)\s+([A-Za-z_\\\\]+)"],
}
DECLARATIONS["wasm"] = DECLARATIONS["Node"]


def surface(door: str) -> set:
    """Every name the door's declaration files declare (Python's module files name modules)."""
    names = {"taap"} if door == "Python" else set()
    for pattern in SURFACES[door]:
        for path in ROOT.glob(pattern):
            text = path.read_text(encoding="utf-8")
            if door == "Python":
                names.add(path.stem)
            for declaration in DECLARATIONS[door]:
                names.update(re.findall(declaration, text, re.MULTILINE))
    return names


def table_rows(text: str):
    """Yields (door, cell) for each body cell of a column headed by a door's name."""
    doors = None
    for line in text.splitlines():
        if not line.startswith("|"):
            doors = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if doors is None:
            doors = [next((door for door in SURFACES if cell.startswith(door)), None) for cell in cells]
        elif not set(line) <= set("|-: "):
            yield from ((door, cell) for door, cell in zip(doors, cells) if door)


def names_in(cell: str):
    """Each identifier of each backticked name (`PopToken::build` -> `PopToken`, `build`), up to
    its argument list; words inside a call (`validate_request(…, uri_form=…)`) count too. A
    parenthesised note after a name (`replay_store` (`memory` default)) holds values, not names."""
    outside_notes = re.sub(r"\((?:[^()`]|`[^`]*`)*\)", "", cell)
    for quoted in re.findall(r"`([^`]+)`", outside_notes):
        for name in IDENTIFIER.findall(quoted.replace("…", " ")):
            yield quoted, name


def main() -> int:
    surfaces = {door: surface(door) for door in SURFACES}
    missing = []
    checked = 0
    for door, cell in table_rows((ROOT / "docs" / "api.md").read_text(encoding="utf-8")):
        for quoted, name in names_in(cell):
            checked += 1
            if name not in surfaces[door]:
                missing.append(f"{door}: `{quoted}` ({name} is not in {', '.join(SURFACES[door])})")
    for line in missing:
        print(line, file=sys.stderr)
    print(f"docs/api.md: {checked - len(missing)} passed, {len(missing)} failed")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
