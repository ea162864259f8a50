"""The documentation's Python examples, run as written (the way Rust runs its doctests).

Every fenced ```` ```python ```` block of ``bindings-python/README.md``, of the root README's
"Python" section and of ``docs/*.md`` runs as a program of its own (a fresh interpreter, this
venv's ``taap``) unless its info string marks it ```` ```python fragment ````. Each runs in an
empty temporary folder holding ``keys/private-key.pem`` and ``keys/public-key.pem`` (the
docs' sample pair), with ``TAAP_CLIENT_ID`` and ``TAAP_SECRET`` set, against one local
``taap serve`` that registers that client: its URL replaces ``https://api.t-mobile.com`` and
``https://naas.t-mobile.com`` in the block, and a local ``redis-server`` (password
``password``) replaces ``10.0.0.5:6379``. A block passes when it exits 0 within its time limit
and every API call it made was accepted by the gateway; anything else fails the test, naming
the file, the line and the block's first line. In ``bindings-python/README.md`` a block of
another language that is not marked ``fragment`` fails too: nothing there is left unchecked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

from conftest import KEYS, README_EXAMPLES, REPO_TESTS

ROOT = REPO_TESTS.parent
CLIENT_ID = "readme-client"
SECRET = "readme-secret-5b1f"
REDIS_PASSWORD = "password"
#: The hosts the examples name, and what stands in for them.
API_HOSTS = ("https://api.t-mobile.com", "https://naas.t-mobile.com")
REDIS_HOST = "10.0.0.5:6379"
#: Seconds one example may take.
TIME_LIMIT = 60
#: Where a shared replay store refuses tokens: a Redis younger than the validator's leeway.
LEEWAY = 10


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, whether it is a fragment, its text."""

    path: str
    line: int
    lang: str
    fragment: bool
    text: str

    @property
    def where(self) -> str:
        first = next((line.strip() for line in self.text.splitlines() if line.strip()), "")
        return f"{self.path}:{self.line} (```{self.lang}: {first})"


def fenced_blocks(path: str, section: Optional[str] = None) -> List[Block]:
    """The fenced blocks of ``path`` (relative to the repository), or of its ``## section``."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    blocks: List[Block] = []
    inside: Optional[Tuple[int, str, bool]] = None
    body: List[str] = []
    in_section = section is None
    for number, line in enumerate(lines, start=1):
        if inside is None and section is not None and line.startswith("## "):
            in_section = line[3:].strip() == section
            continue
        if inside is None and line.startswith("```"):
            words = line[3:].split()
            inside = (number, words[0] if words else "text", "fragment" in words[1:])
            body = []
        elif inside is not None and line.strip() == "```":
            if in_section:
                blocks.append(Block(path, inside[0], inside[1], inside[2], "\n".join(body) + "\n"))
            inside = None
        elif inside is not None:
            body.append(line)
    assert inside is None, f"{path}:{inside[0] if inside else 0}: the fence opened here is never closed"
    if section is not None:
        assert any(line == f"## {section}" for line in lines), f"{path} has no section '## {section}'"
    return blocks


def python_blocks() -> Tuple[List[Block], int]:
    """The blocks to run, and how many Python blocks are fragments on purpose."""
    own = fenced_blocks("bindings-python/README.md")
    others = fenced_blocks("README.md", "Python")
    for doc in sorted((ROOT / "docs").glob("*.md")):
        others += fenced_blocks(str(doc.relative_to(ROOT)))
    unmarked = [block.where for block in own if block.lang != "python" and not block.fragment]
    assert not unmarked, f"no runner for these blocks; mark each one `fragment` or make it a python block: {unmarked}"
    python = [block for block in own + others if block.lang == "python"]
    # Fragments: the Python ones everywhere, and every one of this door's README (as bindings-c counts).
    fragments = sum(block.fragment for block in python) + sum(block.fragment for block in own if block.lang != "python")
    return [block for block in python if not block.fragment], fragments


BLOCKS, FRAGMENTS = python_blocks()
README_EXAMPLES["fragments"] = FRAGMENTS


def taap_binary() -> Path:
    """The workspace's ``taap`` (built if need be)."""
    binary = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target") / "release" / "taap"
    if not binary.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "taap-cli"], cwd=ROOT, check=True)
    return binary


