"""The gateway-side validator: options, every failure kind, replay, values as dict or pairs."""

from __future__ import annotations

from typing import List, Tuple

import pytest

import taap

NOW = 1_700_000_000
VALUES: List[Tuple[str, str]] = [("Content-Type", "application/json"), ("uri", "/orders"), ("http-method", "POST"), ("body", "{}")]


@pytest.fixture(scope="module")
def token(key: taap.PrivateKey) -> str:
    return taap.PopToken.build(key, VALUES, iat=NOW, jti="jti-1")


def test_defaults_and_repr() -> None:
    validator = taap.PopTokenValidator()
    assert validator.settings == {"leeway": 10, "max_age": 60, "required": [], "replay_cache": None}
    assert repr(validator) == "PopTokenValidator(leeway=10, max_age=60, required=[], replay_cache=None)"
    custom = taap.PopTokenValidator(leeway=0, max_age=30, required=("uri", "http-method"), replay_cache=True)
    expected = {"leeway": 0, "max_age": 30, "required": ["uri", "http-method"], "replay_cache": taap.DEFAULT_REPLAY_CAPACITY}
    assert custom.settings == expected
    assert repr(custom) == f"PopTokenValidator(leeway=0, max_age=30, required=['uri', 'http-method'], replay_cache={taap.DEFAULT_REPLAY_CAPACITY})"


def test_replay_cache_keeps_pythons_flag_meaning() -> None:
    assert taap.PopTokenValidator(replay_cache=True).settings["replay_cache"] == taap.DEFAULT_REPLAY_CAPACITY
    assert taap.PopTokenValidator(replay_cache=False).settings["replay_cache"] is None
    assert taap.PopTokenValidator(replay_cache=None).settings["replay_cache"] is None
    assert taap.PopTokenValidator(replay_cache=5).settings["replay_cache"] == 5


def test_valid_token_returns_the_decoded_token(key: taap.PrivateKey, token: str) -> None:
    decoded = taap.PopTokenValidator().validate(token, key.public_key(), VALUES, now=NOW + 5)
    assert decoded.jti == "jti-1"
    assert decoded.ehts == ("Content-Type", "uri", "http-method", "body")
    assert taap.PopTokenValidator().validate(token, key.public_key(), dict(VALUES), now=NOW) == decoded


def test_extra_values_are_ignored_and_bytes_values_compare_equal(key: taap.PrivateKey, token: str) -> None:
    values = {name.encode(): value.encode() for name, value in VALUES}
    values[b"X-Other"] = b"ignored"
    decoded = taap.PopTokenValidator().validate(token.encode(), key.public_key(), values, now=NOW)
    assert (decoded.jti, decoded.ehts) == ("jti-1", ("Content-Type", "uri", "http-method", "body"))


@pytest.mark.parametrize(
    ("now", "error"),
    [(NOW + 131, taap.TokenExpiredError), (NOW - 11, taap.InvalidTokenError)],
)
def test_time_checks(key: taap.PrivateKey, token: str, now: int, error: type) -> None:
    with pytest.raises(error):
        taap.PopTokenValidator().validate(token, key.public_key(), VALUES, now=now)


def test_max_age_is_a_token_too_old_error(key: taap.PrivateKey, token: str) -> None:
    with pytest.raises(taap.TokenTooOldError, match="issued 71 s ago"):
        taap.PopTokenValidator().validate(token, key.public_key(), VALUES, now=NOW + 71)
    taap.PopTokenValidator(max_age=120).validate(token, key.public_key(), VALUES, now=NOW + 71)


def test_wrong_key_changed_value_and_missing_value(key: taap.PrivateKey, docs_key: taap.PrivateKey, token: str) -> None:
    validator = taap.PopTokenValidator()
    with pytest.raises(taap.SignatureInvalidError):
        validator.validate(token, docs_key.public_key(), VALUES, now=NOW)
    changed = [*VALUES[:3], ("body", "{} ")]
    with pytest.raises(taap.EdtsMismatchError):
        validator.validate(token, key.public_key(), changed, now=NOW)
    with pytest.raises(taap.MissingEhtsValueError, match="entry 3 \\(\"body\"\\)"):
        validator.validate(token, key.public_key(), VALUES[:3], now=NOW)


def test_required_header_names_ignore_case_and_pseudo_names_are_exact(key: taap.PrivateKey, token: str) -> None:
    required = ("uri", "http-method", "CONTENT-TYPE")
    taap.PopTokenValidator(required=required).validate(token, key.public_key(), VALUES, now=NOW)
    with pytest.raises(taap.InvalidTokenError, match="does not sign \"Authorization\""):
        taap.PopTokenValidator(required=["Authorization"]).validate(token, key.public_key(), VALUES, now=NOW)
    # A required "URI" would be met by a header of that name, which the sender chooses.
    for name in ("URI", "Http-Method", "BODY"):
        with pytest.raises(taap.ConfigError, match="in another case"):
            taap.PopTokenValidator(required=[name])


def test_replay_cache_rejects_the_second_use(key: taap.PrivateKey, token: str) -> None:
    validator = taap.PopTokenValidator(replay_cache=True)
    validator.validate(token, key.public_key(), VALUES, now=NOW)
    with pytest.raises(taap.ReplayError, match="already used"):
        validator.validate(token, key.public_key(), VALUES, now=NOW)
    taap.PopTokenValidator().validate(token, key.public_key(), VALUES, now=NOW)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"leeway": -1}, "option leeway is -1; choose 0 to 300 seconds"),
        ({"leeway": 301}, "option leeway is 301; choose 0 to 300 seconds"),
        ({"max_age": 0}, "option max_age is 0; choose 1 to 3600 seconds"),
        ({"replay_cache": 0}, "option replay_cache is 0; choose at least 1"),
        ({"replay_cache": -3}, "option replay_cache is -3; choose at least 1"),
        ({"required": ["a;b"]}, "required names: invalid ehts: entry 0 (\"a;b\") contains ';', which separates names in the ehts claim"),
        ({"leeway": 2**70}, "option leeway must be a whole number of seconds, not 1.1805916207174113e+21"),
        ({"timeout": 5}, "unknown option timeout; the validator takes leeway, max_age, required, replay_cache"),
    ],
)
def test_out_of_range_options_are_config_errors(options: dict, message: str) -> None:
    with pytest.raises(taap.ConfigError) as raised:
        taap.PopTokenValidator(**options)
    assert str(raised.value) == f"invalid configuration: {message}"
