"""The exception hierarchy mirrors the core's error kinds, one class each, with the same code."""

from __future__ import annotations

import pytest

import taap
from taap import _taap

CLASSES = [getattr(taap, name) for name, _ in _taap.ERROR_KINDS]


def test_there_is_one_class_per_core_kind_with_the_core_code() -> None:
    assert len(_taap.ERROR_KINDS) == 13
    for name, code in _taap.ERROR_KINDS:
        error_class = getattr(taap, name)
        assert issubclass(error_class, taap.TaapError)
        assert error_class.code == code
        assert name in taap.__all__
    assert len({cls.code for cls in CLASSES}) == 13


def test_invalid_ehts_is_also_a_value_error() -> None:
    assert issubclass(taap.InvalidEhtsError, ValueError)
    assert issubclass(taap.TaapError, Exception)
    assert not issubclass(taap.TaapError, ValueError)


@pytest.mark.parametrize(("name", "code"), _taap.ERROR_KINDS)
def test_every_core_kind_raises_its_class_with_the_core_message(name: str, code: str) -> None:
    kind = name[: -len("Error")]
    with pytest.raises(getattr(taap, name)) as raised:
        _taap._raise_error(kind, "what went wrong", 503)
    assert type(raised.value) is getattr(taap, name)
    assert raised.value.code == code
    assert "what went wrong" in str(raised.value)


def test_oauth_error_carries_the_http_status() -> None:
    with pytest.raises(taap.OAuthError) as raised:
        _taap._raise_error("OAuth", "bad credentials", 401)
    assert raised.value.status == 401
    assert str(raised.value) == "OAuth server answered HTTP 401: bad credentials"
    assert taap.OAuthError("x").status is None


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
