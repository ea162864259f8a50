"""The exception hierarchy is the core's error table: one class per kind, same name, code and text."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

import taap
from taap import _errors, _taap
from taap._testing import raise_error

TABLE = _taap.ERROR_KINDS
STUB = Path(_errors.__file__).with_suffix(".pyi")


def test_the_table_is_the_one_of_the_design_contract() -> None:
    assert len(TABLE) == 14
    assert TABLE[4] == (
        "TokenExpired",
        "TAAP_TOKEN_EXPIRED",
        5,
        "The token's `exp` lies in the past, beyond the leeway.",
    )
    assert [status for _, _, status, _ in TABLE] == list(range(1, 15))


@pytest.mark.parametrize(("name", "code", "status", "description"), TABLE)
def test_every_kind_has_its_class_with_the_core_code_and_description(
    name: str, code: str, status: int, description: str
) -> None:
    error_class = getattr(taap, f"{name}Error")
    assert error_class is getattr(_errors, f"{name}Error")
    assert issubclass(error_class, taap.TaapError)
    assert error_class.__name__ == f"{name}Error"
    assert error_class.__module__ == "taap._errors"
    assert error_class.code == code
    assert error_class.__doc__ == description
    assert f"{name}Error" in taap.__all__


def test_the_exports_are_exactly_the_table_classes() -> None:
    expected = ["TaapError", *(f"{name}Error" for name, *_ in TABLE)]
    assert _errors.__all__ == expected
    assert [name for name in taap.__all__ if name.endswith("Error")] == expected
    assert sorted(cls.__name__ for cls in taap.TaapError.__subclasses__()) == sorted(expected[1:])


def stub_classes() -> List[Tuple[str, Optional[str], Optional[str]]]:
    """``(class name, docstring, code literal)`` of every class ``_errors.pyi`` declares."""
    classes = []
    for node in ast.parse(STUB.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ClassDef):
            continue
        code = None
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.target.id == "code":
                literals = [n.value for n in ast.walk(item.annotation) if isinstance(n, ast.Constant)]
                code = literals[0] if literals else None
        classes.append((node.name, ast.get_docstring(node), code))
    return classes


def test_the_stub_declares_every_kind_with_the_core_code_and_description() -> None:
    expected = [(f"{name}Error", description, code) for name, code, _, description in TABLE]
    declared = stub_classes()
    assert declared[0] == ("TaapError", taap.TaapError.__doc__, None)
    assert declared[1:] == expected


def test_invalid_ehts_is_also_a_value_error() -> None:
    assert issubclass(taap.InvalidEhtsError, ValueError)
    assert issubclass(taap.TaapError, Exception)
    assert not issubclass(taap.TaapError, ValueError)


@pytest.mark.parametrize(("name", "code", "status", "description"), TABLE)
def test_every_core_kind_raises_its_class_with_the_core_message(
    name: str, code: str, status: int, description: str
) -> None:
    with pytest.raises(getattr(taap, f"{name}Error")) as raised:
        raise_error(name, "what went wrong", 503)
    assert type(raised.value) is getattr(taap, f"{name}Error")
    assert raised.value.code == code
    assert "what went wrong" in str(raised.value)


def test_oauth_error_carries_the_http_status() -> None:
    with pytest.raises(taap.OAuthError) as raised:
        raise_error("OAuth", "bad credentials", 401)
    assert raised.value.status == 401
    assert str(raised.value) == "OAuth server answered HTTP 401: bad credentials"
    assert taap.OAuthError("x").status is None


def test_the_test_hook_is_not_on_the_public_modules() -> None:
    assert not hasattr(_taap, "_raise_error")
    assert not any("raise" in name for name in dir(_taap))
    assert "_testing" not in taap.__all__
    with pytest.raises(ValueError, match='unknown error kind "Nope"'):
        raise_error("Nope", "x")


def test_exceptions_survive_pickling() -> None:
    original = taap.TokenExpiredError("late")
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is taap.TokenExpiredError and copy.args == ("late",)


def test_real_operations_raise_the_documented_classes(key: taap.PrivateKey) -> None:
    with pytest.raises(taap.InvalidKeyError):
        taap.PrivateKey.from_pem("garbage")
    with pytest.raises(taap.InvalidEhtsError):
        taap.PopToken.build(key, {})
    with pytest.raises(ValueError):
        taap.PopToken.build(key, {"a;b": "x"})
    with pytest.raises(taap.InvalidTokenError):
        taap.PopToken.decode("x.y.z")
    with pytest.raises(taap.ConfigError):
        taap.PopTokenValidator(leeway=-1)
