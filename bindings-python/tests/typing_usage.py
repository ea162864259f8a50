"""Typed use of the public API; `mypy --strict` on this file checks the stubs are usable."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import taap
from taap.httpx import PopAuth as HttpxPopAuth
from taap.requests import PopAuth as RequestsPopAuth


def sign(key: taap.PrivateKey, body: bytes) -> str:
    headers: Dict[str, str] = {"Content-Type": "application/json"}
    return taap.PopToken.for_request(key, "POST", "https://api.t-mobile.com/x", headers, body, ttl=60)


def check(token: str, public_key: taap.PublicKey, values: List[Tuple[str, bytes]]) -> Optional[int]:
    validator = taap.PopTokenValidator(leeway=5, required=("uri",), replay_cache=True)
    try:
        decoded: taap.PopToken = validator.validate(token, public_key, values)
    except taap.TokenExpiredError:
        return None
    except taap.TaapError as error:
        code: str = error.code
        raise RuntimeError(code) from error
    names: Tuple[str, ...] = decoded.ehts
    return decoded.expires_in() + len(names)


def client(key: taap.PrivateKey) -> Tuple[taap.Response, RequestsPopAuth, HttpxPopAuth]:
    taap_client = taap.TaapClient("id", "secret", key, "v6", store_id="s", timeout=5.0, sign_headers=["Accept"], uri_form="encoded")
    settings: Dict[str, Any] = taap_client.settings
    assert settings["timeout"] == 5.0 and taap.settings_schema()[0]["name"] == "api"
    response = taap_client.request("GET", "https://api.t-mobile.com/x", json={"a": 1})
    status: int = response.status
    assert status >= 100
    return response, RequestsPopAuth(client=taap_client), HttpxPopAuth(key, sign_headers=["Content-Type"])


def signers(public_key: taap.PublicKey, pin: str) -> Tuple[str, taap.TaapClient, HttpxPopAuth]:
    def device(digest: bytes) -> bytes:
        return digest * 8

    callback = taap.Signer.from_callback(public_key, device, label="se050:0xF0000100")
    hsm = taap.Signer.from_uri("pkcs11:token=t;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so", password=pin)
    kind: str = hsm.kind
    bits: int = callback.bits + len(callback.label) + len(kind)
    assert callback.public_key() == public_key and bits > 0
    token = taap.PopToken.build(callback, {"uri": "/x"}) + taap.SignPolicy().sign(hsm, "GET", "/x")
    return token, taap.TaapClient("id", "secret", taap.Signer.from_uri("key.pem"), "v2"), HttpxPopAuth(hsm)
