"""PoP token throughput: taap against PyJWT + cryptography, in one run.

    python bench/bench.py [--seconds 3]

Rows: a loaded key object; the PEM text handed over on every call (how T-Mobile's
libraries are used); taap on 1 and 2 threads; `openssl speed rsa2048` as the ceiling.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from typing import Callable, Dict, Optional

import jwt
from cryptography.hazmat.primitives import serialization

import taap

EHTS = [
    ("Content-Type", "application/json"),
    ("Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"),
    ("uri", "/commerce/v1/orders?account-number=0000000000"),
    ("http-method", "POST"),
    ("body", '{"orderId": 100, "product": "Mobile Phone"}'),
]


def pyjwt_token(key: object) -> str:
    """The PoP token the way T-Mobile's docs tell Python users to build it."""
    digest = hashlib.sha256("".join(value for _, value in EHTS).encode()).digest()
    now = int(time.time())
    claims = {
        "edts": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "v": "1",
        "exp": now + 120,
        "ehts": ";".join(name for name, _ in EHTS),
        "iat": now,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key, algorithm="RS256")  # type: ignore[arg-type]


def rate(work: Callable[[], object], seconds: float, threads: int = 1) -> float:
    """Calls per second of `work`, run on `threads` threads for `seconds`."""
    work()
    counts = [0] * threads
    start = threading.Barrier(threads + 1)
    deadline = [0.0]

    def loop(index: int) -> None:
        start.wait()
        done = 0
        while time.perf_counter() < deadline[0]:
            work()
            done += 1
        counts[index] = done

    workers = [threading.Thread(target=loop, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - began)


def openssl_sign_rate(seconds: int) -> Optional[float]:
    """`openssl speed rsa2048` signatures per second on one core, when openssl is installed."""
    if shutil.which("openssl") is None:
        return None
    output = subprocess.run(
        ["openssl", "speed", "-seconds", str(seconds), "rsa2048"], capture_output=True, text=True
    ).stdout
    match = re.search(r"^rsa\s+2048 bits\s+\S+s\s+\S+s\s+([\d.]+)", output, re.MULTILINE)
    return float(match.group(1)) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each measurement")
    seconds = parser.parse_args().seconds

    key = taap.PrivateKey.generate(2048)
    pem = key.to_pem()
    loaded = serialization.load_pem_private_key(pem.encode(), password=None)

    rates: Dict[str, float] = {
        "PyJWT + cryptography, loaded key": rate(lambda: pyjwt_token(loaded), seconds),
        "PyJWT + cryptography, PEM per call": rate(lambda: pyjwt_token(pem), seconds),
        "taap PopToken.build, PrivateKey": rate(lambda: taap.PopToken.build(key, EHTS), seconds),
        "taap PopToken.build, PEM per call": rate(lambda: taap.PopToken.build(pem, EHTS), seconds),
        "taap PopToken.build, PrivateKey, 2 threads": rate(lambda: taap.PopToken.build(key, EHTS), seconds, threads=2),
    }
    openssl = openssl_sign_rate(max(1, int(seconds)))

    print(f"taap {taap.__version__}, {os.cpu_count()} CPUs, {seconds:g} s per row")
    for name, value in rates.items():
        print(f"  {name:<46} {value:>10,.0f} tokens/s")
    if openssl is not None:
        print(f"  {'openssl speed rsa2048 (sign/s, 1 core)':<46} {openssl:>10,.0f}")
    single = rates["taap PopToken.build, PrivateKey"]
    print("ratios")
    print(f"  taap / PyJWT, loaded key:    {single / rates['PyJWT + cryptography, loaded key']:8.2f}x")
    print(
        f"  taap / PyJWT, PEM per call:  "
        f"{rates['taap PopToken.build, PEM per call'] / rates['PyJWT + cryptography, PEM per call']:8.1f}x"
    )
    print(f"  taap 2 threads / 1 thread:   {rates['taap PopToken.build, PrivateKey, 2 threads'] / single:8.2f}x")
    if openssl is not None:
        print(f"  taap / openssl speed:        {single / openssl:8.2f}x")


if __name__ == "__main__":
    main()
