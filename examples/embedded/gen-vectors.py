#!/usr/bin/env python3
"""Writes build/vectors.c: every case of tests/vectors/tokens.json whose key is unencrypted
PEM or DER, as C data for pop.c (keys once each, ehts as C strings, jti as its 16 bytes), and
for the callback signer each key's public key (from openssl: PEM for a PEM key, DER for a DER
one) and what a secure element holding the key would be asked and answer: the SHA-256 digest
of the token's signing input and the token's signature (RS256 signatures are deterministic).

Usage: gen-vectors.py TOKENS_JSON KEYS_DIR OUT_C
"""

import base64
import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path


def c_string(text: bytes) -> str:
    """A C string literal; octal escapes (always three digits) for anything not plain ASCII,
    split into adjacent literals of at most 32 characters, never inside an escape."""
    units = []
    for byte in text:
        char = chr(byte)
        if char in '"\\?':
            units.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            units.append(char)
        else:
            units.append(f"\\{byte:03o}")
    chunks = ["".join(units[i : i + 32]) for i in range(0, len(units), 32)] or [""]
    return "\n    ".join(f'"{chunk}"' for chunk in chunks)


def c_bytes(data: bytes) -> str:
    rows = [", ".join(f"0x{byte:02x}" for byte in data[i : i + 16]) for i in range(0, len(data), 16)]
    return "{\n    " + ",\n    ".join(rows) + "\n}"


def der_integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + der_length(len(body)) + body


def der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    size = (length.bit_length() + 7) // 8
    return bytes([0x80 | size]) + length.to_bytes(size, "big")


def oversized_pkcs1_der() -> bytes:
    """A well-formed PKCS#1 RSAPrivateKey whose modulus has 8200 bits: over taap's 8192 limit.
    Its numbers form no key; the size check must refuse it before anything else looks."""
    modulus = (1 << 8199) | 1
    fields = [0, modulus, 65537] + [(1 << 4099) | 3] * 6
    body = b"".join(der_integer(value) for value in fields)
    return b"\x30" + der_length(len(body)) + body


# Keys the bad-input program feeds in, each refused with a status (see check-output.py).
BAD_KEYS = {
    "bad_key_encrypted": "openssl/pbes2-aes256-private.pem",
    "bad_key_small": "openssl/small-1024-private.pem",
    "bad_key_ec": "openssl/ec-p256-private.pem",
}


def public_key(private_key: Path) -> bytes:
    """The public key of `private_key` from openssl: SPKI DER for a DER key, PEM otherwise."""
    der = private_key.suffix == ".der"
    command = ["openssl", "pkey", "-in", str(private_key), "-pubout"]
    command += ["-inform", "DER", "-outform", "DER"] if der else []
    return subprocess.run(command, check=True, capture_output=True).stdout


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main() -> None:
    tokens_json, keys_dir, out_path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    cases = [
        case
        for case in json.loads(Path(tokens_json).read_text())["cases"]
        if case["password"] is None and not case["key"].endswith(".json")
    ]
    keys = sorted({case["key"] for case in cases})
    lines = ['#include "vectors.h"', ""]
    for index, key in enumerate(keys):
        data = (keys_dir / key).read_bytes()
        if key.endswith(".der"):
            lines.append(f"static const uint8_t key_{index}[] = {c_bytes(data)};")
        else:
            lines.append(f"static const char key_{index}[] =\n    {c_string(data)};")
        public = public_key(keys_dir / key)
        if key.endswith(".der"):
            lines.append(f"static const uint8_t public_{index}[] = {c_bytes(public)};")
        else:
            lines.append(f"static const char public_{index}[] =\n    {c_string(public)};")
    lines.append("")
    for number, case in enumerate(cases):
        signing_input, _, signature = case["token"].rpartition(".")
        digest = hashlib.sha256(signing_input.encode()).digest()
        lines.append(f"static const uint8_t digest_{number}[] = {c_bytes(digest)};")
        lines.append(f"static const uint8_t signature_{number}[] = {c_bytes(b64url(signature))};")
    lines.append("")
    for number, case in enumerate(cases):
        lines.append(f"static const taap_ehts_entry ehts_{number}[] = {{")
        for name, value in case["ehts"]:
            lines.append(f"    {{{c_string(name.encode())}, {c_string(value.encode())}}},")
        lines.append("};")
    lines.append("")
    lines.append("const struct vector_case vector_cases[] = {")
    for number, case in enumerate(cases):
        index = keys.index(case["key"])
        is_der = case["key"].endswith(".der")
        key_len = f"sizeof key_{index}" if is_der else "0"
        public_len = f"sizeof public_{index}" if is_der else "0"
        jti = ", ".join(f"0x{byte:02x}" for byte in uuid.UUID(case["jti"]).bytes)
        lines.append(
            f'    {{"{case["name"]}", (const uint8_t *)key_{index}, {key_len}, ehts_{number}, '
            f'{len(case["ehts"])}, {case["iat"]}, {case["ttl_secs"]}, {{{jti}}},\n'
            f"     (const uint8_t *)public_{index}, {public_len}, digest_{number}, signature_{number}, "
            f"sizeof signature_{number}}},"
        )
    lines.append("};")
    lines.append(f"const size_t vector_case_count = {len(cases)};")
    lines.append("")
    for name, key in BAD_KEYS.items():
        lines.append(f"const char {name}[] =\n    {c_string((keys_dir / key).read_bytes())};")
    large = oversized_pkcs1_der()
    lines.append(f"const uint8_t bad_key_large_der[] = {c_bytes(large)};")
    lines.append(f"const size_t bad_key_large_der_len = {len(large)};")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
