"""The declared options against the core's settings schema: the stub's keyword blocks and the
run-time signatures of ``TaapClient`` and ``PopTokenValidator`` are generated from it
(scripts/generate_declarations.py), and each shows every option of its group with the schema's
default, none extra; the middleware's defaults are the schema's too."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import taap
from taap import asgi, wsgi

PACKAGE = Path(__file__).resolve().parents[1]
STUB = PACKAGE / "python" / "taap" / "_taap.pyi"
#: Arguments that are not settings: the credentials and the handles (key material, a native policy).
NOT_SETTINGS = {
    "TaapClient": ["client_id", "client_secret", "key", "password", "sign_policy"],
    "PopTokenValidator": [],
}
GROUPS = {"TaapClient": "client", "PopTokenValidator": "validator"}


def schema_defaults(group: str) -> Dict[str, Any]:
    return {setting["name"]: setting["default"] for setting in taap.settings_schema() if setting["group"] == group}


def exactly(value: Any) -> Any:
    """A value with its type, so that True differs from 1 and 10 from 10.0; tuples read as lists."""
    if isinstance(value, (list, tuple)):
        return ("list", [exactly(item) for item in value])
    return (type(value).__name__, value)


def stub_defaults(class_name: str) -> Dict[str, Any]:
    """The stub's ``__new__`` parameters of ``class_name`` and their defaults (literal values)."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    cls = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name)
    new = next(node for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == "__new__")
    arguments = new.args
    positional = arguments.args[1:]  # cls
    padded = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    defaults: Dict[str, Any] = {}
    for argument, default in [*zip(positional, padded), *zip(arguments.kwonlyargs, arguments.kw_defaults)]:
        defaults[argument.arg] = inspect.Parameter.empty if default is None else ast.literal_eval(default)
    return defaults


def runtime_defaults(class_name: str) -> Dict[str, Any]:
    """The run-time signature's parameters and defaults (what ``help()`` and stubtest read)."""
    signature = inspect.signature(getattr(taap, class_name))
    return {name: parameter.default for name, parameter in signature.parameters.items()}


@pytest.mark.parametrize("class_name", ["TaapClient", "PopTokenValidator"])
@pytest.mark.parametrize("read", [stub_defaults, runtime_defaults], ids=["stub", "runtime"])
def test_every_option_of_the_group_with_the_schema_default(class_name: str, read: Any) -> None:
    declared = read(class_name)
    options = {name: default for name, default in declared.items() if name not in NOT_SETTINGS[class_name]}
    expected = schema_defaults(GROUPS[class_name])
    assert sorted(options) == sorted(expected), "every option of the group, none extra"
    for name, default in expected.items():
        assert exactly(options[name]) == exactly(default), f"{class_name} {name}: declared {options[name]!r}, schema {default!r}"
    handles = [name for name in declared if name in NOT_SETTINGS[class_name]]
    assert handles == NOT_SETTINGS[class_name]


def test_the_generated_blocks_are_what_the_schema_gives() -> None:
    script = PACKAGE / "scripts" / "generate_declarations.py"
    run = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


def test_the_middleware_defaults_are_the_schema_defaults() -> None:
    middleware = schema_defaults("middleware")
    validator = schema_defaults("validator")
    assert list(middleware) == ["max_body", "client_id_header", "replay_store"]
    for cls in (asgi.PopMiddleware, wsgi.PopMiddleware):
        parameters = inspect.signature(cls).parameters
        for name, default in [*middleware.items(), ("leeway", validator["leeway"]), ("max_age", validator["max_age"])]:
            assert exactly(parameters[name].default) == exactly(default), f"{cls.__module__} {name}"
        assert parameters["required"].default == ("uri", "http-method")
    resolved = {key: value for key, value in middleware.items() if key != "replay_store"}
    resolved.update(leeway=validator["leeway"], max_age=validator["max_age"], required=["uri", "http-method"])
    resolved.update(replay_cache=taap.DEFAULT_REPLAY_CAPACITY, shared_replay_store=None)
    assert taap._taap.middleware_settings() == resolved
    shared = taap._taap.middleware_settings(replay_store="redis://127.0.0.1:6379/3")
    assert (shared["replay_cache"], shared["shared_replay_store"]) == (None, "redis://127.0.0.1:6379/3")
    assert taap._taap.middleware_settings(replay_store=False)["replay_cache"] is None


def test_the_schema_is_data_and_a_fresh_copy_each_time() -> None:
    schema: List[Dict[str, Any]] = taap.settings_schema()
    assert schema[6] == {
        "name": "max_retries",
        "camel": "maxRetries",
        "group": "client",
        "kind": "count",
        "default": 2,
        "min": 0.0,
        "min_exclusive": False,
        "max": 10.0,
        "doc": "retries of connection failures, 429 and 5xx answers (0: never retry)",
        "secret": False,
    }
    assert [setting["name"] for setting in schema if setting["secret"]] == ["headers", "token_store", "replay_store"]
    schema.clear()
    assert len(taap.settings_schema()) == len({setting["name"] for setting in taap.settings_schema()}) > 0
