"""A short RSS soak (10 000 builds with validate, decode and error paths mixed in) in a fresh
interpreter: RSS after warm-up must not grow by more than a generous 32 MiB. The full 100 000
run with tighter figures is scripts/rss-soak.sh."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "rss-soak.py"


def test_rss_stays_flat_over_ten_thousand_builds() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "10000", "--max-growth-mib", "32"], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["n"] == 10000
    assert report["rss_end_kib"] - report["rss_after_warm_up_kib"] == report["growth_after_warm_up_kib"]
    assert report["growth_after_warm_up_kib"] <= 32 * 1024
