"""Shared fixtures: the repository's conformance vectors and keys, and one generated key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import taap

REPO_TESTS = Path(__file__).resolve().parents[2] / "tests"
VECTORS = REPO_TESTS / "vectors"
KEYS = REPO_TESTS / "keys"
DOCS_KEY = KEYS / "tmobile" / "readme-private-pkcs8.pem"

# The request of T-Mobile's docs, used across the tests.
DOCS_URL = "https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000"
DOCS_BODY = '{"orderId": 100, "product": "Mobile Phone"}'
DOCS_HEADERS = [("Content-Type", "application/json"), ("Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS")]


def load_vectors(name: str) -> Dict[str, Any]:
    """One vector file, parsed."""
    with open(VECTORS / name, encoding="utf-8") as file:
        return json.load(file)


def pairs(raw: List[List[str]]) -> List[Tuple[str, str]]:
    """Vector ehts (JSON arrays) as the (name, value) tuples users pass."""
    return [(name, value) for name, value in raw]


@pytest.fixture(scope="session")
def key() -> taap.PrivateKey:
    """A 2048-bit key generated once for the whole run."""
    return taap.PrivateKey.generate()


@pytest.fixture(scope="session")
def docs_key() -> taap.PrivateKey:
    """The sample key from T-Mobile's docs."""
    return taap.PrivateKey.from_file(DOCS_KEY)


@pytest.fixture(scope="session")
def docs_pem() -> str:
    """The docs' sample key as PEM text."""
    return DOCS_KEY.read_text()


#: What tests/test_readme.py ran, for the summary line (``fragments`` is set when it is collected).
README_EXAMPLES: Dict[str, int] = {"run": 0, "fragments": -1}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line for the documentation's examples, as every door's suite prints it."""
    if README_EXAMPLES["fragments"] >= 0:
        terminalreporter.write_line(f"README examples: {README_EXAMPLES['run']} run, {README_EXAMPLES['fragments']} fragments")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under ``make test`` (``TAAP_REFUSE_SKIPS``) a skipped test fails the run: it tested nothing."""
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get("TAAP_REFUSE_SKIPS") and skipped:
        print(f"\n{len(skipped)} test(s) skipped; make test refuses skips (install what they need: scripts/setup.sh)")
        session.exitstatus = 1
