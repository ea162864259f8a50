#!/usr/bin/env python3
"""Checks what the example programs printed under QEMU.

  check-output.py tokens TOKENS_JSON pop.out        every token byte for byte, then "done"
  check-output.py bad-input TOKENS_JSON bad_input.out   every status as expected, then "done"
  check-output.py matrix CASES_JSON matrix.out NA_JSON OUT_JSONL
      the embedded column of tests/bad-input: each outcome as cases.json expects; written as
      OUT_JSONL for tests/bad-input/assemble.py
  check-output.py readme OUTPUT PUBLIC_KEY WHERE
      a README example linked with readme_board.c printed one token with the board's iat and
      jti, signed by PUBLIC_KEY's private key (checked with openssl); WHERE names the block
"""

import base64
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# What taap_embedded must return for each wrong input of bad_input.c.
EXPECTED_STATUSES = {
    "pem-malformed": "TAAP_INVALID_KEY",
    "pem-no-block": "TAAP_INVALID_KEY",
    "pem-empty": "TAAP_INVALID_KEY",
    "pem-encrypted": "TAAP_INVALID_KEY",
    "pem-too-small": "TAAP_INVALID_KEY",
    "pem-ec": "TAAP_INVALID_KEY",
    "der-too-large": "TAAP_INVALID_KEY",
    "der-zero-length": "TAAP_INVALID_KEY",
    "der-truncated": "TAAP_INVALID_KEY",
    "pem-null": "TAAP_NULL_ARGUMENT",
    "der-null": "TAAP_NULL_ARGUMENT",
    "pem-out-null": "TAAP_NULL_ARGUMENT",
    "build-key-null": "TAAP_NULL_ARGUMENT",
    "build-options-null": "TAAP_NULL_ARGUMENT",
    "build-out-null": "TAAP_NULL_ARGUMENT",
    "build-ehts-null": "TAAP_NULL_ARGUMENT",
    "build-ehts-empty": "TAAP_INVALID_EHTS",
    "build-ehts-duplicate": "TAAP_INVALID_EHTS",
    "build-ehts-value-null": "TAAP_NULL_ARGUMENT",
    "build-ehts-name-not-utf8": "TAAP_INVALID_UTF8",
    "build-ttl-too-long": "TAAP_CONFIG",
    "build-iat-negative": "TAAP_CONFIG",
    "build-no-randomness": "TAAP_CONFIG",
    "build-rng-fails": "TAAP_CONFIG",
    "build-random-and-rng": "TAAP_CONFIG",
    "allocator-null": "TAAP_NULL_ARGUMENT",
    "allocator-after-use": "TAAP_CONFIG",
    # The callback signer (taap_public_key_*, taap_signer_*, taap_pop_token_build_with_signer).
    "signer-callback-fails": "TAAP_TRANSPORT",
    "signer-callback-status": "TAAP_TRANSPORT",
    "signer-signature-short": "TAAP_SIGNATURE_INVALID",
    "signer-signature-overlong": "TAAP_SIGNATURE_INVALID",
    "signer-signature-corrupted": "TAAP_SIGNATURE_INVALID",
    "signer-other-public-key": "TAAP_SIGNATURE_INVALID",
    "public-key-pem-malformed": "TAAP_INVALID_KEY",
    "public-key-pem-private-key": "TAAP_INVALID_KEY",
    "public-key-der-truncated": "TAAP_INVALID_KEY",
    "public-key-pem-null": "TAAP_NULL_ARGUMENT",
    "public-key-der-null": "TAAP_NULL_ARGUMENT",
    "signer-public-key-null": "TAAP_NULL_ARGUMENT",
    "signer-callback-null": "TAAP_NULL_ARGUMENT",
    "signer-out-null": "TAAP_NULL_ARGUMENT",
    "build-signer-null": "TAAP_NULL_ARGUMENT",
}


def fail(message: str) -> None:
    sys.exit(f"test-embedded: {message}")


def lines_until_done(path: str) -> list[str]:
    lines = Path(path).read_text().splitlines()
    if "HARDFAULT" in lines:
        fail(f"{path}: the program faulted")
    if not lines or lines[-1] != "done":
        fail(f"{path}: no final 'done' line (crashed, hung or aborted)")
    return lines[:-1]


def check_tokens(vectors: dict, path: str) -> None:
    printed = {}
    for line in lines_until_done(path):
        name, _, token = line.partition(" ")
        if name in printed:
            fail(f"{name} printed twice")
        printed[name] = token
    expected = {case["name"]: case["token"] for case in vectors["cases"]}
    unencrypted = {
        case["name"] for case in vectors["cases"] if case["password"] is None and not case["key"].endswith(".json")
    }
    if set(printed) != unencrypted:
        fail(f"cases printed differ from the unencrypted vectors: {sorted(set(printed) ^ unencrypted)}")
    wrong = [name for name, token in printed.items() if token != expected[name]]
    if wrong:
        fail(f"{len(wrong)} tokens differ from tests/vectors/tokens.json: {wrong}")
    print(f"test-embedded: {len(printed)} tokens identical to tests/vectors/tokens.json")


