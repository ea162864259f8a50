#!/usr/bin/env python3
"""Writes build/matrix_cases.c: the bad-input matrix cases (tests/bad-input/cases.json) the
embedded ABI has an operation for, as C data for matrix.c; the others become n/a rows.

Usage: gen-matrix.py TESTS_DIR OUT_C OUT_NA_JSON
"""

import base64
import json
import subprocess
import sys
from pathlib import Path

# Inputs above this do not fit the 4 MiB of RAM of QEMU's mps2-an386 next to the program.
MAX_INPUT_BYTES = 1024 * 1024


def build(value, tests: Path) -> bytes:
    """A value's bytes, as tests/bad-input/matrix.rs builds them."""
    if isinstance(value, str):
        return value.encode()
    if "hex" in value:
        built = bytes.fromhex(value["hex"])
    elif "file" in value:
        built = (tests / value["file"]).read_bytes()
    elif "repeat" in value:
        built = build(value["repeat"], tests) * value["times"]
    elif "concat" in value:
        built = b"".join(build(part, tests) for part in value["concat"])
    elif "b64url" in value:
        built = base64.urlsafe_b64encode(build(value["b64url"], tests)).rstrip(b"=")
    else:
        raise SystemExit(f"unknown value constructor {value}")
    return built[: value["keep"]] if "keep" in value else built


def pairs(spec, tests: Path) -> list:
    if isinstance(spec, dict):
        return [(f"h{index}".encode(), b"v") for index in range(spec["entries"])]
    return [(build(name, tests), build(value, tests)) for name, value in spec]


def c_bytes(data: bytes) -> str:
    """A C string literal of any bytes (octal escapes), split into short adjacent literals."""
    units = [chr(b) if 0x20 <= b < 0x7F and chr(b) not in '"\\?' else f"\\{b:03o}" for b in data]
    chunks = ["".join(units[i : i + 32]) for i in range(0, len(units), 32)] or [""]
    return "\n    ".join(f'"{chunk}"' for chunk in chunks)


def not_applicable(case: dict, tests: Path) -> "str | None":
    """Why the embedded ABI cannot run this case, or None."""
    op = case["op"]
    column = case.get("columns", {}).get("embedded", "")
    if op == "signer_callback":
        return None
    if op not in ("build", "private_key") and column.startswith("n/a"):
        return column
    if op not in ("build", "private_key"):
        return {
            "decode": "n/a: the embedded ABI has no decode",
            "validate": "n/a: the embedded ABI has no validator",
            "validate_request": "n/a: the embedded ABI has no validator",
            "for_request": "n/a: the embedded ABI has no request signer",
            "public_key": "n/a: the embedded ABI has no public keys",
        }[op]
    if "jti" in case:
        return "n/a: the embedded ABI takes 16 random bytes, not a jti string"
    if op == "build":
        entries = pairs(case["ehts"], tests)
        if sum(len(n) + len(v) for n, v in entries) > MAX_INPUT_BYTES or len(entries) > 1000:
            return "n/a: the input does not fit the board's 4 MiB of RAM"
        if any(0 in name or 0 in value for name, value in entries):
            return "n/a: C strings end at NUL"
    else:
        if len(build(case["key"], tests)) > MAX_INPUT_BYTES:
            return "n/a: the input does not fit the board's 4 MiB of RAM"
        if "password" in case and case["password"] is not None and 0 in build(case["password"], tests):
            return "n/a: C strings end at NUL"
    return None


def main() -> None:
    tests, out_c, out_na = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    cases = json.loads((tests / "bad-input" / "cases.json").read_text())["cases"]
    signed = json.loads((tests / "bad-input" / "signed-tokens.json").read_text())
    lines = ['#include "matrix.h"', ""]
    rows, na = [], {}
    for number, case in enumerate(cases):
        reason = not_applicable(case, tests)
        if reason:
            na[case["id"]] = reason
            continue
        if case["op"] == "signer_callback":
            # The signer's public key is the signing key's; its function answers these bytes, or
            # fails when the case says it throws.
            answer = build(case.get("answer", ""), tests)
            lines.append(f"static const char answer_{number}[] =\n    {c_bytes(answer)};")
            throws = 1 if "throws" in case else 0
            rows.append(
                f'    {{"{case["id"]}", MATRIX_SIGNER_CALLBACK, (const uint8_t *)answer_{number}, {len(answer)}, '
                f"0, 0, 0, 120LL, {signed['iat']}LL, {throws}}},"
            )
        elif case["op"] == "build":
            entries = pairs(case["ehts"], tests)
            lines.append(f"static const taap_ehts_entry ehts_{number}[] = {{")
            lines += [f"    {{{c_bytes(name)}, {c_bytes(value)}}}," for name, value in entries]
            lines.append("    {0, 0},")  # no zero-length arrays in C
            lines.append("};")
            ttl, iat = case.get("ttl", 120), case.get("iat", signed["iat"])
            rows.append(
                f'    {{"{case["id"]}", MATRIX_BUILD, 0, 0, 0, ehts_{number}, {len(entries)}, '
                f"{ttl}LL, {iat}LL, 0}},"
            )
        else:
            key = build(case["key"], tests)
            lines.append(f"static const char key_{number}[] =\n    {c_bytes(key)};")
            password = case.get("password")
            password_c = "0" if password is None else c_bytes(build(password, tests))
            rows.append(
                f'    {{"{case["id"]}", MATRIX_PRIVATE_KEY, (const uint8_t *)key_{number}, {len(key)}, '
                f"{password_c}, 0, 0, 0, 0, 0}},"
            )
    lines.append("")
    key_path = tests / "keys" / signed["key"]
    lines.append(f"const char matrix_signing_key[] =\n    {c_bytes(key_path.read_bytes())};")
    public = subprocess.run(["openssl", "pkey", "-in", str(key_path), "-pubout"], check=True, capture_output=True)
    lines.append(f"const char matrix_public_key[] =\n    {c_bytes(public.stdout)};")
    lines.append("const struct matrix_case matrix_cases[] = {")
    lines += rows
    lines.append("};")
    lines.append(f"const size_t matrix_case_count = {len(rows)};")
    out_c.parent.mkdir(parents=True, exist_ok=True)
    out_c.write_text("\n".join(lines) + "\n")
    out_na.write_text(json.dumps(na, indent=1) + "\n")


if __name__ == "__main__":
    main()
