"""Key loading, generation, export and the secrecy of key material."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import taap
from conftest import DOCS_KEY, KEYS

ENCRYPTED = KEYS / "tmobile" / "pbes2-aes256-a-private.pem"
ENCRYPTED_PUBLIC = KEYS / "tmobile" / "pbes2-aes256-a-public.pem"
DOCS_PUBLIC = KEYS / "tmobile" / "readme-public.pem"


def test_pem_as_str_and_bytes_and_file_are_the_same_key() -> None:
    text = DOCS_KEY.read_text()
    from_str = taap.PrivateKey.from_pem(text)
    from_bytes = taap.PrivateKey.from_pem(text.encode())
    from_path = taap.PrivateKey.from_file(DOCS_KEY)
    from_str_path = taap.PrivateKey.from_file(str(DOCS_KEY))
    expected = taap.PublicKey.from_file(DOCS_PUBLIC)
    for key in (from_str, from_bytes, from_path, from_str_path):
        assert key.public_key() == expected
        assert key.bits == 2048


def test_encrypted_key_needs_its_password_as_str_or_bytes() -> None:
    expected = taap.PublicKey.from_file(ENCRYPTED_PUBLIC)
    assert taap.PrivateKey.from_file(ENCRYPTED, "foobar").public_key() == expected
    assert taap.PrivateKey.from_pem(ENCRYPTED.read_bytes(), b"foobar").public_key() == expected
    with pytest.raises(taap.KeyDecryptError, match="pass its password"):
        taap.PrivateKey.from_file(ENCRYPTED)
    with pytest.raises(taap.KeyDecryptError):
        taap.PrivateKey.from_file(ENCRYPTED, "wrong")


def test_der_round_trip() -> None:
    key = taap.PrivateKey.from_file(DOCS_KEY)
    der = key.to_der()
    assert der[:1] == b"\x30"
    assert taap.PrivateKey.from_der(der).public_key() == key.public_key()
    public_der = key.public_key().to_der()
    assert taap.PublicKey.from_der(public_der) == key.public_key()


def test_generated_key_exports_pkcs8_pem_that_loads_back() -> None:
    key = taap.PrivateKey.generate(2048)
    pem = key.to_pem()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert taap.PrivateKey.from_pem(pem).public_key() == key.public_key()


def test_generate_refuses_unsupported_sizes() -> None:
    with pytest.raises(taap.ConfigError, match="choose 2048, 3072, 4096 or 8192"):
        taap.PrivateKey.generate(1024)
    with pytest.raises(taap.ConfigError):
        taap.PrivateKey.generate(-1)


def test_public_key_exports_pem_pkcs1_and_jwk_that_load_back() -> None:
    public = taap.PublicKey.from_file(DOCS_PUBLIC)
    assert public.to_pem().startswith("-----BEGIN PUBLIC KEY-----\n")
    assert public.to_pkcs1_pem().startswith("-----BEGIN RSA PUBLIC KEY-----\n")
    assert taap.PublicKey.from_pem(public.to_pem()) == public
    assert taap.PublicKey.from_pem(public.to_pkcs1_pem().encode()) == public
    jwk = public.to_jwk()
    assert sorted(jwk) == ["alg", "e", "kid", "kty", "n", "use"]
    assert (jwk["kty"], jwk["e"], jwk["alg"], jwk["use"], jwk["kid"]) == ("RSA", "AQAB", "RS256", "sig", public.thumbprint)
    assert taap.PublicKey.from_jwk(jwk) == public
    assert taap.PublicKey.from_jwk(json.dumps(jwk)) == public
    assert taap.PublicKey.from_jwk(json.dumps({"keys": [jwk]}).encode()) == public


def test_rfc7638_thumbprint() -> None:
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
    }
    assert taap.PublicKey.from_jwk(jwk).thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_public_keys_compare_and_hash_by_value(key: taap.PrivateKey) -> None:
    same = taap.PublicKey.from_pem(key.public_key().to_pem())
    assert same == key.public_key()
    assert len({same, key.public_key()}) == 1
    assert same != taap.PublicKey.from_file(DOCS_PUBLIC)
    assert same != "not a key"


def test_repr_shows_size_and_thumbprint_but_no_key_material(docs_key: taap.PrivateKey) -> None:
    thumbprint = docs_key.public_key().thumbprint
    assert repr(docs_key) == f"<PrivateKey bits=2048 public_thumbprint='{thumbprint}'>"
    assert repr(docs_key.public_key()) == f"<PublicKey bits=2048 thumbprint='{thumbprint}'>"
    body = "".join(docs_key.to_pem().splitlines()[1:-1])
    for text in (repr(docs_key), str(docs_key)):
        assert body[:40] not in text and body[-40:] not in text


def test_errors_never_echo_the_password_or_key() -> None:
    with pytest.raises(taap.KeyDecryptError) as raised:
        taap.PrivateKey.from_file(ENCRYPTED, "hunter2-wrong-password")
    assert "hunter2" not in str(raised.value)
    corrupt = DOCS_KEY.read_text().replace("MII", "MIX", 1)
    with pytest.raises(taap.InvalidKeyError) as raised:
        taap.PrivateKey.from_pem(corrupt)
    assert corrupt.splitlines()[1][:20] not in str(raised.value)


def test_keys_cannot_be_pickled(docs_key: taap.PrivateKey) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(docs_key)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no PEM block found"),
        ("not a key", "no PEM block found"),
        ((KEYS / "tmobile" / "readme-public.pem").read_text(), "holds a public key"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a valid PKCS#8"),
        ("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "malformed"),
    ],
)
def test_corrupt_private_keys_are_invalid_key_errors(text: str, message: str) -> None:
    with pytest.raises(taap.InvalidKeyError, match=message):
        taap.PrivateKey.from_pem(text)


def test_public_key_from_a_private_pem_says_what_to_do() -> None:
    with pytest.raises(taap.InvalidKeyError, match="holds a private key"):
        taap.PublicKey.from_pem(DOCS_KEY.read_text())


def test_missing_and_huge_files_are_invalid_key_errors(tmp_path: Path) -> None:
    with pytest.raises(taap.InvalidKeyError, match="cannot read key file"):
        taap.PrivateKey.from_file(tmp_path / "absent.pem")
    huge = tmp_path / "huge.pem"
    huge.write_bytes(b"A" * (2 * 1024 * 1024))
    with pytest.raises(taap.InvalidKeyError, match="not a key file"):
        taap.PublicKey.from_file(huge)


@pytest.mark.parametrize(
    "jwk",
    [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, {"kty": "RSA", "e": "AQAB"}, {"keys": []}, "[1, 2]", "not json"],
)
def test_bad_jwks_are_invalid_key_errors(jwk: object) -> None:
    with pytest.raises(taap.InvalidKeyError):
        taap.PublicKey.from_jwk(jwk)  # type: ignore[arg-type]