def check_bad_input(vectors: dict, path: str) -> None:
    seen = {}
    for line in lines_until_done(path):
        if line.startswith("rng-token "):
            _, name, token = line.split(" ")
            expected = next(case["token"] for case in vectors["cases"] if case["name"] == name)
            if token != expected:
                fail(f"the token built through the RNG callback differs from {name}'s vector")
            seen["rng-token"] = "TAAP_OK"
            continue
        name, status = line.split(" ")
        seen[name] = status
    if "rng-token" not in seen:
        fail("no token was built through the RNG callback")
    del seen["rng-token"]
    if set(seen) != set(EXPECTED_STATUSES):
        fail(f"cases differ: {sorted(set(seen) ^ set(EXPECTED_STATUSES))}")
    wrong = [f"{name}: got {seen[name]}, expected {status}" for name, status in EXPECTED_STATUSES.items()
             if seen[name] != status]
    if wrong:
        fail("; ".join(wrong))
    print(f"test-embedded: {len(seen)} bad inputs got their exact status, no fault")


# A status as the matrix names outcomes: the core's kind names, and the C ABI's own.
OUTCOMES = {
    "TAAP_OK": "ok",
    "TAAP_INVALID_KEY": "InvalidKey",
    "TAAP_INVALID_EHTS": "InvalidEhts",
    "TAAP_CONFIG": "Config",
    "TAAP_NULL_ARGUMENT": "NullArgument",
    "TAAP_INVALID_UTF8": "InvalidUtf8",
    "TAAP_SIGNATURE_INVALID": "SignatureInvalid",
    "TAAP_TRANSPORT": "Transport",
    "TAAP_PANIC": "panic: TAAP_PANIC",
}


def check_matrix(cases_json: str, path: str, na_json: str, out_jsonl: str) -> None:
    cases = json.loads(Path(cases_json).read_text())["cases"]
    not_applicable = json.loads(Path(na_json).read_text())
    ran = {}
    for line in lines_until_done(path):
        case_id, status, ms = line.split(" ")
        ran[case_id] = (OUTCOMES.get(status, f"crash: unknown status {status}"), int(ms))
    rows, wrong = [], []
    for case in cases:
        expected = case.get("columns", {}).get("embedded", case["expect"])
        outcome, ms = ran.get(case["id"], (not_applicable.get(case["id"], "crash: not run"), 0))
        meets = outcome == expected or (outcome.startswith("n/a") and expected.startswith("n/a"))
        if not meets:
            wrong.append(f"{case['id']}: got {outcome}, expected {expected}")
        rows.append({"column": "embedded", "expected": expected, "id": case["id"], "ms": ms, "outcome": outcome})
    Path(out_jsonl).parent.mkdir(parents=True, exist_ok=True)
    Path(out_jsonl).write_text("".join(json.dumps(row, sort_keys=True) + "\n" for row in rows))
    if wrong:
        fail("; ".join(wrong))
    print(f"test-embedded: bad-input matrix column, {len(ran)} cases run, {len(rows) - len(ran)} n/a, all as expected")


# What readme_board.c supplies: its clock, and the jti its RNG's bytes 0..15 become.
README_BOARD_IAT = 1767225600
README_BOARD_JTI = "00010203-0405-4607-8809-0a0b0c0d0e0f"


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_readme(path: str, public_key: str, where: str) -> None:
    text = Path(path).read_text()
    if "HARDFAULT" in text:
        fail(f"{where}: the program faulted")
    tokens = re.findall(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", text)
    if len(tokens) != 1:
        fail(f"{where}: printed {len(tokens)} tokens, not one:\n{text}")
    header64, claims64, signature64 = tokens[0].split(".")
    header = json.loads(b64url(header64))
    claims = json.loads(b64url(claims64))
    if header.get("alg") != "RS256":
        fail(f"{where}: the token's header is {header}")
    if claims.get("iat") != README_BOARD_IAT or claims.get("jti") != README_BOARD_JTI:
        fail(f"{where}: iat {claims.get('iat')} and jti {claims.get('jti')}, not the board's")
    if not 0 < claims.get("exp", 0) - README_BOARD_IAT <= 3600 or not claims.get("ehts") or not claims.get("edts"):
        fail(f"{where}: the token's claims are {claims}")
    with tempfile.NamedTemporaryFile() as signature:
        signature.write(b64url(signature64))
        signature.flush()
        verified = subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", public_key, "-signature", signature.name],
            input=f"{header64}.{claims64}".encode(), capture_output=True)
    if verified.returncode != 0:
        fail(f"{where}: the signature does not verify: {verified.stdout.decode()}{verified.stderr.decode()}")
    print(f"test-embedded: {where}: token verified (ehts {claims['ehts']})")


def main() -> None:
    mode = sys.argv[1]
    if mode == "readme":
        check_readme(*sys.argv[2:5])
        return
    if mode == "matrix":
        check_matrix(*sys.argv[2:6])
        return
    tokens_json, output = sys.argv[2:4]
    vectors = json.loads(Path(tokens_json).read_text())
    {"tokens": check_tokens, "bad-input": check_bad_input}[mode](vectors, output)


if __name__ == "__main__":
    main()
