"""Bad input of every kind gets a clear typed error: never a crash, a hang or a panic."""

from __future__ import annotations

from typing import Any

import pytest

import taap

URL = "https://api.t-mobile.com/x"


@pytest.mark.parametrize(
    ("ehts", "message"),
    [
        (None, "ehts must be a dict or a sequence of (name, value) pairs, not NoneType"),
        (5, "ehts must be a dict or a sequence of (name, value) pairs, not int"),
        ("uri", "ehts must be a dict or a sequence of (name, value) pairs, not str"),
        (b"uri", "ehts must be a dict or a sequence of (name, value) pairs, not bytes"),
        ([("uri",)], "ehts entry 0 must be a (name, value) pair, not tuple"),
        ([("a", "b", "c")], "ehts entry 0 must be a (name, value) pair, not tuple"),
        (["ab"], "ehts entry 0 must be a (name, value) pair, not str"),
        ([5], "ehts entry 0 must be a (name, value) pair, not int"),
        ({5: "x"}, "the name of ehts entry 0 must be str or bytes, not int"),
        ({"uri": 5}, "the value of ehts entry 0 (\"uri\") must be str or bytes, not int"),
        ({"uri": None}, "the value of ehts entry 0 (\"uri\") must be str or bytes, not NoneType"),
        ([("uri", "/"), (None, "x")], "the name of ehts entry 1 must be str or bytes, not NoneType"),
    ],
)
def test_wrong_ehts_types_are_type_errors(key: taap.PrivateKey, ehts: Any, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        taap.PopToken.build(key, ehts)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("ehts", "message"),
    [
        ({}, "no entries"),
        ({"": "x"}, "entry 0 has a blank name"),
        ({"  ": "x"}, "entry 0 has a blank name"),
        ([("uri", "/"), ("uri", "/x")], "repeats the name of entry 0"),
        ({"a;b": "x"}, "contains ';'"),
        ({f"h{i}": "" for i in range(101)}, "one too many"),
        ([(b"\xff\xfe", "x")], "the name of ehts entry 0 is not valid UTF-8"),
        ({"\udcff": "x"}, "the name of ehts entry 0 is not valid Unicode"),
        ({"uri": "\ud800"}, "the value of ehts entry 0 (\"uri\") is not valid Unicode"),
    ],
)
def test_ehts_rule_breaks_are_invalid_ehts_errors(key: taap.PrivateKey, ehts: Any, message: str) -> None:
    with pytest.raises(taap.InvalidEhtsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        taap.PopToken.build(key, ehts)


def test_huge_and_empty_values_are_signed(key: taap.PrivateKey) -> None:
    huge = b"x" * (64 * 1024 * 1024)
    token = taap.PopToken.build(key, {"body": huge, "empty": b""})
    assert taap.PopTokenValidator().validate(token, key.public_key(), {"body": huge, "empty": ""}).ehts == ("body", "empty")
    long_name = "n" * 10_000
    assert taap.PopToken.decode(taap.PopToken.build(key, {long_name: "v"})).ehts == (long_name,)


@pytest.mark.parametrize(
    ("key_argument", "error"),
    [(None, TypeError), (5, TypeError), (object(), TypeError), ("", taap.InvalidKeyError), (b"\x30\x03\x02\x01\x00", taap.InvalidKeyError)],
)
def test_bad_signing_keys(key_argument: Any, error: type) -> None:
    with pytest.raises(error):
        taap.PopToken.build(key_argument, {"uri": "/"})


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"ttl": "120"}, TypeError, "ttl must be an int, not str"),
        ({"ttl": 1.5}, TypeError, "ttl must be an int, not float"),
        ({"ttl": True}, TypeError, "ttl must be an int, not bool"),
        ({"ttl": 2**64}, taap.ConfigError, "ttl is out of range"),
        ({"iat": -1}, taap.ConfigError, "not a valid epoch time"),
        ({"iat": "now"}, TypeError, "iat must be an int, not str"),
        ({"jti": ""}, taap.ConfigError, "jti must be 1 to 256 bytes long"),
        ({"jti": "j" * 257}, taap.ConfigError, "jti must be 1 to 256 bytes long"),
        ({"jti": 5}, TypeError, "jti must be a str, not int"),
        ({"password": 5}, TypeError, "password must be str or bytes, not int"),
    ],
)
def test_bad_build_options(key: taap.PrivateKey, options: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        taap.PopToken.build(key, {"uri": "/"}, **options)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (("GET", None), TypeError, "url must be a str, not NoneType"),
        ((None, URL), TypeError, "method must be a str, not NoneType"),
        (("GET", b"/x"), TypeError, "url must be a str, not bytes"),
        (("GE T", URL), taap.InvalidEhtsError, "is not an HTTP method"),
        (("", URL), taap.InvalidEhtsError, "is not an HTTP method"),
        (("GET", "ftp://h/x"), taap.InvalidEhtsError, "only http and https"),
        (("GET", "not a url"), taap.InvalidEhtsError, "neither a URL nor a path"),
        (("GET", "https://h/\udcff"), taap.InvalidEhtsError, "url is not valid Unicode"),
    ],
)
def test_bad_requests(key: taap.PrivateKey, arguments: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        taap.PopToken.for_request(key, *arguments)


def test_bad_request_headers_and_bodies(key: taap.PrivateKey) -> None:
    with pytest.raises(TypeError, match="headers must be a dict"):
        taap.PopToken.for_request(key, "GET", URL, headers=5)
    with pytest.raises(taap.InvalidEhtsError, match="repeats the name"):
        taap.PopToken.for_request(key, "GET", URL, headers={"uri": "/y"})
    with pytest.raises(TypeError, match="body must be str or bytes, not dict"):
        taap.PopToken.for_request(key, "POST", URL, body={"a": 1})


@pytest.mark.parametrize("token", [None, 5, ["a.b.c"]])
def test_decode_and_validate_wrong_token_types(key: taap.PrivateKey, token: Any) -> None:
    with pytest.raises(TypeError, match="token must be str or bytes"):
        taap.PopToken.decode(token)
    with pytest.raises(TypeError, match="token must be str or bytes"):
        taap.PopTokenValidator().validate(token, key.public_key(), {})


def test_decode_non_ascii_bytes_and_surrogates_are_invalid_tokens() -> None:
    with pytest.raises(taap.InvalidTokenError):
        taap.PopToken.decode(b"\xff.\xff.\xff")
    with pytest.raises(taap.InvalidTokenError):
        taap.PopToken.decode("\udcff.a.b")


def test_validate_wrong_argument_types(key: taap.PrivateKey) -> None:
    token = taap.PopToken.build(key, {"uri": "/"})
    validator = taap.PopTokenValidator()
    with pytest.raises(TypeError, match="public_key must be a PublicKey, not PrivateKey"):
        validator.validate(token, key, {"uri": "/"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ehts must be a dict"):
        validator.validate(token, key.public_key(), None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="now must be an int"):
        validator.validate(token, key.public_key(), {"uri": "/"}, now="soon")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"leeway": "10"}, "option leeway must be a whole number of seconds, not a string"),
        ({"required": "uri"}, "option required must be a list of strings, not a string"),
        ({"required": [5]}, "option required must be a list of strings, not a list"),
        ({"required": 5}, "option required must be a list of strings, not 5"),
        ({"replay_cache": "yes"}, "option replay_cache must be a whole number, not a string"),
        ({"leeway": float("inf")}, "option leeway must be finite JSON data, without nan, infinity or a value holding itself"),
    ],
)
def test_bad_validator_options_are_config_errors_from_the_schema(options: Any, message: str) -> None:
    with pytest.raises(taap.ConfigError) as raised:
        taap.PopTokenValidator(**options)
    assert str(raised.value) == f"invalid configuration: {message}"


