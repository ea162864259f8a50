#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from tests/vectors/ and tests/keys/.

Usage: python3 fuzz/build-corpus.py [OUT_DIR]   (default: fuzz/corpus)

Seeds are derived, not committed: rerun this after the vectors or keys change. The input
framing (fields split by 0x1E, name/value by 0x1F) is the one fuzz/src/lib.rs documents.
"""

import base64
import hashlib
import json
import sys
from pathlib import Path

FIELD = b"\x1e"
PAIR = b"\x1f"
ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
KEYS = ROOT / "tests" / "keys"
# Same order as VALIDATOR_KEY_FILES in fuzz/src/lib.rs.
VALIDATOR_KEY_FILES = [
    "tmobile/dotnet-public.pem",
    "tmobile/readme-public.pem",
    "tmobile/validator-demo-jwk-public.pem",
    "tmobile/validator-demo-pem-public.pem",
    "tmobile/validator-demo.jwk.json",
]


def load(name):
    return json.loads((VECTORS / name).read_text())


def utf8(value):
    return value.encode() if isinstance(value, str) else bytes(value)


def pairs(entries):
    return [utf8(name) + PAIR + utf8(value) for name, value in entries]


class Corpus:
    def __init__(self, out):
        self.out = out
        self.counts = {}

    def add(self, target, seed):
        directory = self.out / target
        directory.mkdir(parents=True, exist_ok=True)
        # Content-addressed, as libFuzzer names its own corpus files: reruns do not duplicate.
        (directory / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        self.counts[target] = self.counts.get(target, 0) + 1


def every_token():
    for case in load("tokens.json")["cases"] + load("request.json")["cases"]:
        yield case["token"]
    for case in load("validator.json")["cases"]:
        yield case["token"]
    for path in sorted((KEYS / "tmobile").glob("*.token")):
        yield path.read_text().strip()


def token_seeds(corpus):
    for token in every_token():
        corpus.add("token_decode", token.encode())


def validator_seeds(corpus):
    vectors = load("validator.json")
    defaults = vectors["defaults"]
    for case in vectors["cases"]:
        options = {**defaults, **case["options"]}
        fields = [
            str(VALIDATOR_KEY_FILES.index(case["public_key"])).encode(),
            case["token"].encode(),
            str(case["now"]).encode(),
            str(options["leeway_secs"]).encode(),
            str(options["max_age_secs"]).encode(),
            b"1" if options.get("replay_cache") else b"0",
            ",".join(options.get("required", [])).encode(),
        ] + pairs(case["ehts"])
        corpus.add("token_validate", FIELD.join(fields))


def pem_body(data):
    """The DER inside a one-block PEM without headers, or None."""
    lines = data.decode(errors="replace").strip().splitlines()
    if len(lines) < 3 or not lines[0].startswith("-----BEGIN") or any(":" in line for line in lines):
        return None
    return base64.b64decode("".join(lines[1:-1]))


def key_seeds(corpus):
    keys = load("keys.json")
    for entry in keys["private_keys"]:
        data = (KEYS / entry["file"]).read_bytes()
        password = entry.get("password")
        corpus.add("private_key", data)
        if password is not None:
            corpus.add("private_key", password.encode() + FIELD + data)
            corpus.add("private_key", b"wrong-password" + FIELD + data)
        der = pem_body(data)
        if der is not None:
            corpus.add("private_key", der if password is None else password.encode() + FIELD + der)
    public_files = {entry["file"] for entry in keys["public_keys"]}
    public_files |= {str(path.relative_to(KEYS)) for path in KEYS.glob("*/*public*")}
    public_files |= {str(path.relative_to(KEYS)) for path in KEYS.glob("*/*.json")}
    for file in sorted(public_files):
        data = (KEYS / file).read_bytes()
        corpus.add("public_key", data)
        der = pem_body(data)
        if der is not None:
            corpus.add("public_key", der)


def request_seeds(corpus):
    for case in load("request.json")["cases"]:
        fields = [case["method"].encode(), case["url"].encode(), utf8(case["body"])] + pairs(case["headers"])
        corpus.add("request_signer", FIELD.join(fields))
    for case in load("tokens.json")["cases"]:
        entries = dict(case["ehts"])
        headers = [(name, value) for name, value in case["ehts"] if name not in ("uri", "http-method", "body")]
        if "uri" in entries and "http-method" in entries:
            fields = [utf8(entries["http-method"]), utf8(entries["uri"]), utf8(entries.get("body", ""))]
            corpus.add("request_signer", FIELD.join(fields + pairs(headers)))


def backend_seeds(corpus):
    """The token vectors' ehts, iat and jti, on each of the target's keys."""
    for case in load("tokens.json")["cases"]:
        for key_index in (b"0", b"3"):
            fields = [key_index, str(case["iat"]).encode(), case["jti"].encode()] + pairs(case["ehts"])
            corpus.add("backend_differential", FIELD.join(fields))


def gateway_seeds(corpus):
    json_type = ("Content-Type", "application/json")
    v6_body = json.dumps({
        "client_id": "fuzz-client",
        "client_secret": "fuzz-secret-2b7e",
        "scope": "response_mode",
        "grant-type": "client_credentials",
    })
    requests = [
        ("POST", "/oauth2/v2/tokens", "", [json_type, ("Authorization", "$BASIC"), ("X-Authorization", "$POP")]),
        ("POST", "/oauth2/v6/tokens", v6_body, [json_type, ("Authorization", "$BASIC"), ("X-Authorization", "$POP")]),
        ("GET", "/iot-connectivity/v1/devices/8901260000000000019", "",
         [("Authorization", "$BEARER"), ("X-Authorization", "$POP")]),
        ("POST", "/commerce/v1/orders", '{"orderId": 100, "product": "Mobile Phone"}',
         [json_type, ("Authorization", "$BEARER"), ("X-Authorization", "$POP")]),
        ("GET", "/iot-connectivity/v1/devices/123", "", [("Authorization", "$BEARER"), ("X-Authorization", "$POP")]),
        ("GET", "/nowhere", "", []),
    ]
    for method, target, body, headers in requests:
        for tamper in (b"0", b"1", b"2"):
            fields = [b"s", method.encode(), target.encode(), body.encode(), tamper] + pairs(headers)
            corpus.add("gateway", FIELD.join(fields))
    raw = [
        b"GET /iot-connectivity/v1/devices/8901260000000000019 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /commerce/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
        b"POST /commerce/v1/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        b"GET / HTTP/1.0\r\n\r\n",
    ]
    for request in raw:
        corpus.add("gateway", b"r" + FIELD + request)


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus"
    corpus = Corpus(out)
    token_seeds(corpus)
    validator_seeds(corpus)
    key_seeds(corpus)
    request_seeds(corpus)
    gateway_seeds(corpus)
    backend_seeds(corpus)
    for target, count in sorted(corpus.counts.items()):
        print(f"{target}: {count} seeds")


if __name__ == "__main__":
    main()
