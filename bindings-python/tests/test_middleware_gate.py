"""taap.asgi and taap.wsgi answer with the core's ``PopGate`` byte for byte: the status, every
header and the exact JSON body of each refusal are the core's (``core/tests/gate.rs`` holds the
same texts), the middlewares only add ``content-length``. The native ``taap._taap.PopGate`` is
checked directly too."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any, Dict, List, Sequence, Tuple

import pytest

import taap
from taap import asgi, wsgi
from taap._taap import PopGate

Pairs = Sequence[Tuple[str, bytes]]
#: (status, [(name, value)] as sent, body bytes)
Raw = Tuple[int, List[Tuple[str, str]], bytes]

JSON_TYPE = ("content-type", "application/json")
CHALLENGE = ("www-authenticate", 'PoP realm="taap"')
FRAMEWORKS = ["asgi", "wsgi"]


def refusal(kind: str, message: str) -> bytes:
    """The core's 401 body: compact JSON, ``error`` then ``message``."""
    return json.dumps({"error": kind, "message": message}, separators=(",", ":"), ensure_ascii=False).encode()


def asgi_send(middleware: Any, method: str, target: str, headers: Pairs, body: bytes = b"") -> Raw:
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(name.lower().encode(), value) for name, value in headers],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    sent_headers = [(name.decode(), value.decode()) for name, value in sent[0]["headers"]]
    return sent[0]["status"], sent_headers, b"".join(message.get("body", b"") for message in sent[1:])


def wsgi_send(middleware: Any, method: str, target: str, headers: Pairs, body: bytes = b"") -> Raw:
    path, _, query = target.partition("?")
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "RAW_URI": target,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value.decode("latin-1")
    started: List[Tuple[str, List[Tuple[str, str]]]] = []
    answer = b"".join(middleware(environ, lambda status, sent, exc_info=None: started.append((status, sent))))
    status, sent_headers = started[0]
    return int(status.split()[0]), list(sent_headers), answer


def app_never_called(*args: Any) -> Any:
    raise AssertionError("the app must not see a refused request")


def send(framework: str, method: str, target: str, headers: Pairs, body: bytes = b"", **options: Any) -> Raw:
    if framework == "asgi":
        return asgi_send(asgi.PopMiddleware(app_never_called, **options), method, target, headers, body)
    return wsgi_send(wsgi.PopMiddleware(app_never_called, **options), method, target, headers, body)


def expected(status: int, headers: List[Tuple[str, str]], body: bytes, framework: str) -> Raw:
    """What the middleware sends for the core's answer: its headers, then the length."""
    length = ("content-length" if framework == "asgi" else "Content-Length", str(len(body)))
    return status, [*headers, length], body


def unauthorized(kind: str, message: str, framework: str) -> Raw:
    return expected(401, [JSON_TYPE, CHALLENGE], refusal(kind, message), framework)


@pytest.fixture
def public_pem(docs_key: taap.PrivateKey) -> str:
    return docs_key.public_key().to_pem()


