#!/usr/bin/env python3
"""RSS soak of the Python package: N iterations of PopToken.build in one process, with
validate, decode, for_request and error paths mixed in, RSS read at start, after warm-up and
at the end. Prints one JSON line; exits 1 when RSS grew by more than --max-growth-mib after
warm-up (a leak grows with N; a flat process does not).

    python scripts/rss-soak.py [N] [--max-growth-mib MIB]      (default N = 100000, 8 MiB)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import taap

ROOT = Path(__file__).resolve().parents[1]
KEY = ROOT / "tests" / "keys" / "tmobile" / "readme-private-pkcs8.pem"
OTHER = ROOT / "tests" / "keys" / "openssl" / "pkcs8-private.pem"
VALUES = [("Content-Type", "application/json"), ("Authorization", "Bearer soak"), ("uri", "/x"), ("http-method", "POST")]


def rss_kib() -> int:
    """Resident set size now (Linux /proc), in KiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def iteration(index: int, key: taap.PrivateKey, other: taap.PublicKey, validator: taap.PopTokenValidator) -> None:
    token = taap.PopToken.build(key, VALUES)
    kind = index % 5
    if kind == 0:
        validator.validate(token, key.public_key(), VALUES)
    elif kind == 1:
        assert taap.PopToken.decode(token).ehts == ("Content-Type", "Authorization", "uri", "http-method")
    elif kind == 2:
        try:
            validator.validate(token, other, VALUES)
            raise AssertionError("validated with the wrong key")
        except taap.SignatureInvalidError:
            pass
    elif kind == 3:
        try:
            taap.PopToken.build(key, [("uri", "/a"), ("uri", "/b")])
            raise AssertionError("built with a repeated name")
        except taap.InvalidEhtsError:
            pass
    else:
        taap.PopToken.for_request(key, "POST", "https://api.example.com/x?a=1", {"Content-Type": "text/plain"}, b"body")


def main() -> int:
    parser = argparse.ArgumentParser(description="RSS soak of taap's Python package")
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--max-growth-mib", type=float, default=8.0)
    arguments = parser.parse_args()
    key = taap.PrivateKey.from_file(KEY)
    other = taap.PrivateKey.from_file(OTHER).public_key()
    validator = taap.PopTokenValidator()
    warm_up = max(arguments.n // 10, 1)
    start = rss_kib()
    started = time.monotonic()
    for index in range(warm_up):
        iteration(index, key, other, validator)
    warm = rss_kib()
    for index in range(warm_up, arguments.n):
        iteration(index, key, other, validator)
    end = rss_kib()
    seconds = time.monotonic() - started
    growth = end - warm
    report = {
        "language": "python",
        "n": arguments.n,
        "rss_start_kib": start,
        "rss_after_warm_up_kib": warm,
        "rss_end_kib": end,
        "growth_after_warm_up_kib": growth,
        "seconds": round(seconds, 1),
        "builds_per_second": round(arguments.n / seconds),
    }
    print(json.dumps(report))
    if growth > arguments.max_growth_mib * 1024:
        print(f"rss-soak: RSS grew {growth} KiB after warm-up (limit {arguments.max_growth_mib} MiB)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
