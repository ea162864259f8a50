"""PoP token throughput: taap against PyJWT + cryptography, in one run.

    python bench/bench.py [--seconds 1] [--rounds 5]

Rows: a loaded key object; the PEM text handed over on every call (how T-Mobile's
libraries are used); taap on 1 and 2 threads; `openssl speed rsa2048` as the ceiling.
Rows are measured in interleaved rounds and each reports its best round, so that other
load on the machine hits every row alike instead of skewing the ratios.
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
from typing import Callable, Dict, NamedTuple, Optional, Tuple

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


class Rate(NamedTuple):
    """Throughput of one measurement."""

    per_cpu_second: float  # calls per CPU-second of the calling threads: immune to other load
    per_wall_second: float  # calls per elapsed second: what threads gain, when cores are free


def rate(work: Callable[[], object], seconds: float, threads: int = 1) -> Rate:
    """Runs `work` on `threads` threads for `seconds`."""
    work()
    calls = [0] * threads
    cpu = [0.0] * threads
    start = threading.Barrier(threads + 1)
    deadline = [0.0]

    def loop(index: int) -> None:
        start.wait()
        began = time.thread_time()
        done = 0
        while time.perf_counter() < deadline[0]:
            work()
            done += 1
        calls[index], cpu[index] = done, time.thread_time() - began

    workers = [threading.Thread(target=loop, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for worker in workers:
        worker.join()
    return Rate(sum(calls) / sum(cpu), sum(calls) / (time.perf_counter() - began))


def openssl_sign_rate() -> Optional[float]:
    """`openssl speed rsa2048` signatures per second on one core, when openssl is installed."""
    if shutil.which("openssl") is None:
        return None
    output = subprocess.run(
        ["openssl", "speed", "-seconds", "1", "rsa2048"], capture_output=True, text=True
    ).stdout
    match = re.search(r"^rsa\s+2048 bits\s+\S+s\s+\S+s\s+([\d.]+)", output, re.MULTILINE)
    return float(match.group(1)) if match else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="duration of one row in one round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; each row keeps its best")
    arguments = parser.parse_args()
    seconds, rounds = arguments.seconds, arguments.rounds

    key = taap.PrivateKey.generate(2048)
    pem = key.to_pem()
    loaded = serialization.load_pem_private_key(pem.encode(), password=None)

    rows: Dict[str, Tuple[Callable[[], object], int]] = {
        "PyJWT + cryptography, loaded key": (lambda: pyjwt_token(loaded), 1),
        "PyJWT + cryptography, PEM per call": (lambda: pyjwt_token(pem), 1),
        "taap PopToken.build, PrivateKey": (lambda: taap.PopToken.build(key, EHTS), 1),
        "taap PopToken.build, PEM per call": (lambda: taap.PopToken.build(pem, EHTS), 1),
        "taap PopToken.build, PrivateKey, 2 threads": (lambda: taap.PopToken.build(key, EHTS), 2),
    }
    cpu: Dict[str, float] = dict.fromkeys(rows, 0.0)
    wall: Dict[str, float] = dict.fromkeys(rows, 0.0)
    openssl: Optional[float] = None
    for _ in range(rounds):
        for name, (work, threads) in rows.items():
            measured = rate(work, seconds, threads)
            cpu[name] = max(cpu[name], measured.per_cpu_second)
            wall[name] = max(wall[name], measured.per_wall_second)
        signs = openssl_sign_rate()
        if signs is not None:
            openssl = max(openssl or 0.0, signs)

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"taap {taap.__version__}, {os.cpu_count()} CPUs (load average {load}), best of {rounds} rounds of {seconds:g} s")
    print(f"  {'':<46} {'per CPU-second':>15} {'per second':>12}")
    for name in rows:
        print(f"  {name:<46} {cpu[name]:>15,.0f} {wall[name]:>12,.0f}")
    if openssl is not None:
        print(f"  {'openssl speed rsa2048 (sign/s, user CPU time)':<46} {openssl:>15,.0f}")
    single = "taap PopToken.build, PrivateKey"
    print("ratios (per CPU-second; threads per second)")
    print(f"  taap / PyJWT, loaded key:    {cpu[single] / cpu['PyJWT + cryptography, loaded key']:8.2f}x")
    pem_ratio = cpu["taap PopToken.build, PEM per call"] / cpu["PyJWT + cryptography, PEM per call"]
    print(f"  taap / PyJWT, PEM per call:  {pem_ratio:8.1f}x")
    print(f"  taap 2 threads / 1 thread:   {wall['taap PopToken.build, PrivateKey, 2 threads'] / wall[single]:8.2f}x")
    if openssl is not None:
        print(f"  taap / openssl speed:        {cpu[single] / openssl:8.2f}x")


if __name__ == "__main__":
    main()
