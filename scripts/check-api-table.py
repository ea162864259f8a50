#!/usr/bin/env python3
"""Checks docs/api.md against the doors: every name in a Rust, Python, Node or C column must
exist in that door's public surface, so the naming table cannot drift from the code."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SURFACES = {
    "Rust": ["core/src/**/*.rs", "gateway/src/**/*.rs"],
    "Python": ["bindings-python/python/taap/*.py", "bindings-python/python/taap/*.pyi"],
    "Node": ["bindings-node/index.d.ts", "bindings-node/express.d.ts"],
    "wasm": ["bindings-wasm/index.d.ts"],
    "C": ["bindings-c/include/taap.h"],
    "Kotlin": ["bindings-kotlin/kotlin/dev/taap/*.kt"],
    "PHP": ["bindings-php/taap.stub.php", "bindings-php/php/Taap/**/*.php"],
}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def surface(door: str) -> set:
    words = set()
    for pattern in SURFACES[door]:
        for path in ROOT.glob(pattern):
            words.update(IDENTIFIER.findall(path.read_text(encoding="utf-8")))
    return words


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
    """The last identifier of each backticked name (`PopToken::build` -> `build`)."""
    for quoted in re.findall(r"`([^`]+)`", cell):
        found = IDENTIFIER.findall(quoted.split("(")[0])
        if found:
            yield quoted, found[-1]


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
