"""Every case of the shared conformance vectors, run the way the Rust suite runs them."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

import taap
from conftest import KEYS, load_vectors, pairs

TOKENS = load_vectors("tokens.json")
REQUESTS = load_vectors("request.json")
VALIDATOR = load_vectors("validator.json")
KEY_FORMS = load_vectors("keys.json")


def case_id(case: Dict[str, Any]) -> str:
    return str(case.get("name") or case.get("file"))


def private_key(case: Dict[str, Any]) -> taap.PrivateKey:
    return taap.PrivateKey.from_file(KEYS / case["key"], case["password"])


def outcome(action: Any) -> str:
    """ "ok", or the core's kind name of the raised error (the class name without "Error")."""
    try:
        action()
    except taap.TaapError as error:
        name = type(error).__name__
        assert name.endswith("Error")
        return name[: -len("Error")]
    return "ok"


def test_the_vector_files_are_not_empty() -> None:
    assert len(TOKENS["cases"]) >= 50
    assert REQUESTS["cases"] and VALIDATOR["cases"]
    assert KEY_FORMS["private_keys"] and KEY_FORMS["public_keys"]


@pytest.mark.parametrize("case", TOKENS["cases"], ids=case_id)
def test_tokens_are_byte_identical_to_the_official_builder(case: Dict[str, Any]) -> None:
    token = taap.PopToken.build(
        private_key(case), pairs(case["ehts"]), ttl=case["ttl_secs"], iat=case["iat"], jti=case["jti"]
    )
    assert token == case["token"]


@pytest.mark.parametrize("case", TOKENS["cases"], ids=case_id)
def test_a_dict_of_the_same_ehts_gives_the_same_token(case: Dict[str, Any]) -> None:
    ehts = dict(pairs(case["ehts"]))
    token = taap.PopToken.build(private_key(case), ehts, ttl=case["ttl_secs"], iat=case["iat"], jti=case["jti"])
    assert token == case["token"]


@pytest.mark.parametrize("case", REQUESTS["cases"], ids=case_id)
def test_request_signer_matches_the_official_builder(case: Dict[str, Any]) -> None:
    token = taap.PopToken.for_request(
        private_key(case),
        case["method"],
        case["url"],
        pairs(case["headers"]),
        case["body"],
        ttl=case["ttl_secs"],
        iat=case["iat"],
        jti=case["jti"],
    )
    assert token == case["token"]
    decoded = taap.PopToken.decode(token)
    assert ";".join(decoded.ehts) == case["expected_ehts"]


def validator_for(case: Dict[str, Any]) -> taap.PopTokenValidator:
    options = case["options"]
    defaults = VALIDATOR["defaults"]
    return taap.PopTokenValidator(
        leeway=options.get("leeway_secs", defaults["leeway_secs"]),
        max_age=options.get("max_age_secs", defaults["max_age_secs"]),
        required=options.get("required", ()),
        replay_cache=options.get("replay_cache") or False,
    )


@pytest.mark.parametrize("case", VALIDATOR["cases"], ids=case_id)
def test_validator_cases_give_the_prescribed_outcome(case: Dict[str, Any]) -> None:
    validator = validator_for(case)
    public_key = taap.PublicKey.from_file(KEYS / case["public_key"])
    values = pairs(case["ehts"])

    def validate() -> taap.PopToken:
        return validator.validate(case["token"], public_key, values, now=case["now"])

    assert outcome(validate) == case["expect"]
    if "repeat_expect" in case:
        assert outcome(validate) == case["repeat_expect"]


@pytest.mark.parametrize("case", VALIDATOR["cases"], ids=case_id)
def test_every_error_kind_named_in_the_vectors_has_a_class(case: Dict[str, Any]) -> None:
    for expected in (case["expect"], case.get("repeat_expect", "ok")):
        assert expected == "ok" or issubclass(getattr(taap, expected + "Error"), taap.TaapError)


def load_private(case: Dict[str, Any]) -> Optional[taap.PrivateKey]:
    return taap.PrivateKey.from_file(KEYS / case["file"], case["password"])


@pytest.mark.parametrize("case", KEY_FORMS["private_keys"], ids=lambda case: f"{case['file']}-{case['password']}")
def test_every_private_key_form_loads_to_the_prescribed_key(case: Dict[str, Any]) -> None:
    assert outcome(lambda: load_private(case)) == case["expect"]
    if case["expect"] == "ok" and case.get("same_public_key_as"):
        loaded = load_private(case)
        assert loaded is not None
        assert loaded.public_key() == taap.PublicKey.from_file(KEYS / case["same_public_key_as"])


@pytest.mark.parametrize("case", KEY_FORMS["public_keys"], ids=case_id)
def test_every_public_key_form_loads_to_the_prescribed_key(case: Dict[str, Any]) -> None:
    assert outcome(lambda: taap.PublicKey.from_file(KEYS / case["file"])) == case["expect"]
    if case["expect"] == "ok" and case.get("same_public_key_as"):
        same = taap.PublicKey.from_file(KEYS / case["same_public_key_as"])
        assert taap.PublicKey.from_file(KEYS / case["file"]) == same
