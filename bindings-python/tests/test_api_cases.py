"""The API behaviour suite, tests/api/cases.json: every case (client and validator) through the
Python API, asserting the exact settings it shows or the exact error class and message."""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, List

import pytest

import taap
from conftest import DOCS_KEY, REPO_TESTS

CASES: List[Dict[str, Any]] = json.loads((REPO_TESTS / "api" / "cases.json").read_text(encoding="utf-8"))["cases"]
#: How many cases ran, checked at the end so that none can be lost to a filter.
RAN: List[str] = []


def build(case: Dict[str, Any]) -> Callable[[], Any]:
    """What the case builds: a client (id "id", secret "secret", the docs' key) or a validator."""
    options = case["options"]
    if case["group"] == "client":
        return lambda: taap.TaapClient("id", "secret", taap.PrivateKey.from_file(DOCS_KEY), **options)
    assert case["group"] == "validator", f"unknown group {case['group']!r}"
    return lambda: taap.PopTokenValidator(**options)


def error_class(kind: str) -> type:
    """The exception class of a core error kind: ``Config`` is ``taap.ConfigError``."""
    return getattr(taap, f"{kind}Error")  # type: ignore[no-any-return]


SCHEMA: List[Dict[str, Any]] = taap.settings_schema()


def message(case: Dict[str, Any]) -> str:
    """The case's message with each ``{name}`` as Python writes that option (the schema's snake
    ``name``) and ``{client options}`` / ``{validator options}`` as the group's names in the
    schema's order joined by ", "."""
    text: str = case["message"]
    for group in ("client", "validator"):
        names = ", ".join(setting["name"] for setting in SCHEMA if setting["group"] == group)
        text = text.replace("{" + group + " options}", names)
    for setting in SCHEMA:
        text = text.replace("{" + setting["name"] + "}", setting["name"])
    return text


def same(shown: Any, expected: Any) -> bool:
    """JSON equality where 10 == 10.0 but never True == 1, dicts in the same order."""
    if isinstance(shown, bool) or isinstance(expected, bool):
        return type(shown) is type(expected) and shown == expected
    if isinstance(shown, (int, float)) and isinstance(expected, (int, float)):
        return float(shown) == float(expected)
    if isinstance(shown, list) and isinstance(expected, list):
        return len(shown) == len(expected) and all(same(a, b) for a, b in zip(shown, expected))
    if isinstance(shown, dict) and isinstance(expected, dict):
        return list(shown) == list(expected) and all(same(shown[name], expected[name]) for name in expected)
    return type(shown) is type(expected) and shown == expected


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: Dict[str, Any]) -> None:
    RAN.append(case["name"])
    if "error" in case:
        with pytest.raises(error_class(case["error"])) as raised:
            build(case)()
        assert type(raised.value) is error_class(case["error"])
        expected = message(case)
        assert re.search(r"\{[a-z][a-z_ ]*\}", expected) is None, f"a placeholder the schema does not fill: {expected}"
        assert str(raised.value) == expected
        return
    settings = build(case)().settings
    for name, expected in case["settings"].items():
        assert name in settings, f"{name} is not in the settings view"
        assert same(settings[name], expected), f"{name}: shown {settings[name]!r}, expected {expected!r}"


def test_every_case_ran() -> None:
    assert len(CASES) > 0
    assert sorted(RAN) == sorted(case["name"] for case in CASES), "run the whole module: every case must run"


def test_both_groups_and_both_outcomes_are_covered() -> None:
    kinds = {(case["group"], "error" in case) for case in CASES}
    assert kinds == {("client", True), ("client", False), ("validator", True), ("validator", False)}
