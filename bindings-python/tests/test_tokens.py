"""Building, signing requests and decoding: the shapes Python users pass."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections import OrderedDict
from typing import Any, Dict

import pytest

import taap
from conftest import DOCS_BODY, DOCS_HEADERS, DOCS_URL, load_vectors, pairs

FIRST_TOKEN_CASE = load_vectors("tokens.json")["cases"][0]
FIRST_REQUEST_CASE = load_vectors("request.json")["cases"][0]


def payload(token: str) -> Dict[str, Any]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def edts(*values: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(b"".join(values)).digest()).rstrip(b"=").decode()


def test_claims_are_in_tmobile_order_with_fresh_jti_and_default_ttl(key: taap.PrivateKey) -> None:
    before = int(time.time())
    token = taap.PopToken.build(key, {"uri": "/a", "http-method": "GET"})
    claims = payload(token)
    assert list(claims) == ["edts", "v", "exp", "ehts", "iat", "jti"]
    assert claims["ehts"] == "uri;http-method"
    assert claims["edts"] == edts(b"/a", b"GET")
    assert claims["v"] == "1"
    assert before <= claims["iat"] <= int(time.time())
    assert claims["exp"] == claims["iat"] + 120
    assert uuid.UUID(claims["jti"]).version == 4
    assert payload(taap.PopToken.build(key, {"uri": "/a"}))["jti"] != claims["jti"]


def test_dict_pairs_ordered_dict_and_generator_keep_their_order(key: taap.PrivateKey) -> None:
    entries = [("b", "2"), ("a", "1"), ("c", "3")]
    shapes = [dict(entries), OrderedDict(entries), entries, tuple(entries), [list(pair) for pair in entries], iter(entries)]
    for shape in shapes:
        token = taap.PopToken.build(key, shape, iat=1, jti="fixed")
        assert payload(token)["ehts"] == "b;a;c"
        assert payload(token)["edts"] == edts(b"2", b"1", b"3")


def test_bytes_str_and_bytearray_values_sign_the_same_bytes(key: taap.PrivateKey) -> None:
    as_text = taap.PopToken.build(key, {"body": "é€"}, iat=1, jti="j")
    as_bytes = taap.PopToken.build(key, {"body": "é€".encode()}, iat=1, jti="j")
    as_array = taap.PopToken.build(key, {b"body": bytearray("é€".encode())}, iat=1, jti="j")
    assert as_text == as_bytes == as_array
    binary = taap.PopToken.build(key, {"body": b"\xff\x00\xfe"})
    assert payload(binary)["edts"] == edts(b"\xff\x00\xfe")


def test_options_ttl_iat_jti(docs_key: taap.PrivateKey) -> None:
    case = FIRST_TOKEN_CASE
    token = taap.PopToken.build(docs_key, pairs(case["ehts"]), ttl=case["ttl_secs"], iat=case["iat"], jti=case["jti"])
    assert token == case["token"]
    claims = payload(taap.PopToken.build(docs_key, {"uri": "/"}, ttl=30, iat=1000, jti="abc"))
    assert (claims["iat"], claims["exp"], claims["jti"]) == (1000, 1030, "abc")


@pytest.mark.parametrize(("ttl", "message"), [(0, "1 to 3600"), (3601, "1 to 3600"), (-5, "1 to 3600")])
def test_ttl_out_of_range_is_a_config_error(key: taap.PrivateKey, ttl: int, message: str) -> None:
    with pytest.raises(taap.ConfigError, match=message):
        taap.PopToken.build(key, {"uri": "/"}, ttl=ttl)


def test_pem_per_call_as_str_or_bytes_signs_like_the_loaded_key(docs_key: taap.PrivateKey, docs_pem: str) -> None:
    case = FIRST_TOKEN_CASE
    options = dict(ttl=case["ttl_secs"], iat=case["iat"], jti=case["jti"])
    for key in (docs_pem, docs_pem.encode(), docs_key):
        assert taap.PopToken.build(key, pairs(case["ehts"]), **options) == case["token"]  # type: ignore[arg-type]


def test_encrypted_pem_per_call_takes_a_password() -> None:
    from conftest import KEYS

    pem = (KEYS / "tmobile" / "pbes2-aes256-a-private.pem").read_text()
    public = taap.PublicKey.from_file(KEYS / "tmobile" / "pbes2-aes256-a-public.pem")
    token = taap.PopToken.build(pem, {"uri": "/"}, password="foobar")
    taap.PopTokenValidator().validate(token, public, {"uri": "/"})
    with pytest.raises(taap.KeyDecryptError):
        taap.PopToken.build(pem, {"uri": "/"})


def test_password_with_a_loaded_key_is_a_type_error(key: taap.PrivateKey) -> None:
    with pytest.raises(TypeError, match="already decrypted"):
        taap.PopToken.build(key, {"uri": "/"}, password="x")


def test_for_request_matches_the_official_builder_and_its_own_ehts(docs_key: taap.PrivateKey) -> None:
    case = FIRST_REQUEST_CASE
    options = dict(ttl=case["ttl_secs"], iat=case["iat"], jti=case["jti"])
    token = taap.PopToken.for_request(docs_key, case["method"], case["url"], dict(pairs(case["headers"])), case["body"], **options)
    assert token == case["token"]
    by_hand = taap.PopToken.build(
        docs_key,
        [*DOCS_HEADERS, ("uri", "/commerce/v1/orders?account-number=0000000000"), ("http-method", "POST"), ("body", DOCS_BODY)],
        **options,
    )
    assert by_hand == token


def test_for_request_signs_an_empty_body_and_lower_case_methods(key: taap.PrivateKey) -> None:
    for body in (None, b"", ""):
        claims = payload(taap.PopToken.for_request(key, "get", "https://h/p?q=a%20b", body=body))
        assert claims["ehts"] == "uri;http-method;body"
        assert claims["edts"] == edts(b"/p?q=a b", b"GET", b"")


def test_for_request_with_bytes_header_names_and_values(key: taap.PrivateKey) -> None:
    raw = taap.PopToken.for_request(key, "POST", DOCS_URL, [(b"Content-Type", b"application/json")], DOCS_BODY.encode(), iat=5, jti="j")
    text = taap.PopToken.for_request(key, "POST", DOCS_URL, {"Content-Type": "application/json"}, DOCS_BODY, iat=5, jti="j")
    assert raw == text


def test_decode_exposes_claims_header_and_expiry(docs_key: taap.PrivateKey) -> None:
    token = taap.PopToken.build(docs_key, {"uri": "/x", "http-method": "GET"}, ttl=90, iat=1000, jti="the-jti")
    decoded = taap.PopToken.decode(token)
    assert decoded.ehts == ("uri", "http-method")
    assert (decoded.iat, decoded.exp, decoded.jti, decoded.v) == (1000, 1090, "the-jti", "1")
    assert decoded.edts == edts(b"/x", b"GET")
    assert (decoded.alg, decoded.typ) == ("RS256", "JWT")
    assert decoded.token == str(decoded) == token
    assert decoded.expires_in(now=1000) == 90
    assert decoded.expires_in(now=1100) == -10
    assert decoded.expires_in() < 0
    assert taap.PopToken.decode(token.encode()) == decoded
    assert len({decoded, taap.PopToken.decode(token)}) == 1
    assert repr(decoded) == "<PopToken ehts=\"uri;http-method\" iat=1000 exp=1090 jti=\"the-jti\">"


def test_decode_of_a_fresh_token_expires_in_its_ttl(key: taap.PrivateKey) -> None:
    decoded = taap.PopToken.decode(taap.PopToken.build(key, {"uri": "/"}, ttl=100))
    assert 95 <= decoded.expires_in() <= 100


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a.b",
        "a.b.c.d",
        "eyJhbGciOiJub25lIn0.e30.",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
        "x" * (64 * 1024 + 1),
    ],
)
def test_decode_of_malformed_tokens_is_an_invalid_token_error(token: str) -> None:
    with pytest.raises(taap.InvalidTokenError):
        taap.PopToken.decode(token)
