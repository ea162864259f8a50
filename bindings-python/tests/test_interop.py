"""PyJWT + cryptography, what Python users write by hand today, agree with taap both ways."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

import taap

VALUES = [("Content-Type", "application/json"), ("uri", "/commerce/v1/orders"), ("http-method", "POST"), ("body", '{"orderId": 100}')]


def pyjwt_pop_token(private_pem: bytes, iat: int, jti: str) -> str:
    """The PoP token as T-Mobile's docs tell Python users to build it."""
    digest = hashlib.sha256("".join(value for _, value in VALUES).encode()).digest()
    claims = {
        "edts": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "v": "1",
        "exp": iat + 120,
        "ehts": ";".join(name for name, _ in VALUES),
        "iat": iat,
        "jti": jti,
    }
    key = serialization.load_pem_private_key(private_pem, password=None)
    return jwt.encode(claims, key, algorithm="RS256")


def test_pyjwt_verifies_taap_tokens_and_sees_the_claims(key: taap.PrivateKey) -> None:
    token = taap.PopToken.build(key, VALUES)
    public = serialization.load_pem_public_key(key.public_key().to_pem().encode())
    claims = jwt.decode(token, public, algorithms=["RS256"])
    assert list(claims) == ["edts", "v", "exp", "ehts", "iat", "jti"]
    assert claims["ehts"] == "Content-Type;uri;http-method;body"
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT"}


def test_taap_validates_pyjwt_tokens(key: taap.PrivateKey) -> None:
    now = int(time.time())
    token = pyjwt_pop_token(key.to_pem().encode(), now, str(uuid.uuid4()))
    decoded = taap.PopTokenValidator().validate(token, key.public_key(), VALUES)
    assert decoded.iat == now


def test_same_claims_give_byte_identical_tokens(key: taap.PrivateKey) -> None:
    token = pyjwt_pop_token(key.to_pem().encode(), 1_767_225_600, "d10e897e-3fad-44fe-9cce-6ea6c6b804e9")
    ours = taap.PopToken.build(key, VALUES, iat=1_767_225_600, jti="d10e897e-3fad-44fe-9cce-6ea6c6b804e9")
    assert ours == token


def test_a_pyjwt_token_over_other_values_is_an_edts_mismatch(key: taap.PrivateKey) -> None:
    token = pyjwt_pop_token(key.to_pem().encode(), int(time.time()), "j")
    changed = dict(VALUES, body='{"orderId": 101}')
    with pytest.raises(taap.EdtsMismatchError):
        taap.PopTokenValidator().validate(token, key.public_key(), changed)


def test_cryptography_loads_taap_exports(key: taap.PrivateKey) -> None:
    private = serialization.load_pem_private_key(key.to_pem().encode(), password=None)
    assert private.public_key().public_numbers().n == serialization.load_der_public_key(key.public_key().to_der()).public_numbers().n  # type: ignore[union-attr]
