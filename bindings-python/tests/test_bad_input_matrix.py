"""The Python column of the bad-input matrix (tests/bad-input/, docs/security-testing.md).

Every case runs in its own interpreter (bad_input_cases.py) with a time limit, so that a crash
or a hang is that cell's outcome; the column goes to ``<target dir>/bad-input/python.jsonl``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List

from bad_input_cases import OUTCOME_PREFIX, cases

CASE_TIMEOUT_SECS = 60
HERE = Path(__file__).resolve().parent


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR") or HERE.parents[1] / "target").resolve()


def cell(case_id: str) -> "tuple[str, int]":
    started = time.monotonic()
    try:
        child = subprocess.run(
            [sys.executable, str(HERE / "bad_input_cases.py"), case_id],
            capture_output=True,
            text=True,
            timeout=CASE_TIMEOUT_SECS,
        )
    except subprocess.TimeoutExpired:
        return "hang", int((time.monotonic() - started) * 1000)
    ms = int((time.monotonic() - started) * 1000)
    for line in child.stdout.splitlines():
        if line.startswith(OUTCOME_PREFIX):
            return line[len(OUTCOME_PREFIX) :], ms
    last = (child.stderr.strip().splitlines() or [""])[-1]
    return f"crash: exit {child.returncode} {last}".strip(), ms


def meets(outcome: str, expected: str) -> bool:
    return outcome == expected or (expected.startswith("n/a") and outcome.startswith("n/a"))


def test_every_bad_input_case_gets_its_expected_typed_outcome() -> None:
    rows: List[str] = []
    wrong: List[str] = []
    for case in cases():
        expected = case.get("columns", {}).get("python", case["expect"])
        outcome, ms = cell(case["id"])
        if not meets(outcome, expected):
            wrong.append(f"{case['id']}: got {outcome}, expected {expected}")
        rows.append(json.dumps({"id": case["id"], "column": "python", "outcome": outcome, "expected": expected, "ms": ms}))
    out = target_dir() / "bad-input"
    out.mkdir(parents=True, exist_ok=True)
    (out / "python.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert wrong == []
