"""taap.explain: a token diagnosed against the request as sent, as `taap doctor --json` does."""

from __future__ import annotations

import hashlib
import base64
import json

import pytest

import taap

IAT = 1767225600
SECRET = "Bearer s3cr3t-access-token-value"


def edts(*values: str) -> str:
    """edts computed here, independently of taap: base64url SHA-256 of the values joined."""
    digest = hashlib.sha256("".join(values).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed(key: taap.PrivateKey, ehts: list) -> str:
    return taap.PopToken.build(key, ehts, iat=IAT, jti="4a2c0e6e-2f1b-4c59-9a7e-1d1d2f3a4b5c")


def test_a_token_for_the_request_as_sent_is_valid(docs_key: taap.PrivateKey) -> None:
    ehts = [("Authorization", SECRET), ("uri", "/a?q=a b"), ("http-method", "GET"), ("body", "")]
    token = signed(docs_key, ehts)
    result = taap.explain(
        token, "GET", "https://h/a?q=a%20b", [("Authorization", SECRET)], public_key=docs_key.public_key(), now=IAT + 5
    )
    assert result["valid"] is True
    assert result["problems"] == []
    assert result["signature"] == "valid"
    assert result["edts"] == {"claimed": edts(SECRET, "/a?q=a b", "GET", ""), "computed": edts(SECRET, "/a?q=a b", "GET", ""), "matches": True}
    assert [entry["name"] for entry in result["entries"]] == ["Authorization", "uri", "http-method", "body"]
    assert result["time"]["expires_in"] == 115
    assert SECRET not in json.dumps(result)
    assert "s3cr3t" not in json.dumps(result)


@pytest.mark.parametrize(
    ("variant", "ehts", "url", "headers", "body"),
    [
        ("uri-encoded", [("uri", "/a?q=a%20b"), ("http-method", "GET"), ("body", "")], "https://h/a?q=a%20b", [], ""),
        ("query-dropped", [("uri", "/a"), ("http-method", "GET"), ("body", "")], "https://h/a?x=1", [], ""),
        ("method-case", [("uri", "/a"), ("http-method", "get"), ("body", "")], "/a", [], ""),
        ("body-trailing-newline", [("uri", "/a"), ("http-method", "GET"), ("body", "{}\n")], "/a", [], "{}"),
    ],
)
def test_a_signer_variant_is_named_by_its_id(
    docs_key: taap.PrivateKey, variant: str, ehts: list, url: str, headers: list, body: str
) -> None:
    token = signed(docs_key, ehts)
    result = taap.explain(token, "GET", url, headers, body, now=IAT)
    assert result["valid"] is False
    assert result["edts"]["matches"] is False
    assert result["variant"]["id"] == variant
    assert result["signature"] == "not-checked"


def test_an_expired_token_reports_the_clock_offset(docs_key: taap.PrivateKey) -> None:
    token = signed(docs_key, [("uri", "/a"), ("http-method", "GET"), ("body", "")])
    result = taap.explain(token, "GET", "/a", now=IAT + 1000)
    assert result["valid"] is False
    assert result["time"]["ok"] is False
    assert result["time"]["expires_in"] == 120 - 1000


def test_bad_input_is_a_typed_error() -> None:
    with pytest.raises(taap.InvalidTokenError):
        taap.explain("not-a-token", "GET", "/a")
    with pytest.raises(TypeError):
        taap.explain("a.b.c", "GET", "/a", public_key="not a key")  # type: ignore[arg-type]