def test_options_json_cannot_hold_are_type_errors_naming_the_option(key: taap.PrivateKey) -> None:
    with pytest.raises(TypeError) as raised:
        taap.PopTokenValidator(required={"uri"})
    assert str(raised.value) == "option required must be JSON data: str, int, float, bool, None, lists and dicts"
    with pytest.raises(TypeError) as raised:
        taap.TaapClient("id", "secret", key, token_body={"a": {1}})
    assert str(raised.value) == "option token_body must be JSON data: str, int, float, bool, None, lists and dicts"


@pytest.mark.parametrize(
    ("loader", "argument", "message"),
    [
        (taap.PrivateKey.from_pem, None, "pem must be str or bytes, not NoneType"),
        (taap.PrivateKey.from_pem, 5, "pem must be str or bytes, not int"),
        (taap.PrivateKey.from_der, "text", "der must be bytes, not str"),
        (taap.PublicKey.from_pem, None, "pem must be str or bytes, not NoneType"),
        (taap.PublicKey.from_der, "text", "der must be bytes, not str"),
        (taap.PublicKey.from_jwk, 5, "jwk must be str, bytes or dict, not int"),
        (taap.PrivateKey.generate, "2048", "bits must be an int, not str"),
    ],
)
def test_key_loaders_reject_wrong_types(loader: Any, argument: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        loader(argument)


def test_key_files_need_a_path() -> None:
    with pytest.raises(TypeError):
        taap.PrivateKey.from_file(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        taap.PublicKey.from_file(5)  # type: ignore[arg-type]


def test_classes_cannot_be_subclassed_or_built_directly() -> None:
    with pytest.raises(TypeError):
        taap.PrivateKey()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        type("Mine", (taap.PopToken,), {})
