#!/usr/bin/env python3
"""Writes the option declarations of ``TaapClient`` and ``PopTokenValidator`` from the core's
settings schema (``taap.settings_schema()``): the keyword blocks of ``python/taap/_taap.pyi`` and
the ``text_signature`` of each class in ``src/`` (what ``inspect.signature`` and stubtest read).

Run it with the venv's Python after building the package; ``--check`` only reports drift (the
test suite runs that, ``tests/test_declarations.py``). After it rewrites a ``src/`` file the
package must be built again.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

PACKAGE = Path(__file__).resolve().parent.parent
STUB = PACKAGE / "python" / "taap" / "_taap.pyi"
GENERATOR = "scripts/generate_declarations.py"

#: How each kind of the schema is typed in Python (a ``choice`` is a ``Literal`` of its words).
PYTHON_TYPES = {
    "seconds": "float",
    "whole seconds": "int",
    "count": "int",
    "bytes": "int",
    "flag": "bool",
    "text": "str",
    "members": "Mapping[str, Any]",
    "headers": "Mapping[str, str]",
    "names": "Union[List[str], Tuple[str, ...]]",
}
#: Python's own meaning kept beside the schema's type: ``replay_cache=True`` is the core's
#: default capacity, ``False`` is off.
ALSO_ACCEPTS = {"replay_cache": "bool"}


class Declaration:
    """One class's constructor: its arguments before the options, and the handles after ``*``."""

    def __init__(self, name: str, group: str, source: str, leading: Sequence[str], positional: Sequence[str], handles: Dict[str, str]) -> None:
        self.name = name
        self.group = group
        self.source = PACKAGE / "src" / source
        self.leading = list(leading)
        self.positional = list(positional)
        self.handles = handles


DECLARATIONS = [
    Declaration(
        "TaapClient",
        "client",
        "client.rs",
        leading=["client_id", "client_secret", "key"],
        positional=["server"],
        handles={"password": "Optional[_Text]", "sign_policy": "Optional[SignPolicy]"},
    ),
    Declaration("PopTokenValidator", "validator", "validator.rs", leading=[], positional=[], handles={}),
]


def python_literal(value: Any) -> str:
    """A JSON default as Python source, strings in double quotes (as the stub writes them)."""
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def annotation(setting: Dict[str, Any]) -> str:
    """The option's Python type: ``Optional`` when the schema's default is none."""
    if setting["kind"] == "choice":
        base = "Literal[" + ", ".join(json.dumps(word) for word in setting["choices"]) + "]"
    else:
        base = PYTHON_TYPES[setting["kind"]]
    extra = ALSO_ACCEPTS.get(setting["name"])
    if extra is not None:
        return f"Union[{extra}, {base}, None]"
    return f"Optional[{base}]" if setting["default"] is None else base


def options_of(schema: List[Dict[str, Any]], group: str) -> List[Dict[str, Any]]:
    """The group's options in the schema's order."""
    return [setting for setting in schema if setting["group"] == group]


def stub_block(declaration: Declaration, schema: List[Dict[str, Any]]) -> List[str]:
    """The stub's parameter lines from the first option on (``*`` and the handles included)."""
    options = options_of(schema, declaration.group)
    by_name = {setting["name"]: setting for setting in options}
    lines = [f"{name}: {annotation(by_name[name])} = {python_literal(by_name[name]['default'])}," for name in declaration.positional]
    lines.append("*,")
    lines += [f"{name}: {kind} = None," for name, kind in declaration.handles.items()]
    lines += [
        f"{setting['name']}: {annotation(setting)} = {python_literal(setting['default'])},"
        for setting in options
        if setting["name"] not in declaration.positional
    ]
    return ["        " + line for line in lines]


def text_signature(declaration: Declaration, schema: List[Dict[str, Any]]) -> str:
    """The signature ``inspect`` shows at run time: the same names and defaults as the stub."""
    options = options_of(schema, declaration.group)
    by_name = {setting["name"]: setting for setting in options}
    parts = list(declaration.leading)
    parts += [f"{name}={by_name[name]['default']!r}" for name in declaration.positional]
    parts.append("*")
    parts += [f"{name}=None" for name in declaration.handles]
    parts += [f"{setting['name']}={setting['default']!r}" for setting in options if setting["name"] not in declaration.positional]
    return "(" + ", ".join(parts) + ")"


def rust_block(declaration: Declaration, schema: List[Dict[str, Any]]) -> List[str]:
    """The ``text_signature`` attribute as Rust source, wrapped with string continuations (a
    line ends in a space and ``\\``, which Rust joins without the next line's indent)."""
    first, indent = '        text_signature = "', " " * 26
    words = text_signature(declaration, schema).replace("\\", "\\\\").replace('"', '\\"').split(" ")
    lines: List[str] = []
    current: List[str] = []
    for word in words:
        head = indent if lines else first
        if current and len(head + " ".join([*current, word])) > 106:
            lines.append(head + " ".join(current) + " \\")
            current = []
        current.append(word)
    lines.append((indent if lines else first) + " ".join(current) + '"')
    return lines


def replace_block(text: str, marker: str, lines: List[str], comment: str) -> str:
    """``text`` with the lines between ``BEGIN GENERATED <marker>`` and ``END GENERATED`` replaced."""
    pattern = re.compile(
        rf"(^[ \t]*{re.escape(comment)} BEGIN GENERATED {re.escape(marker)} \({re.escape(GENERATOR)}\)\n)(.*?)(^[ \t]*{re.escape(comment)} END GENERATED\n)",
        re.MULTILINE | re.DOTALL,
    )
    if not pattern.search(text):
        raise SystemExit(f"no generated block {marker!r} found")
    return pattern.sub(lambda match: match.group(1) + "".join(line + "\n" for line in lines) + match.group(3), text, count=1)


def rendered(schema: List[Dict[str, Any]]) -> Dict[Path, str]:
    """Every file this script writes, as it must read."""
    files = {STUB: STUB.read_text(encoding="utf-8")}
    for declaration in DECLARATIONS:
        marker = f"{declaration.name} options"
        files[STUB] = replace_block(files[STUB], marker, stub_block(declaration, schema), "#")
        source = declaration.source.read_text(encoding="utf-8")
        files[declaration.source] = replace_block(source, f"{declaration.name} signature", rust_block(declaration, schema), "//")
    return files


def stale(schema: List[Dict[str, Any]]) -> List[Path]:
    """The files whose generated blocks differ from what the schema gives."""
    return [path for path, text in rendered(schema).items() if path.read_text(encoding="utf-8") != text]


def main(arguments: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    options = parser.parse_args(arguments)
    import taap

    schema = taap.settings_schema()
    if options.check:
        drifted = stale(schema)
        for path in drifted:
            print(f"{path.relative_to(PACKAGE)} is stale: run {GENERATOR}, then rebuild", file=sys.stderr)
        return 1 if drifted else 0
    for path, text in rendered(schema).items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(PACKAGE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