class Services:
    """``taap serve`` with the sample key registered, and a ``redis-server`` with a password."""

    def __init__(self, keys: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is not installed: run `bash scripts/setup.sh` (or apt-get install redis-server)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.redis_port = probe.getsockname()[1]
        self.redis_dir = tempfile.mkdtemp(prefix="taap-readme-redis-")
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.redis_dir, "--requirepass", REDIS_PASSWORD],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.redis_started = time.monotonic()
        self.gateway = subprocess.Popen(
            [str(taap_binary()), "serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", "README_SECRET",
             "--public-key", str(keys / "public-key.pem")],
            env={**os.environ, "README_SECRET": SECRET}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self.gateway.stdout is not None
        first = self.gateway.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:"), f"taap serve did not start: {first!r}"
        self.url = first.split()[-1]
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start in 10 s"
                time.sleep(0.02)

    def stats(self) -> Dict[str, int]:
        with urllib.request.urlopen(f"{self.url}/_taap/stats", timeout=5) as answer:
            counters: Dict[str, int] = json.load(answer)
        return counters

    def localise(self, text: str) -> str:
        """The block with the local services in place of the hosts it names."""
        for host in API_HOSTS:
            text = text.replace(host, self.url)
        return text.replace(REDIS_HOST, f"127.0.0.1:{self.redis_port}")

    def redis_ready(self) -> None:
        """A replay store refuses tokens made before Redis started (less the leeway): wait that out."""
        time.sleep(max(0.0, self.redis_started + LEEWAY + 1.5 - time.monotonic()))

    def stop(self) -> None:
        for process in (self.gateway, self.redis):
            process.kill()
            process.wait()
        shutil.rmtree(self.redis_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """The folder the examples run in: only ``keys/`` (the docs' sample pair)."""
    folder = Path(tempfile.mkdtemp(prefix="taap-readme-"))
    (folder / "keys").mkdir()
    shutil.copy(KEYS / "tmobile" / "readme-private-pkcs8.pem", folder / "keys" / "private-key.pem")
    shutil.copy(KEYS / "tmobile" / "readme-public.pem", folder / "keys" / "public-key.pem")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def services(workdir: Path) -> Iterator[Services]:
    running = Services(workdir / "keys")
    yield running
    running.stop()


def test_there_are_examples_to_run() -> None:
    assert len(BLOCKS) >= 5, f"only {len(BLOCKS)} python blocks found: did the READMEs move?"


@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_example_runs_as_written(block: Block, workdir: Path, services: Services) -> None:
    README_EXAMPLES["run"] += 1
    if REDIS_HOST in block.text and "replay_store" in block.text:
        services.redis_ready()
    script = workdir / "example.py"
    script.write_text(services.localise(block.text), encoding="utf-8")
    before = services.stats()
    env = {**os.environ, "TAAP_CLIENT_ID": CLIENT_ID, "TAAP_SECRET": SECRET, "PYTHONWARNINGS": "error::RuntimeWarning"}
    try:
        done = subprocess.run([sys.executable, script.name], cwd=workdir, env=env, capture_output=True, text=True, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{block.where} did not finish in {TIME_LIMIT} s")
    finally:
        for made in workdir.iterdir():
            if made.name != "keys":
                shutil.rmtree(made) if made.is_dir() else made.unlink()
    if done.returncode != 0:
        pytest.fail(f"{block.where} failed (exit status {done.returncode}):\n{done.stdout}{done.stderr}", pytrace=False)
    after = services.stats()
    refused = (after["api_requests"] - before["api_requests"]) - (after["api_accepted"] - before["api_accepted"])
    if refused:
        pytest.fail(f"{block.where}: the gateway refused {refused} of its API calls:\n{done.stdout}{done.stderr}", pytrace=False)


def test_the_substituted_hosts_are_announced() -> None:
    """A document whose examples run against local stand-ins says so (the runner's one sentence)."""
    for block in BLOCKS:
        text = re.sub(r"\s+", " ", (ROOT / block.path).read_text(encoding="utf-8"))
        if any(host in block.text for host in API_HOSTS):
            assert "local `taap serve`" in text, f"{block.where} runs against a local `taap serve`; {block.path} must say so"
        if REDIS_HOST in block.text:
            assert "local `redis-server`" in text, f"{block.where} runs against a local `redis-server`; {block.path} must say so"
