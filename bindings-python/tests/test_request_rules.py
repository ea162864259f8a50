"""The core's request rules through this binding: the signing policy (tests/vectors/policy.json,
tokens from T-Mobile's official builder) in PopAuth for requests and httpx, and the gateway
adapter (tests/vectors/request.json) in PopTokenValidator.validate_request."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import httpx
import pytest
import requests
from requests.structures import CaseInsensitiveDict

import taap
import taap.httpx
import taap.requests
from conftest import load_vectors, pairs

POLICY_CASES: List[Dict[str, Any]] = load_vectors("policy.json")["cases"]
REQUEST_CASES: List[Dict[str, Any]] = load_vectors("request.json")["cases"]


def policy(spec: Dict[str, Any]) -> taap.SignPolicy:
    """The policy a vector describes: ``headers`` or ``all`` (else the default), then ``with``, ``without``."""
    if spec.get("all"):
        built = taap.SignPolicy.all_headers()
    elif "headers" in spec:
        built = taap.SignPolicy.headers(spec["headers"])
    else:
        built = taap.SignPolicy()
    for name in spec.get("with", []):
        built = built.with_header(name)
    for name in spec.get("without", []):
        built = built.without_header(name)
    return built


def pinned(auth: Any, case: Dict[str, Any]) -> Any:
    auth.signer.pinned = {"iat": case["iat"], "jti": case["jti"]}
    return auth


def test_there_are_eleven_policy_cases() -> None:
    assert len(POLICY_CASES) == 11


@pytest.mark.parametrize("case", POLICY_CASES, ids=lambda case: case["name"])
def test_sign_policy_matches_the_official_builder(case: Dict[str, Any], docs_key: taap.PrivateKey) -> None:
    token = policy(case["policy"]).sign(
        docs_key, case["method"], case["url"], pairs(case["headers"]), case["body"],
        ttl=case["ttl_secs"], iat=case["iat"], jti=case["jti"],
    )
    assert token == case["token"]
    assert ";".join(taap.PopToken.decode(token).ehts) == case["expected_ehts"]


def _one_value_per_name(case: Dict[str, Any]) -> bool:
    names = [name.lower() for name, _ in case["headers"]]
    return len(set(names)) == len(names)


#: requests keeps one value per header name, so it cannot send the cases that repeat one.
REQUESTS_CASES = [case for case in POLICY_CASES if _one_value_per_name(case)]


def test_requests_leaves_out_only_the_cases_with_repeated_headers() -> None:
    assert len(POLICY_CASES) - len(REQUESTS_CASES) == 1


@pytest.mark.parametrize("case", REQUESTS_CASES, ids=lambda case: case["name"])
def test_requests_pop_auth_signs_as_the_official_builder(case: Dict[str, Any], docs_key: taap.PrivateKey) -> None:
    prepared = requests.Request(case["method"], case["url"], data=case["body"]).prepare()
    # The vector's headers exactly, without the Content-Length requests adds (an "all"
    # policy would sign it, and the official builder was not given it).
    prepared.headers = CaseInsensitiveDict(pairs(case["headers"]))
    auth = pinned(taap.requests.PopAuth(docs_key, sign_headers=policy(case["policy"]), ttl=case["ttl_secs"]), case)
    signed = auth(prepared)
    assert signed.headers["X-Authorization"] == case["token"]


@pytest.mark.parametrize("case", POLICY_CASES, ids=lambda case: case["name"])
def test_httpx_pop_auth_signs_as_the_official_builder(case: Dict[str, Any], docs_key: taap.PrivateKey) -> None:
    request = httpx.Request(case["method"], case["url"], content=case["body"].encode())
    # As above: only the vector's headers, not the Host and Content-Length httpx adds.
    request.headers = httpx.Headers(pairs(case["headers"]))
    auth = pinned(taap.httpx.PopAuth(docs_key, sign_headers=policy(case["policy"]), ttl=case["ttl_secs"]), case)
    signed = next(auth.auth_flow(request))
    assert signed.headers.get_list("X-Authorization") == [case["token"]]


def test_sign_headers_names_are_the_named_policy(docs_key: taap.PrivateKey) -> None:
    case = next(case for case in POLICY_CASES if case["name"] == "named-in-policy-order")
    auth = pinned(taap.requests.PopAuth(docs_key, sign_headers=case["policy"]["headers"]), case)
    prepared = requests.Request(case["method"], case["url"], data=case["body"]).prepare()
    prepared.headers = CaseInsensitiveDict(pairs(case["headers"]))
    assert auth(prepared).headers["X-Authorization"] == case["token"]
    assert repr(auth).endswith("sign_headers=<SignPolicy X-Partner-Id, content-type, X-Absent>, ttl=120)")


def test_select_picks_in_signing_order_as_sent() -> None:
    sent: List[Tuple[str, Any]] = [
        ("accept", "a"), ("authorization", b"Bearer t"), ("X-Authorization", "old"), ("content-type", " json\t"),
    ]
    assert taap.SignPolicy().select(sent) == [("content-type", "json"), ("authorization", b"Bearer t")]
    assert taap.SignPolicy.all_headers().without_header("AUTHORIZATION").select(sent) == [
        ("accept", "a"), ("content-type", "json"),
    ]
    assert taap.SignPolicy.headers(["X-Authorization", "Accept"]).select({"Accept": "x"}) == [("Accept", "x")]
    assert taap.SignPolicy().select([]) == []


def test_policies_compare_and_show_their_names() -> None:
    assert taap.SignPolicy() == taap.SignPolicy.headers(["Content-Type", "Authorization"])
    assert taap.SignPolicy() != taap.SignPolicy.all_headers()
    assert repr(taap.SignPolicy()) == "<SignPolicy Content-Type, Authorization>"
    assert repr(taap.SignPolicy.all_headers().without_header("Accept")) == "<SignPolicy every header but Accept>"
    assert repr(taap.SignPolicy.headers([])) == "<SignPolicy signs no headers>"
    assert taap.DEFAULT_SIGNED_HEADERS == ("Content-Type", "Authorization")
    assert taap.requests.DEFAULT_SIGNED_HEADERS == taap.DEFAULT_SIGNED_HEADERS
    assert taap.POP_HEADER == "X-Authorization"


def test_bad_policy_input_is_a_typed_error() -> None:
    with pytest.raises(TypeError, match="names"):
        taap.SignPolicy.headers("Content-Type")
    with pytest.raises(TypeError, match="header name"):
        taap.SignPolicy.headers([1])  # type: ignore[list-item]
    for bad in ["", " ", "a;b"]:
        with pytest.raises(taap.ConfigError, match="is not a header name a PoP token can sign"):
            taap.SignPolicy().with_header(bad)
    with pytest.raises(TypeError, match="name"):
        taap.SignPolicy().without_header(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("case", REQUEST_CASES, ids=lambda case: case["name"])
def test_request_uri_and_method_follow_the_vectors(case: Dict[str, Any]) -> None:
    assert taap.request_uri(case["url"]) == case["expected_uri"]
    assert taap.request_method(case["method"]) == case["method"].upper()


def test_request_uri_keeps_non_utf8_bytes_and_bad_input_is_invalid_ehts() -> None:
    assert taap.request_uri("/a?b=%FF").encode("utf-8", "surrogateescape") == b"/a?b=\xff"
    for url in ["", "ftp://h/x", "not a url"]:
        with pytest.raises(taap.InvalidEhtsError):
            taap.request_uri(url)
    with pytest.raises(taap.InvalidEhtsError, match="is not an HTTP method"):
        taap.request_method("GE T")


def received(case: Dict[str, Any], body: str, with_token: bool, public: taap.PublicKey) -> taap.PopToken:
    headers = pairs(case["headers"]) + ([("x-authorization", case["token"])] if with_token else [])
    validator = taap.PopTokenValidator()
    return validator.validate_request(public, case["method"], case["target"], headers, body, now=case["iat"] + 1)


@pytest.mark.parametrize("case", REQUEST_CASES, ids=lambda case: case["name"])
def test_validate_request_accepts_the_vectors_as_sent(case: Dict[str, Any], docs_key: taap.PrivateKey) -> None:
    public = docs_key.public_key()
    assert ";".join(received(case, case["body"], True, public).ehts) == case["expected_ehts"]
    with pytest.raises(taap.EdtsMismatchError):
        received(case, "tampered", True, public)
    with pytest.raises(taap.InvalidTokenError, match="X-Authorization"):
        received(case, case["body"], False, public)


def test_validate_request_takes_a_mapping_and_bytes(docs_key: taap.PrivateKey) -> None:
    case = REQUEST_CASES[0]
    headers = {name.encode(): value.encode() for name, value in case["headers"]}
    headers[b"X-Authorization"] = case["token"].encode()
    target = case["url"].split("t-mobile.com", 1)[1]
    token = taap.PopTokenValidator().validate_request(
        docs_key.public_key(), case["method"], target, headers, case["body"].encode(), now=case["iat"]
    )
    assert token.jti == case["jti"]
    with pytest.raises(TypeError, match="public_key"):
        taap.PopTokenValidator().validate_request("key", "GET", "/")  # type: ignore[arg-type]
    with pytest.raises(taap.InvalidEhtsError, match="neither a path nor an http"):
        taap.PopTokenValidator().validate_request(docs_key.public_key(), "GET", "ftp://h/x")
