"""taap.asgi and taap.wsgi PopMiddleware in front of real Starlette and Flask apps: a signed
request reaches the app with its body intact; a missing, invalid, mis-bound or replayed token
is answered 401 with the error kind, and the app never sees it."""

from __future__ import annotations

import json
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple

import flask
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

with warnings.catch_warnings():
    # Starlette's test client still runs on httpx, which the suite pins for taap.httpx.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import taap
from taap import asgi, wsgi

BASE = "http://testserver"
ORDER = b'{"orderId": 100, "product": "Mobile Phone"}'
JSON = [("Content-Type", "application/json")]

Send = Callable[..., Tuple[int, Any]]


def starlette_app(calls: List[bytes], **options: Any) -> TestClient:
    async def orders(request: Request) -> JSONResponse:
        body = await request.body()
        calls.append(body)
        return JSONResponse({"received": body.decode()})

    app = Starlette(routes=[Route("/orders", orders, methods=["GET", "POST"])])
    app.add_middleware(asgi.PopMiddleware, **options)
    return TestClient(app)


def flask_app(calls: List[bytes], **options: Any) -> Any:
    app = flask.Flask(__name__)

    @app.route("/orders", methods=["GET", "POST"])
    def orders() -> Any:
        body = flask.request.get_data()
        calls.append(body)
        return flask.jsonify(received=body.decode())

    app.wsgi_app = wsgi.PopMiddleware(app.wsgi_app, **options)  # type: ignore[method-assign]
    return app.test_client()


def sender(framework: str, calls: List[bytes], **options: Any) -> Send:
    """``send(method, target, headers, body, pop)`` → (status, JSON) for one framework."""
    if framework == "starlette":
        client = starlette_app(calls, **options)

        def send(method: str, target: str, headers: Any, body: bytes, pop: Optional[str]) -> Tuple[int, Any]:
            extra = dict(headers) | ({"X-Authorization": pop} if pop else {})
            response = client.request(method, target, headers=extra, content=body)
            return response.status_code, response.json()

        return send
    app = flask_app(calls, **options)

    def send_flask(method: str, target: str, headers: Any, body: bytes, pop: Optional[str]) -> Tuple[int, Any]:
        extra = dict(headers) | ({"X-Authorization": pop} if pop else {})
        response = app.open(target, method=method, headers=extra, data=body)
        return response.status_code, json.loads(response.data)

    return send_flask


def signed(key: taap.PrivateKey, method: str, target: str, headers: Any = (), body: bytes = b"") -> str:
    return taap.PopToken.for_request(key, method, BASE + target, list(headers), body)


FRAMEWORKS = ["starlette", "flask"]