def test_a_client_id_sent_twice_gets_the_cores_exact_answer(public_pem: str) -> None:
    # ASGI only: WSGI receives the two copies joined by ','.
    lookup = {"c": public_pem}.get
    headers = [("X-Client-Id", b"c"), ("X-Client-Id", b"d")]
    answer = send("asgi", "GET", "/items/42", headers, public_key=lookup)
    message = "invalid PoP token: the x-client-id header appears 2 times; send it once"
    assert answer == (
        401,
        [
            ("content-type", "application/json"),
            ("www-authenticate", 'PoP realm="taap"'),
            ("content-length", "108"),
        ],
        b'{"error":"InvalidToken","message":"invalid PoP token: the x-client-id header appears 2 times; send it once"}',
    )
    assert answer == unauthorized("InvalidToken", message, "asgi")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_client_id_refusals_are_the_cores(framework: str, public_pem: str) -> None:
    lookup = {"c": public_pem, "broken": "not a key"}.get
    cases: List[Tuple[Pairs, str, str]] = [
        ([], "InvalidToken", "invalid PoP token: the x-partner header (the client id) is missing"),
        ([("X-Partner", b"")], "InvalidToken", "invalid PoP token: the x-partner header (the client id) is missing"),
        ([("X-Partner", b"\xff")], "InvalidToken", "invalid PoP token: the x-partner header is not valid UTF-8"),
        ([("X-Partner", b"other")], "InvalidToken", "invalid PoP token: no public key is registered for this client id"),
    ]
    for headers, kind, message in cases:
        answer = send(framework, "GET", "/items/42", headers, public_key=lookup, client_id_header="X-Partner")
        assert answer == unauthorized(kind, message, framework), headers
    status, _, body = send(framework, "GET", "/items/42", [("X-Partner", b"broken")], public_key=lookup, client_id_header="X-Partner")
    assert (status, json.loads(body)["error"]) == (401, "InvalidKey")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_token_refusals_and_413_are_the_cores(framework: str, docs_key: taap.PrivateKey, public_pem: str) -> None:
    missing = "invalid PoP token: X-Authorization (the PoP token) is missing"
    assert send(framework, "GET", "/items/42?a=1", [], public_key=public_pem) == unauthorized("InvalidToken", missing, framework)
    only_body = taap.PopToken.build(docs_key, [("body", "")]).encode()
    required = 'invalid PoP token: it does not sign "uri", which this gateway requires'
    answer = send(framework, "GET", "/items/42?a=1", [("X-Authorization", only_body)], public_key=public_pem)
    assert answer == unauthorized("InvalidToken", required, framework)
    too_large = refusal("RequestTooLarge", "the body is larger than 4 bytes")
    assert send(framework, "POST", "/items", [], b"12345", public_key=public_pem, max_body=4) == expected(
        413, [JSON_TYPE], too_large, framework
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_replay_gets_the_cores_answer(framework: str, docs_key: taap.PrivateKey, public_pem: str) -> None:
    calls: List[str] = []
    token = taap.PopToken.for_request(docs_key, "GET", "http://testserver/items/42?a=1").encode()

    def app(*args: Any) -> Any:
        calls.append("app")
        if framework == "wsgi":
            args[1]("200 OK", [])
            return [b""]
        return _asgi_ok(*args)

    middleware = (asgi if framework == "asgi" else wsgi).PopMiddleware(app, public_key=public_pem)
    call = asgi_send if framework == "asgi" else wsgi_send
    assert call(middleware, "GET", "/items/42?a=1", [("X-Authorization", token)])[0] == 200
    replay = "replayed PoP token: this jti was already used; build a fresh token for every call"
    assert call(middleware, "GET", "/items/42?a=1", [("X-Authorization", token)]) == unauthorized("Replay", replay, framework)
    assert calls == ["app"]


async def _asgi_ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_an_unreachable_shared_store_is_503_with_retry_after(framework: str, docs_key: taap.PrivateKey, public_pem: str) -> None:
    token = taap.PopToken.for_request(docs_key, "GET", "http://testserver/items/42").encode()
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    status, headers, body = send(framework, "GET", "/items/42", [("X-Authorization", token)], public_key=public_pem, replay_store="redis://127.0.0.1:1")
    assert (status, headers[:2]) == (503, [JSON_TYPE, ("retry-after", "1")])
    answer = json.loads(body)
    assert (list(answer), answer["error"], answer["store"]) == (["error", "store", "message"], "replay_store_unavailable", "redis")
    assert answer["message"].startswith("the replay store (redis) is unavailable: ")


def test_the_native_gate(docs_key: taap.PrivateKey, public_pem: str) -> None:
    gate = PopGate(max_body=9, client_id_header="X-Partner")
    assert (gate.max_body, gate.blocking, gate.client_id_header) == (9, False, "x-partner")
    assert gate.client_id([("x-partner", b"acme")]) == "acme"
    twice = gate.client_id([("X-Partner", "acme"), ("x-partner", "evil")])
    message = "invalid PoP token: the x-partner header appears 2 times; send it once"
    assert twice == (401, [JSON_TYPE, CHALLENGE], refusal("InvalidToken", message))
    unknown = "invalid PoP token: no public key is registered for this client id"
    assert gate.unknown_client() == (401, [JSON_TYPE, CHALLENGE], refusal("InvalidToken", unknown))
    assert gate.too_large() == (413, [JSON_TYPE], refusal("RequestTooLarge", "the body is larger than 9 bytes"))
    key = PopGate.key(public_pem)
    assert key == docs_key.public_key() == gate.key_of(public_pem) == gate.key_of(key)
    assert PopGate.key(json.dumps(key.to_jwk())) == key
    bad_key = gate.key_of("not a key")
    assert not isinstance(bad_key, taap.PublicKey)
    status, headers, body = bad_key
    assert (status, headers, json.loads(body)["error"]) == (401, [JSON_TYPE, CHALLENGE], "InvalidKey")
    with pytest.raises(taap.InvalidKeyError):
        PopGate.key("not a key")
    with pytest.raises(TypeError):
        gate.key_of(b"bytes are not key text")  # type: ignore[arg-type]
    token = taap.PopToken.for_request(docs_key, "GET", "http://gw/items/42")
    assert gate.check(key, "GET", "/items/42", [("X-Authorization", token)], b"") is None
    assert gate.check(key, "GET", "/items/42", [], b"0123456789") == gate.too_large()
    assert PopGate(replay_store="redis://127.0.0.1:1").blocking is True
    with pytest.raises(taap.ConfigError) as refused:
        PopGate(max_age=0)
    assert str(refused.value) == "invalid configuration: option max_age is 0; choose 1 to 3600 seconds"
    assert "hunter2" not in repr(PopGate(replay_store="redis://:hunter2@127.0.0.1:1"))

