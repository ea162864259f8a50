"""``taap.Signer``: keys taap never holds. A callback signing with the ``cryptography`` package
(independent of taap) and a SoftHSM2 token each make every vector token byte for byte; every
refusal is its typed error; a PIN is never shown.

The SoftHSM2 token is made as ``core/tests/pkcs11.rs`` makes it: a token folder of this run
(``SOFTHSM2_CONF``), the vector keys imported with ``pkcs11-tool`` as sensitive, non-extractable
objects. It needs ``softhsm2-util`` and ``pkcs11-tool`` (``bash scripts/setup.sh``); a missing
tool fails these tests, never skips them. AWS KMS is a stand-in service on 127.0.0.1 that signs
with the vector keys (``AWS_ENDPOINT_URL_KMS``), so its tokens equal the vectors' too.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import httpx
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

import taap
import taap.httpx
import taap.requests
from conftest import DOCS_KEY, KEYS, load_vectors, pairs
from gateway import ACCESS_TOKEN, Gateway, serve

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "py-pin-7Qx9"
OTHER_PIN = "py-other-7Qx9"
SO_PIN = "so-87654321"
LABEL = "se050:0xF0000100"
CASES: List[Dict[str, Any]] = load_vectors("tokens.json")["cases"]


def load_private(case: Dict[str, Any]) -> rsa.RSAPrivateKey:
    """The vector's key, read by ``cryptography`` (not by taap)."""
    return read_private(case["key"], case.get("password"))


@functools.lru_cache(maxsize=None)
def read_private(name: str, text_password: Optional[str]) -> rsa.RSAPrivateKey:
    data = (KEYS / name).read_bytes()
    password = text_password.encode() if text_password else None
    if data.lstrip().startswith(b"-----"):
        key = serialization.load_pem_private_key(data, password)
    else:
        key = serialization.load_der_private_key(data, password)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def public_of(private: rsa.RSAPrivateKey) -> taap.PublicKey:
    spki = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return taap.PublicKey.from_der(spki)


def device(private: rsa.RSAPrivateKey) -> Callable[[bytes], bytes]:
    """A secure element stand-in: PKCS#1 v1.5 over a SHA-256 digest it is handed."""

    def sign(digest: bytes) -> bytes:
        assert isinstance(digest, bytes) and len(digest) == 32
        return private.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))

    return sign


def build(key: Any, case: Dict[str, Any]) -> str:
    return taap.PopToken.build(key, pairs(case["ehts"]), ttl=case["ttl_secs"], iat=case["iat"], jti=case["jti"])


@pytest.fixture(scope="module")
def first() -> Dict[str, Any]:
    return CASES[0]


@pytest.fixture(scope="module")
def private(first: Dict[str, Any]) -> rsa.RSAPrivateKey:
    return load_private(first)


def callback_signer(private: rsa.RSAPrivateKey, sign: Optional[Callable[[bytes], Any]] = None) -> taap.Signer:
    return taap.Signer.from_callback(public_of(private), sign or device(private), label=LABEL)


# The callback signer


def test_a_callback_signer_makes_every_vector_token_byte_for_byte() -> None:
    assert len(CASES) >= 10
    for case in CASES:
        private = load_private(case)
        signer = taap.Signer.from_callback(public_of(private), device(private))
        assert build(signer, case) == case["token"], case["name"]


