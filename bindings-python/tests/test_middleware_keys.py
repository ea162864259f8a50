"""``taap.KeySource`` in taap.asgi and taap.wsgi: a client's several keys (``kid``s and
``nbf``/``exp`` windows), a key file read again when it changes, and a JWK set URL served by a
small HTTP server these tests start on a loopback port (cached per ``Cache-Control``, 503
``KeySourceUnavailable`` when it cannot be fetched), counted by the metrics under that kind."""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

import taap
from taap import asgi, wsgi
from taap._taap import PopGate
from test_middleware_gate import asgi_send, wsgi_send

TARGET = "/orders?page=2"
FRAMEWORKS = ["asgi", "wsgi"]


def accepted(*args: Any) -> Any:
    """An app that answers 204 in either framework."""
    if len(args) == 2:  # WSGI: (environ, start_response)
        args[1]("204 No Content", [])
        return [b""]

    async def asgi_app(send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return asgi_app(args[2])


def status_of(framework: str, key: taap.PrivateKey, **options: Any) -> Tuple[int, Dict[str, Any]]:
    """(status, JSON body or {}) of one POST signed by ``key`` through a fresh middleware."""
    middleware = (asgi if framework == "asgi" else wsgi).PopMiddleware(accepted, **options)
    return send_signed(framework, middleware, key)


def send_signed(framework: str, middleware: Any, key: taap.PrivateKey, client: Optional[str] = None) -> Tuple[int, Dict[str, Any]]:
    body = b'{"sku":"TMO-5G"}'
    headers = [("x-client-id", client)] if client else []
    pop = taap.PopToken.for_request(key, "POST", "http://127.0.0.1" + TARGET, headers, body)
    raw = [(name, value.encode()) for name, value in [*headers, (taap.POP_HEADER, pop)]]
    sender = asgi_send if framework == "asgi" else wsgi_send
    status, _, answer = sender(middleware, "POST", TARGET, raw, body)
    return status, json.loads(answer) if answer else {}


def jwk(key: taap.PrivateKey, **members: Any) -> Dict[str, Any]:
    return {**key.public_key().to_jwk(), **members}


@pytest.fixture(scope="module")
def keys() -> List[taap.PrivateKey]:
    return [taap.PrivateKey.generate() for _ in range(3)]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_current_key_of_a_set_is_accepted_and_an_expired_one_refused(framework: str, keys: List[taap.PrivateKey]) -> None:
    old, new, other = keys
    now = int(time.time())
    jwks = {"keys": [jwk(old, kid="2025", exp=now - 10), jwk(new, kid="2026", nbf=now - 10)]}
    source = taap.KeySource.parse(json.dumps(jwks))
    assert (source.kind, len(source)) == ("fixed", 2)
    assert status_of(framework, new, public_key=source) == (204, {})
    refused_old = status_of(framework, old, public_key=source)
    assert (refused_old[0], refused_old[1]["error"]) == (401, "SignatureInvalid")
    assert status_of(framework, other, public_key=source)[1]["error"] == "SignatureInvalid"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_lookup_may_answer_with_a_client_s_key_source(framework: str, keys: List[taap.PrivateKey]) -> None:
    old, new, _ = keys
    sources = {"rotating": taap.KeySource.parse(json.dumps({"keys": [jwk(old), jwk(new)]}))}
    middleware = (asgi if framework == "asgi" else wsgi).PopMiddleware(accepted, public_key=sources.get)
    assert send_signed(framework, middleware, old, "rotating") == (204, {})
    assert send_signed(framework, middleware, new, "rotating") == (204, {})
    unknown = send_signed(framework, middleware, new, "someone-else")
    assert unknown == (401, {"error": "InvalidToken", "message": "invalid PoP token: no public key is registered for this client id"})


def test_a_key_file_is_read_again_when_it_changes(tmp_path: Path, keys: List[taap.PrivateKey]) -> None:
    old, new, _ = keys
    path = tmp_path / "client-keys.json"
    path.write_text(json.dumps({"keys": [jwk(old)]}))
    source = taap.KeySource.from_file(path)
    assert source.kind == "file"
    middleware = wsgi.PopMiddleware(accepted, public_key=source)
    assert send_signed("wsgi", middleware, old) == (204, {})
    assert send_signed("wsgi", middleware, new)[0] == 401
    path.write_text(json.dumps({"keys": [jwk(new)]}))
    later = time.time() + 5  # a modification time the check cannot miss, whatever the clock's grain
    os.utime(path, (later, later))
    time.sleep(1.1)  # the file is looked at once a second at most
    assert send_signed("wsgi", middleware, new) == (204, {})
    assert send_signed("wsgi", middleware, old)[1]["error"] == "SignatureInvalid"


class JwksServer:
    """A JWK set on 127.0.0.1, with ``Cache-Control: max-age=300``; counts its fetches."""

    def __init__(self, jwks: Dict[str, Any]) -> None:
        self.fetches = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                owner.fetches += 1
                body = json.dumps(jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "max-age=300")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks_server(keys: List[taap.PrivateKey]) -> Iterator[JwksServer]:
    server = JwksServer({"keys": [jwk(keys[0], kid="k0"), jwk(keys[1], kid="k1")]})
    yield server
    server.stop()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_jwks_url_is_fetched_once_then_served_from_its_cache(framework: str, jwks_server: JwksServer, keys: List[taap.PrivateKey]) -> None:
    source = taap.KeySource.from_jwks_url(jwks_server.url)
    assert repr(source) == f'<KeySource kind="jwks" url="{jwks_server.url}">'
    middleware = (asgi if framework == "asgi" else wsgi).PopMiddleware(accepted, public_key=source)
    for key in (keys[0], keys[1], keys[0]):
        assert send_signed(framework, middleware, key) == (204, {})
    assert send_signed(framework, middleware, keys[2])[1]["error"] == "SignatureInvalid"
    assert jwks_server.fetches == 1
    jwks_server.stop()
    assert send_signed(framework, middleware, keys[1]) == (204, {})  # the cached copy


def test_a_check_waits_only_while_the_source_must_fetch(jwks_server: JwksServer, keys: List[taap.PrivateKey]) -> None:
    gate = PopGate()
    source = taap.KeySource.from_jwks_url(jwks_server.url)
    assert gate.waits(source, []) is True
    assert len(source) == 2
    assert gate.waits(source, []) is False
    assert gate.waits(keys[0].public_key(), []) is False


def closed_port_url() -> str:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/jwks.json"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_key_source_that_cannot_be_fetched_is_503_and_counted_under_its_kind(framework: str, keys: List[taap.PrivateKey]) -> None:
    registry = CollectorRegistry()
    url = closed_port_url()
    middleware = (asgi if framework == "asgi" else wsgi).PopMiddleware(
        accepted, public_key=taap.KeySource.from_jwks_url(url), metrics=registry
    )
    body = b"{}"
    pop = taap.PopToken.for_request(keys[0], "POST", "http://127.0.0.1" + TARGET, [], body)
    sender = asgi_send if framework == "asgi" else wsgi_send
    status, headers, answer = sender(middleware, "POST", TARGET, [(taap.POP_HEADER, pop.encode())], body)
    parsed = json.loads(answer)
    assert (status, parsed["error"]) == (503, "KeySourceUnavailable")
    assert parsed["message"].startswith("key source unavailable: ")
    assert url in parsed["message"]
    assert ("retry-after", "1") in [(name.lower(), value) for name, value in headers]
    families = {family.name: family for family in text_string_to_metric_families(generate_latest(registry).decode())}
    decisions = {tuple(sorted(sample.labels.items())): sample.value for sample in families["taap_pop_decisions"].samples}
    assert decisions == {
        (("kind", ""), ("outcome", "accepted")): 0.0,
        (("kind", "KeySourceUnavailable"), ("outcome", "refused")): 1.0,
    }