@pytest.fixture
def public_pem(docs_key: taap.PrivateKey) -> str:
    return docs_key.public_key().to_pem()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_signed_request_reaches_the_app_with_its_body(framework: str, docs_key: taap.PrivateKey, public_pem: str) -> None:
    calls: List[bytes] = []
    send = sender(framework, calls, public_key=public_pem)
    pop = signed(docs_key, "POST", "/orders?account-number=0000000000", JSON, ORDER)
    assert send("POST", "/orders?account-number=0000000000", JSON, ORDER, pop) == (200, {"received": ORDER.decode()})
    assert calls == [ORDER]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_refusals_are_401_with_the_kind_and_never_reach_the_app(
    framework: str, docs_key: taap.PrivateKey, key: taap.PrivateKey, public_pem: str
) -> None:
    calls: List[bytes] = []
    send = sender(framework, calls, public_key=public_pem)
    good = signed(docs_key, "POST", "/orders", JSON, ORDER)
    cases: List[Tuple[Optional[str], bytes, str]] = [
        (None, ORDER, "InvalidToken"),
        ("not-a-token", ORDER, "InvalidToken"),
        (signed(key, "POST", "/orders", JSON, ORDER), ORDER, "SignatureInvalid"),
        (good, b'{"orderId": 999}', "EdtsMismatch"),
        (taap.PopToken.build(docs_key, [("body", ORDER.decode())]), ORDER, "InvalidToken"),
    ]
    for pop, body, kind in cases:
        status, answer = send("POST", "/orders", JSON, body, pop)
        assert (status, answer["error"]) == (401, kind), answer
        assert answer["message"] and "PRIVATE KEY" not in answer["message"]
    assert send("POST", "/orders", JSON, ORDER, good)[0] == 200
    status, answer = send("POST", "/orders", JSON, ORDER, good)
    assert (status, answer["error"]) == (401, "Replay")
    assert calls == [ORDER]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_lookup_callback_finds_the_key_by_client_id(framework: str, docs_key: taap.PrivateKey) -> None:
    keys: Dict[str, taap.PublicKey] = {"app-1": docs_key.public_key()}
    calls: List[bytes] = []
    send = sender(framework, calls, public_key=keys.get)
    pop = signed(docs_key, "GET", "/orders")
    assert send("GET", "/orders", [("X-Client-Id", "app-1")], b"", pop)[0] == 200
    status, answer = send("GET", "/orders", [("X-Client-Id", "app-2")], b"", signed(docs_key, "GET", "/orders"))
    assert (status, answer["error"]) == (401, "InvalidToken")
    status, answer = send("GET", "/orders", [], b"", signed(docs_key, "GET", "/orders"))
    assert (status, answer["error"]) == (401, "InvalidToken")
    assert calls == [b""]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_required_names_and_replay_off(framework: str, docs_key: taap.PrivateKey, public_pem: str) -> None:
    calls: List[bytes] = []
    send = sender(framework, calls, public_key=public_pem, required=["X-Api-Version"], replay_store=None)
    pop = signed(docs_key, "GET", "/orders")
    status, answer = send("GET", "/orders", [], b"", pop)
    assert (status, answer["error"]) == (401, "InvalidToken")
    headers = [("X-Api-Version", "2")]
    pop = signed(docs_key, "GET", "/orders", headers)
    assert send("GET", "/orders", headers, b"", pop)[0] == 200
    assert send("GET", "/orders", headers, b"", pop)[0] == 200, "replay detection is off"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_bodies_beyond_max_body_are_413(framework: str, docs_key: taap.PrivateKey, public_pem: str) -> None:
    calls: List[bytes] = []
    send = sender(framework, calls, public_key=public_pem, max_body=8)
    status, answer = send("POST", "/orders", JSON, ORDER, signed(docs_key, "POST", "/orders", JSON, ORDER))
    assert (status, answer["error"]) == (413, "RequestTooLarge")
    assert calls == []


def test_options_are_checked_when_the_middleware_is_made(public_pem: str) -> None:
    app: Any = lambda *args: None  # noqa: E731
    schema_messages = [
        ({"leeway": -1}, "option leeway is -1; choose 0 to 300 seconds"),
        ({"max_age": "60"}, "option max_age must be a whole number of seconds, not a string"),
        ({"max_body": -1}, "option max_body is -1; choose at least 0 bytes"),
        ({"client_id_header": 5}, "option client_id_header must be a string, not 5"),
    ]
    for middleware in (asgi.PopMiddleware, wsgi.PopMiddleware):
        for options, message in schema_messages:
            with pytest.raises(taap.ConfigError) as refused:
                middleware(app, public_key=public_pem, **options)
            assert str(refused.value) == f"invalid configuration: {message}"
    with pytest.raises(taap.ConfigError) as refused:
        wsgi.PopMiddleware(app, public_key=public_pem, replay_store="memcached://:hunter2@127.0.0.1:11211")
    assert str(refused.value) == (
        'invalid configuration: option replay_store must be "memory", a capacity, a redis:// URL or false, not a string'
    )
    with pytest.raises(taap.ConfigError) as refused:
        asgi.PopMiddleware(app, public_key=public_pem, replay_store="redis://:hunter2@[::1")
    assert str(refused.value) == "invalid configuration: the replay store URL is not a valid redis://host:port[/db] URL"
    with pytest.raises(taap.InvalidKeyError):
        wsgi.PopMiddleware(app, public_key="not a key")
