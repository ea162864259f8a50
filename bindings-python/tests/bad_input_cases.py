"""The bad-input matrix cases (tests/bad-input/cases.json) for the Python column.

Builds each case's inputs and runs it through the package's API. ``python bad_input_cases.py
CASE_ID`` runs one case and prints its outcome; test_bad_input_matrix.py runs every case that
way, each in its own process with a time limit.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

TESTS = Path(__file__).resolve().parents[2] / "tests"
BAD_INPUT = TESTS / "bad-input"
OUTCOME_PREFIX = "bad-input outcome: "

Case = Dict[str, Any]


def cases() -> List[Case]:
    """Every case, in file order."""
    with open(BAD_INPUT / "cases.json", encoding="utf-8") as file:
        return list(json.load(file)["cases"])


def signed() -> Dict[str, Any]:
    """signed-tokens.json."""
    with open(BAD_INPUT / "signed-tokens.json", encoding="utf-8") as file:
        return dict(json.load(file))


def build_bytes(value: Union[str, Dict[str, Any]]) -> bytes:
    """A case value as bytes (see the note in cases.json)."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if "signed" in value:
        return signed_token(value)
    if "hex" in value:
        built = bytes.fromhex(value["hex"])
    elif "file" in value:
        built = (TESTS / value["file"]).read_bytes()
    elif "repeat" in value:
        built = build_bytes(value["repeat"]) * value["times"]
    elif "concat" in value:
        built = b"".join(build_bytes(part) for part in value["concat"])
    elif "b64url" in value:
        built = base64.urlsafe_b64encode(build_bytes(value["b64url"])).rstrip(b"=")
    else:
        raise ValueError(f"unknown value constructor {value}")
    return built[: value["keep"]] if "keep" in value else built


def signed_token(spec: Dict[str, Any]) -> bytes:
    token = bytearray(signed()["tokens"][spec["signed"]].encode())
    if "drop" in spec:
        del token[len(token) - spec["drop"] :]
    if "keep" in spec:
        del token[spec["keep"] :]
    if "flip" in spec:
        at = spec["flip"] % len(token)
        token[at] = ord("B") if token[at] == ord("A") else ord("A")
    return bytes(token)


def name_of(raw: bytes) -> Union[str, bytes]:
    """A name as users pass it: str when it is UTF-8 text, else the bytes the API also takes."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def pairs(spec: Any) -> List[Tuple[Union[str, bytes], bytes]]:
    if spec is None:
        return []
    if isinstance(spec, dict):
        return [(f"h{index}", b"v") for index in range(spec["entries"])]
    return [(name_of(build_bytes(name)), build_bytes(value)) for name, value in spec]


def build_options(case: Case) -> Dict[str, Any]:
    jti = name_of(build_bytes(case["jti"])) if "jti" in case else "bad-input-jti"
    return {"ttl": case.get("ttl", 120), "iat": case.get("iat", signed()["iat"]), "jti": jti}


def run(taap: Any, case: Case) -> None:
    op = case["op"]
    signing_key = TESTS / "keys" / signed()["key"]
    if op == "decode":
        taap.PopToken.decode(build_bytes(case["token"]))
    elif op == "validate":
        values = pairs(case["values"]) if "values" in case else [(n, v.encode()) for n, v in signed()["values"]]
        validator = taap.PopTokenValidator(required=case.get("options", {}).get("required", ()))
        public_key = taap.PrivateKey.from_file(signing_key).public_key()
        validator.validate(build_bytes(case["token"]), public_key, values, now=signed()["iat"] + 5)
    elif op == "build":
        taap.PopToken.build(taap.PrivateKey.from_file(signing_key), pairs(case.get("ehts")), **build_options(case))
    elif op == "for_request":
        taap.PopToken.for_request(
            taap.PrivateKey.from_file(signing_key),
            name_of(build_bytes(case["method"])),
            name_of(build_bytes(case["url"])),
            pairs(case.get("headers")),
            build_bytes(case["body"]) if "body" in case else b"",
            **build_options(case),
        )
    elif op == "validate_request":
        validate_requests(taap, case, taap.PrivateKey.from_file(signing_key).public_key())
    elif op == "signer_uri":
        spec = str(TESTS / case["key_file"]) if "key_file" in case else build_bytes(case["spec"]).decode()
        taap.PopToken.build(taap.Signer.from_uri(spec), [("uri", "/")])
    elif op == "signer_callback":
        answer = build_bytes(case["answer"]) if "answer" in case else b""

        def sign(digest: bytes) -> bytes:
            if "throws" in case:
                raise RuntimeError(case["throws"])
            return answer

        public_key = taap.PrivateKey.from_file(signing_key).public_key()
        taap.PopToken.build(taap.Signer.from_callback(public_key, sign), [("uri", "/")])
    elif op in ("private_key", "public_key"):
        with tempfile.NamedTemporaryFile(prefix="taap-py-bad-input-", delete=False) as file:
            file.write(build_bytes(case["key"]))
        try:
            if op == "public_key":
                taap.PublicKey.from_file(file.name)
            else:
                password = case.get("password")
                taap.PrivateKey.from_file(file.name, None if password is None else build_bytes(password))
        finally:
            os.unlink(file.name)
    else:
        raise ValueError(f"unknown op {op}")


class EarlierRequestFailed(Exception):
    """A request before the last of a validate_request case failed: the case is broken."""


def validate_requests(taap: Any, case: Case, default_key: Any) -> None:
    """The case's requests in order through one validator; each but the last must pass."""
    validator = taap.PopTokenValidator(required=["uri", "http-method"], replay_cache=1000)
    requests = case["requests"]
    for index, request in enumerate(requests):
        key = taap.PublicKey.from_pem(build_bytes(request["key"])) if "key" in request else default_key
        arguments = (
            key,
            name_of(build_bytes(request["method"])),
            name_of(build_bytes(request["target"])),
            pairs(request["headers"]),
            build_bytes(request["body"]) if "body" in request else b"",
        )
        if index == len(requests) - 1:
            validator.validate_request(*arguments, now=signed()["iat"] + 5)
            return
        try:
            validator.validate_request(*arguments, now=signed()["iat"] + 5)
        except Exception as error:
            raise EarlierRequestFailed(f"request {index} must pass but raised {error!r}") from error


def outcome(taap: Any, case: Case) -> str:
    """``ok``, the kind of a TaapError, or the class name of another exception (TypeError, …)."""
    try:
        run(taap, case)
        return "ok"
    except EarlierRequestFailed as error:
        # Not an outcome to compare: the cell would otherwise read as a plain error kind.
        return f"broken case: {error}"
    except taap.TaapError as error:
        return type(error).__name__[: -len("Error")]
    except Exception as error:  # noqa: BLE001 - any other exception is the cell's outcome
        return type(error).__name__


if __name__ == "__main__":
    import taap as taap_module

    chosen = next(case for case in cases() if case["id"] == sys.argv[1])
    print(f"{OUTCOME_PREFIX}{outcome(taap_module, chosen)}", flush=True)
