"""Keys in hardware through ``taap.Signer.from_uri``: every vector token made with the vector key
imported into a TPM 2.0 (swtpm, a ``pkcs11:`` URI) and into a local AWS KMS (moto, an
``aws-kms:`` alias) is the vector's, byte for byte.

The services are tests/hardware/run.py's, which names them in ``TAAP_HARDWARE``;
scripts/test.sh runs this file under it. Without ``TAAP_HARDWARE`` these tests fail.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

import taap
from conftest import load_vectors, pairs

CASES: List[Dict[str, Any]] = load_vectors("tokens.json")["cases"]


def hardware_keys() -> Dict[str, Any]:
    """Vector key file -> where the fixture put it (``tpm``, ``kms``)."""
    path = os.environ.get("TAAP_HARDWARE")
    if not path:
        pytest.fail(
            "TAAP_HARDWARE is not set: run these tests under the hardware fixture, "
            "`bash ../tests/hardware/run.sh -- .venv/bin/python -m pytest tests/test_hardware.py` in bindings-python "
            "(bindings-python/scripts/test.sh does)"
        )
    keys: Dict[str, Any] = json.loads(Path(path).read_text())["keys"]
    return keys


def build(signer: taap.Signer, case: Dict[str, Any]) -> str:
    return taap.PopToken.build(signer, pairs(case["ehts"]), ttl=case["ttl_secs"], iat=case["iat"], jti=case["jti"])


def test_every_vector_token_made_in_the_tpm_is_the_vector_s() -> None:
    keys = hardware_keys()
    # A TPM 2.0 holds RSA-2048 keys: the 4096-bit vector key is the one it does not hold.
    assert sorted({case["key"] for case in CASES if keys[case["key"]]["tpm"] is None}) == ["openssl/big-4096-private.pem"]
    signers: Dict[str, taap.Signer] = {}
    built = 0
    for case in CASES:
        tpm = keys[case["key"]]["tpm"]
        if tpm is None:
            continue
        if tpm["object"] not in signers:
            signers[tpm["object"]] = taap.Signer.from_uri(tpm["uri"])
        signer = signers[tpm["object"]]
        assert signer.kind == "pkcs11"
        assert build(signer, case) == case["token"], case["name"]
        built += 1
    assert (len(signers), built) == (4, len(CASES) - 1)


def test_every_vector_token_made_through_kms_is_the_vector_s() -> None:
    keys = hardware_keys()
    signers: Dict[str, taap.Signer] = {}
    for case in CASES:
        kms = keys[case["key"]]["kms"]
        if kms["alias"] not in signers:
            signers[kms["alias"]] = taap.Signer.from_uri(kms["uri"])
        signer = signers[kms["alias"]]
        assert (signer.kind, signer.label) == ("aws-kms", f"{kms['uri']} (us-east-1)")
        assert build(signer, case) == case["token"], case["name"]
    assert len(signers) == 5