def test_the_callback_gets_the_sha256_digest_of_the_signing_input(private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    seen: List[bytes] = []
    sign = device(private)

    def recording(digest: bytes) -> bytes:
        seen.append(digest)
        return sign(digest)

    token = build(taap.Signer.from_callback(public_of(private), recording), first)
    assert seen == [hashlib.sha256(token.rsplit(".", 1)[0].encode()).digest()]


def test_requests_and_policies_take_a_signer(private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    in_memory = taap.PrivateKey.from_file(KEYS / first["key"], first["password"])
    signer = callback_signer(private)
    url = "https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000"
    headers = {"Content-Type": "application/json"}
    fixed = {"iat": first["iat"], "jti": first["jti"]}
    assert taap.PopToken.for_request(signer, "POST", url, headers, b"{}", **fixed) == taap.PopToken.for_request(
        in_memory, "POST", url, headers, b"{}", **fixed
    )
    policy = taap.SignPolicy()
    assert policy.sign(signer, "GET", url, headers, **fixed) == policy.sign(in_memory, "GET", url, headers, **fixed)


def test_a_callback_signer_describes_itself(private: rsa.RSAPrivateKey) -> None:
    public = public_of(private)
    signer = taap.Signer.from_callback(public, device(private))
    assert (signer.kind, signer.bits, signer.public_key()) == ("callback", 2048, public)
    assert signer.label == f"callback for RSA-2048 key {public.thumbprint}"
    assert repr(signer) == f"<Signer kind='callback' label=\"callback for RSA-2048 key {public.thumbprint}\">"
    labelled = callback_signer(private)
    assert (labelled.label, repr(labelled)) == (LABEL, f"<Signer kind='callback' label=\"{LABEL}\">")


def test_threads_share_a_callback_signer(private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    """Tokens are built with the GIL released; each call of the callback takes it back."""
    signer = callback_signer(private)
    failures: List[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                assert build(signer, first) == first["token"]
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


# What a callback can get wrong


def refused(private: rsa.RSAPrivateKey, first: Dict[str, Any], sign: Callable[[bytes], Any]) -> taap.TaapError:
    with pytest.raises(taap.TaapError) as raised:
        build(callback_signer(private, sign), first)
    return raised.value


def test_a_short_or_long_signature_is_signature_invalid(private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    sign = device(private)
    short = refused(private, first, lambda digest: sign(digest)[1:])
    assert type(short) is taap.SignatureInvalidError
    assert str(short) == (
        f"PoP token signature invalid: the callback signer ({LABEL}) returned 255 bytes; an RS256 signature "
        "under its 2048-bit public key is 256 bytes; no token was made with it"
    )
    assert short.code == "TAAP_SIGNATURE_INVALID"
    long = refused(private, first, lambda digest: b"\x00" + sign(digest))
    assert type(long) is taap.SignatureInvalidError and "returned 257 bytes" in str(long)
    assert type(refused(private, first, lambda digest: b"")) is taap.SignatureInvalidError


DOES_NOT_VERIFY = (
    f"PoP token signature invalid: the callback signer ({LABEL}) returned a signature that does not verify under "
    "its public key (another key, another hash or padding, or a corrupted signature); no token was made with it"
)


def test_a_signature_of_another_key_or_digest_is_signature_invalid(private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong_key = refused(private, first, device(other))
    assert (type(wrong_key), str(wrong_key)) == (taap.SignatureInvalidError, DOES_NOT_VERIFY)
    sign = device(private)
    wrong_digest = refused(private, first, lambda digest: sign(bytes(32)))
    assert (type(wrong_digest), str(wrong_digest)) == (taap.SignatureInvalidError, DOES_NOT_VERIFY)
    pss = refused(
        private,
        first,
        lambda digest: private.sign(digest, padding.PSS(padding.MGF1(hashes.SHA256()), 32), utils.Prehashed(hashes.SHA256())),
    )
    assert (type(pss), str(pss)) == (taap.SignatureInvalidError, DOES_NOT_VERIFY)
    corrupted = refused(private, first, lambda digest: bytes([sign(digest)[0] ^ 1]) + sign(digest)[1:])
    assert (type(corrupted), str(corrupted)) == (taap.SignatureInvalidError, DOES_NOT_VERIFY)


def test_a_bytearray_answer_is_taken(private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    sign = device(private)
    assert build(callback_signer(private, lambda digest: bytearray(sign(digest))), first) == first["token"]


@pytest.mark.parametrize(("answer", "type_name"), [(None, "NoneType"), ("signature", "str"), (256, "int"), (memoryview(b"x"), "memoryview")])
def test_an_answer_that_is_not_bytes_is_signature_invalid(private: rsa.RSAPrivateKey, first: Dict[str, Any], answer: Any, type_name: str) -> None:
    error = refused(private, first, lambda digest: answer)
    assert type(error) is taap.SignatureInvalidError
    assert str(error) == f"PoP token signature invalid: the callback signer ({LABEL}) returned {type_name}, not bytes; no token was made with it"


def test_a_raising_callback_is_a_transport_error_naming_it(private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    secret = "device PIN 4711 rejected"

    def failing(digest: bytes) -> bytes:
        raise ValueError(secret)

    error = refused(private, first, failing)
    assert type(error) is taap.TransportError
    assert str(error) == (
        f"transport error: the callback signer ({LABEL}) raised ValueError; no token was made with it "
        "(the exception is this error's __cause__)"
    )
    assert secret not in str(error) and secret not in repr(error)
    assert isinstance(error.__cause__, ValueError) and str(error.__cause__) == secret
    # The signer stays usable, and the next error carries no stale cause.
    assert build(callback_signer(private), first) == first["token"]
    assert refused(private, first, lambda digest: b"").__cause__ is None


def test_a_keyboard_interrupt_in_the_callback_goes_on_as_it_is(private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    def interrupted(digest: bytes) -> bytes:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(callback_signer(private, interrupted), first)


def test_a_raising_callback_in_a_client_request_is_the_same_error(gateway: Gateway, private: rsa.RSAPrivateKey) -> None:
    def failing(digest: bytes) -> bytes:
        raise RuntimeError("the secure element is gone")

    client = taap.TaapClient("id", "secret", callback_signer(private, failing), f"{gateway.url}/oauth2/v2/tokens")
    with pytest.raises(taap.TransportError, match=r"raised RuntimeError; no token was made") as raised:
        client.request("GET", f"{gateway.url}/get")
    assert isinstance(raised.value.__cause__, RuntimeError)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((None, lambda digest: b""), "public_key must be a PublicKey, not NoneType"),
        (("-----BEGIN PUBLIC KEY-----", lambda digest: b""), "public_key must be a PublicKey, not str"),
        (("PUBLIC", None), "sign must be a callable taking the digest (bytes), not NoneType"),
        (("PUBLIC", b"sig"), "sign must be a callable taking the digest (bytes), not bytes"),
        (("PUBLIC", lambda digest: b"", 5), "label must be a str, not int"),
    ],
)
def test_from_callback_wrong_types_are_type_errors(private: rsa.RSAPrivateKey, arguments: Any, message: str) -> None:
    arguments = tuple(public_of(private) if argument == "PUBLIC" else argument for argument in arguments)
    with pytest.raises(TypeError) as raised:
        taap.Signer.from_callback(*arguments)
    assert str(raised.value) == message


def test_a_signer_takes_no_password(private: rsa.RSAPrivateKey) -> None:
    signer = callback_signer(private)
    with pytest.raises(TypeError, match="give a Signer's password to Signer.from_uri"):
        taap.PopToken.build(signer, {"uri": "/"}, password="x")
    with pytest.raises(TypeError, match="give a Signer's password to Signer.from_uri"):
        taap.requests.PopAuth(signer, password="x")


def test_signers_cannot_be_built_directly_or_subclassed() -> None:
    with pytest.raises(TypeError):
        taap.Signer()
    with pytest.raises(TypeError):
        type("Mine", (taap.Signer,), {})


# Signer.from_uri: files, and URIs the build knows


def test_from_uri_on_a_file_path_is_the_in_memory_key() -> None:
    for case in CASES:
        path = KEYS / case["key"]
        for spec in (str(path), path):
            signer = taap.Signer.from_uri(spec, case["password"])
            assert signer.kind == "in-memory"
            assert build(signer, case) == case["token"], case["name"]
    signer = taap.Signer.from_uri(DOCS_KEY)
    public = taap.PrivateKey.from_file(DOCS_KEY).public_key()
    assert (signer.label, signer.public_key()) == (f"RSA-2048 key {public.thumbprint}", public)
    assert repr(signer) == f"<Signer kind='in-memory' label=\"RSA-2048 key {public.thumbprint}\">"


@pytest.mark.parametrize(
    ("spec", "password", "error", "message"),
    [
        ("/no/such/key.pem", None, taap.InvalidKeyError, "/no/such/key.pem"),
        (str(KEYS / "openssl" / "pbes2-aes256-private.pem"), None, taap.KeyDecryptError, "cannot decrypt the private key"),
        (str(KEYS / "openssl" / "pbes2-aes256-private.pem"), "wrong", taap.KeyDecryptError, "cannot decrypt the private key"),
        ("pkcs11:token=taap?module-path=/no/libpkcs11.so", None, taap.ConfigError, "bad pkcs11: URI: name the key with object=LABEL or id=%XX"),
        ("pkcs11:token=t;object=k?module-path=/no/libpkcs11.so&pin-value=1234", None, taap.ConfigError, "cannot load the PKCS#11 module /no/libpkcs11.so"),
        ("aws-kms:", None, taap.ConfigError, "name the KMS key as aws-kms:ARN, aws-kms:alias/NAME or aws-kms:KEY-ID"),
        ("aws-kms:arn:aws:kms:no_where!:111122223333:key/k", None, taap.ConfigError, "is not an AWS region"),
    ],
)
def test_from_uri_refusals_are_typed(monkeypatch: pytest.MonkeyPatch, spec: str, password: Optional[str], error: type, message: str) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(error) as raised:
        taap.Signer.from_uri(spec, password)
    assert message in str(raised.value)
    assert "1234" not in str(raised.value)


@pytest.mark.parametrize(("spec", "message"), [(None, "NoneType"), (5, "int"), (["pkcs11:"], "list")])
def test_from_uri_wrong_types_are_type_errors(spec: Any, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        taap.Signer.from_uri(spec)
    assert str(raised.value) == f"uri must be a str or os.PathLike, not {message}"


# A PKCS#11 token: SoftHSM2


def run(*command: str) -> str:
    tool = shutil.which(command[0])
    if tool is None:
        pytest.fail(f"{command[0]} is not installed; install softhsm2 and opensc with `bash scripts/setup.sh`")
    done = subprocess.run([tool, *command[1:]], capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)} failed: {done.stdout}{done.stderr}"
    return done.stdout


class Hsm:
    """A SoftHSM2 token ``taap`` holding every vector key, and an empty token ``other``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        #: Vector key file -> the label of its copy in the token.
        self.labels: Dict[str, str] = {}

    def uri(self, label: str, pin: Optional[str] = PIN) -> str:
        query = f"module-path={MODULE}" + (f"&pin-value={pin}" if pin is not None else "")
        return f"pkcs11:token=taap;object={label}?{query}"


@pytest.fixture(scope="module")
def hsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hsm]:
    if not Path(MODULE).exists():
        pytest.fail(f"{MODULE} is missing; install softhsm2 with `bash scripts/setup.sh`")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    # Set before the module is first initialised in this process (taap loads it in-process),
    # and inherited by the tools.
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    for label, pin in (("taap", PIN), ("other", OTHER_PIN)):
        run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", pin)
    hsm = Hsm(folder)
    imported: Dict[bytes, str] = {}
    for case in CASES:
        private = load_private(case)
        spki = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if spki not in imported:
            label = f"vector{len(imported)}"
            object_id = f"{len(imported) + 16:02x}"
            der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            secret_file = folder / f"{label}.key.der"
            secret_file.write_bytes(der)
            common = ["--module", MODULE, "--token-label", "taap", "--login", "--pin", PIN]
            run("pkcs11-tool", *common, "--write-object", str(secret_file), "--type", "privkey", "--label", label, "--id", object_id, "--usage-sign", "--sensitive")
            secret_file.unlink()
            public_file = folder / f"{label}.pub.der"
            public_file.write_bytes(spki)
            run("pkcs11-tool", *common, "--write-object", str(public_file), "--type", "pubkey", "--label", label, "--id", object_id)
            imported[spki] = label
        hsm.labels[case["key"]] = imported[spki]
    listing = run("pkcs11-tool", "--module", MODULE, "--token-label", "taap", "--login", "--pin", PIN, "--list-objects", "--type", "privkey")
    # pkcs11-tool lists "extractable" among a key's access flags when CKA_EXTRACTABLE is true.
    access = [line.split(":", 1)[1] for line in listing.splitlines() if line.strip().startswith("Access:")]
    assert len(access) == len(imported), listing
    assert all("sensitive" in flags and "extractable" not in flags for flags in access), listing
    yield hsm
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def test_every_vector_token_made_in_softhsm_is_the_vector_s(hsm: Hsm) -> None:
    signers: Dict[str, taap.Signer] = {}
    for case in CASES:
        label = hsm.labels[case["key"]]
        if label not in signers:
            signers[label] = taap.Signer.from_uri(hsm.uri(label))
        signer = signers[label]
        assert signer.kind == "pkcs11"
        assert signer.public_key() == public_of(load_private(case))
        assert build(signer, case) == case["token"], case["name"]
    assert len(signers) == 5, sorted(signers)


def test_the_pin_may_come_as_the_password(hsm: Hsm, first: Dict[str, Any]) -> None:
    label = hsm.labels[first["key"]]
    signer = taap.Signer.from_uri(hsm.uri(label, pin=None), password=PIN)
    assert build(signer, first) == first["token"]
    signer = taap.Signer.from_uri(hsm.uri(label, pin=None), password=PIN.encode())
    assert build(signer, first) == first["token"]


def test_a_wrong_pin_is_a_key_decrypt_error_without_the_pin(hsm: Hsm) -> None:
    # Token `other`: no test logs in to it (a PKCS#11 login holds for the whole process).
    for uri, password in (
        (f"pkcs11:token=other;object=k?module-path={MODULE}&pin-value={PIN}", None),
        (f"pkcs11:token=other;object=k?module-path={MODULE}", "not-it-9Z"),
    ):
        with pytest.raises(taap.KeyDecryptError) as raised:
            taap.Signer.from_uri(uri, password)
        message = str(raised.value)
        assert message.startswith('cannot decrypt the private key: the PIN for PKCS#11 token "other" (slot '), message
        assert PIN not in message and "not-it-9Z" not in message and OTHER_PIN not in message


def test_a_missing_object_is_an_invalid_key_error(hsm: Hsm) -> None:
    with pytest.raises(taap.InvalidKeyError) as raised:
        taap.Signer.from_uri(hsm.uri("absent"))
    assert str(raised.value).startswith('invalid key: no private key pkcs11:token=taap;object=absent on PKCS#11 token "taap" (slot ')
    assert PIN not in str(raised.value)


def test_repr_and_label_never_show_the_pin(hsm: Hsm, first: Dict[str, Any]) -> None:
    label = hsm.labels[first["key"]]
    signer = taap.Signer.from_uri(hsm.uri(label))
    assert signer.label.startswith(f"pkcs11:token=taap;object={label} (slot "), signer.label
    assert signer.label.endswith(f", module {MODULE})"), signer.label
    assert repr(signer) == f"<Signer kind='pkcs11' label=\"{signer.label}\">"
    for shown in (repr(signer), signer.label, repr(taap.requests.PopAuth(signer)), repr(taap.httpx.PopAuth(signer))):
        assert PIN not in shown, shown
    # A label a caller gives with a PIN in it is shown masked, too.
    sneaky = taap.Signer.from_callback(signer.public_key(), lambda digest: b"", label=f"pkcs11:token=t?pin-value={PIN}")
    assert sneaky.label == "pkcs11:token=t?pin-value=***" and PIN not in repr(sneaky)


def test_threads_share_a_pkcs11_signer(hsm: Hsm, first: Dict[str, Any]) -> None:
    signer = taap.Signer.from_uri(hsm.uri(hsm.labels[first["key"]]))
    results: List[str] = []

    def work() -> None:
        results.extend(build(signer, first) for _ in range(10))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [first["token"]] * 40


# Clients and the HTTP integrations against the local gateway (tests/gateway.py)


@pytest.fixture(scope="module")
def gateway(private: rsa.RSAPrivateKey) -> Iterator[Gateway]:
    yield from serve(public_of(private).to_pem())


def test_a_client_with_a_callback_signer_gets_a_token_and_calls(gateway: Gateway, private: rsa.RSAPrivateKey) -> None:
    calls: List[bytes] = []
    sign = device(private)

    def counting(digest: bytes) -> bytes:
        calls.append(digest)
        return sign(digest)

    signer = callback_signer(private, counting)
    client = taap.TaapClient("id", "secret", signer, f"{gateway.url}/oauth2/v2/tokens")
    assert client.key is signer or repr(client.key) == repr(signer)
    assert isinstance(client.key, taap.Signer) and client.key.kind == "callback"
    assert client.access_token().secret == ACCESS_TOKEN
    response = client.request("POST", f"{gateway.url}/orders", {"Content-Type": "application/json"}, json={"orderId": 100})
    assert response.status == 200, response.text
    assert response.json()["ehts"] == "Content-Type;Authorization;uri;http-method;body"
    assert len(calls) >= 1


def test_a_client_with_a_pkcs11_signer_calls(gateway: Gateway, hsm: Hsm, first: Dict[str, Any]) -> None:
    signer = taap.Signer.from_uri(hsm.uri(hsm.labels[first["key"]]))
    client = taap.TaapClient("id", "secret", signer, f"{gateway.url}/oauth2/v2/tokens")
    response = client.request("GET", f"{gateway.url}/get")
    assert response.status == 200, response.text


def test_the_async_client_takes_a_signer(gateway: Gateway, private: rsa.RSAPrivateKey) -> None:
    client = taap.AsyncTaapClient("id", "secret", callback_signer(private), f"{gateway.url}/oauth2/v2/tokens")

    async def calls() -> List[int]:
        responses = await asyncio.gather(*(client.request("GET", f"{gateway.url}/get") for _ in range(4)))
        return [response.status for response in responses]

    assert asyncio.run(calls()) == [200] * 4


def test_requests_and_httpx_auth_take_a_signer(gateway: Gateway, private: rsa.RSAPrivateKey) -> None:
    signer = callback_signer(private)
    response = requests.post(f"{gateway.url}/orders", json={"orderId": 1}, auth=taap.requests.PopAuth(signer), timeout=10)
    assert response.status_code == 200, response.text
    with httpx.Client(auth=taap.httpx.PopAuth(signer)) as http:
        assert http.get(f"{gateway.url}/get").status_code == 200
    client = taap.TaapClient("id", "secret", signer, f"{gateway.url}/oauth2/v2/tokens")
    response = requests.post(f"{gateway.url}/bearer", json={}, auth=taap.requests.PopAuth(client=client), timeout=10)
    assert response.status_code == 200 and response.json()["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert repr(taap.requests.PopAuth(signer)).startswith(f"PopAuth(key=<Signer kind='callback' label=\"{LABEL}\">")


def test_httpx_async_auth_signs_off_the_event_loop(gateway: Gateway, private: rsa.RSAPrivateKey) -> None:
    loop_threads: List[int] = []
    sign_threads: List[int] = []
    sign = device(private)

    def recording(digest: bytes) -> bytes:
        sign_threads.append(threading.get_ident())
        return sign(digest)

    async def call() -> int:
        loop_threads.append(threading.get_ident())
        async with httpx.AsyncClient(auth=taap.httpx.PopAuth(callback_signer(private, recording))) as http:
            return (await http.post(f"{gateway.url}/orders", json={"a": 1})).status_code

    assert asyncio.run(call()) == 200
    assert sign_threads and loop_threads[0] not in sign_threads


# AWS KMS: a stand-in service on 127.0.0.1 speaking KMS's JSON protocol (GetPublicKey, Sign),
# signing with the vector key through `cryptography`, so the tokens can equal the vectors'.


class FakeKms:
    """``TrentService.GetPublicKey`` and ``TrentService.Sign`` for keys by id; what it was asked."""

    def __init__(self, keys: Dict[str, rsa.RSAPrivateKey], usage: str = "SIGN_VERIFY", corrupt: bool = False) -> None:
        self.keys = keys
        self.usage = usage
        self.corrupt = corrupt
        self.asked: List[Dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as KMS does
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                action = self.headers["X-Amz-Target"].split(".")[-1]
                fake.asked.append({"action": action, "signed": self.headers["Authorization"].startswith("AWS4-HMAC-SHA256 "), **request})
                answer = fake.answer(action, request)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def answer(self, action: str, request: Dict[str, Any]) -> Dict[str, Any]:
        private = self.keys[request["KeyId"]]
        if action == "GetPublicKey":
            spki = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            return {
                "KeyId": request["KeyId"],
                "KeyUsage": self.usage,
                "KeySpec": f"RSA_{private.key_size}",
                "PublicKey": base64.b64encode(spki).decode(),
                "SigningAlgorithms": ["RSASSA_PKCS1_V1_5_SHA_256"],
            }
        assert action == "Sign" and request["SigningAlgorithm"] == "RSASSA_PKCS1_V1_5_SHA_256"
        message = base64.b64decode(request["Message"])
        algorithm: Any = hashes.SHA256() if request["MessageType"] == "RAW" else utils.Prehashed(hashes.SHA256())
        signature = private.sign(message, padding.PKCS1v15(), algorithm)
        if self.corrupt:
            signature = bytes([signature[0] ^ 1]) + signature[1:]
        return {"KeyId": request["KeyId"], "Signature": base64.b64encode(signature).decode(), "SigningAlgorithm": request["SigningAlgorithm"]}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def kms_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[FakeKms], None]:
    def point_at(fake: FakeKms) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", fake.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIATESTING")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "kms-secret-never-shown")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)

    return point_at


def test_every_vector_token_made_through_kms_is_the_vector_s(kms_env: Callable[[FakeKms], None]) -> None:
    names: Dict[str, str] = {}
    keys: Dict[str, rsa.RSAPrivateKey] = {}
    for case in CASES:
        if case["key"] not in names:
            names[case["key"]] = f"alias/vector{len(names)}"
            keys[names[case["key"]]] = load_private(case)
    fake = FakeKms(keys)
    try:
        kms_env(fake)
        signers = {alias: taap.Signer.from_uri(f"aws-kms:{alias}") for alias in keys}
        for case in CASES:
            signer = signers[names[case["key"]]]
            assert build(signer, case) == case["token"], case["name"]
        signer = signers["alias/vector0"]
        assert (signer.kind, signer.label) == ("aws-kms", "aws-kms:alias/vector0 (us-east-1)")
        assert repr(signer) == "<Signer kind='aws-kms' label=\"aws-kms:alias/vector0 (us-east-1)\">"
        assert "kms-secret-never-shown" not in repr(signer)
        actions = [asked["action"] for asked in fake.asked]
        assert (actions.count("GetPublicKey"), actions.count("Sign")) == (len(keys), len(CASES))
        assert all(asked["signed"] for asked in fake.asked)
    finally:
        fake.close()


def test_a_kms_key_that_cannot_sign_or_a_bad_signature_is_refused(kms_env: Callable[[FakeKms], None], private: rsa.RSAPrivateKey, first: Dict[str, Any]) -> None:
    fake = FakeKms({"alias/taap-pop": private}, usage="ENCRYPT_DECRYPT")
    try:
        kms_env(fake)
        with pytest.raises(taap.InvalidKeyError) as raised:
            taap.Signer.from_uri("aws-kms:alias/taap-pop")
        assert str(raised.value) == "invalid key: the KMS key aws-kms:alias/taap-pop (us-east-1) is for ENCRYPT_DECRYPT, not SIGN_VERIFY"
    finally:
        fake.close()
    fake = FakeKms({"alias/taap-pop": private}, corrupt=True)
    try:
        kms_env(fake)
        signer = taap.Signer.from_uri("aws-kms:alias/taap-pop")
        with pytest.raises(taap.SignatureInvalidError) as refused_signature:
            build(signer, first)
        assert str(refused_signature.value).startswith(
            "PoP token signature invalid: the aws-kms signer (aws-kms:alias/taap-pop (us-east-1)) returned a signature that does not verify"
        )
    finally:
        fake.close()
