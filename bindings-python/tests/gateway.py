"""A local TAAP gateway on 127.0.0.1 for the integration tests.

It checks PoP tokens the way a Python gateway should: the request as received (method, raw
target, header bytes, body) goes to ``PopTokenValidator.validate_request``, so ``uri`` and
header lookups follow the core's rules and nothing here rebuilds them. That the tokens match
a second implementation is shown by the conformance vectors (T-Mobile's own builder).
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Tuple

import taap

ACCESS_TOKEN = "local-access-token-0123456789"


class Gateway:
    """Token endpoint at ``/oauth2/v2/tokens``; every other path is an API that echoes what it checked."""

    def __init__(self, public_pem: str, client_id: str = "id", client_secret: str = "secret", uri_form: str = "decoded", expires_in: int = 3599, numbered: bool = False) -> None:
        self.public_key = taap.PublicKey.from_pem(public_pem)
        self.uri_form = uri_form
        self.received: List[Tuple[str, Dict[str, str], bytes]] = []
        self.validator = taap.PopTokenValidator()
        self.basic = "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self.token_requests = 0
        self.expires_in = expires_in
        # Numbered tokens ("…-1", "…-2") show which token request a client's token came from.
        self.numbered = numbered
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "Gateway":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def check_pop(self, handler: BaseHTTPRequestHandler, body: bytes) -> Tuple[Optional[taap.TaapError], Dict[str, Any]]:
        """(None, claims) when the PoP token is good, else (the core's error, {})."""
        # http.server decodes header bytes as ISO-8859-1; encoding back gives what was sent.
        headers = [(name, value.encode("latin-1")) for name, value in handler.headers.items()]
        try:
            token = self.validator.validate_request(self.public_key, handler.command, handler.path, headers, body, uri_form=self.uri_form)
        except taap.TaapError as error:
            return error, {}
        return None, {"ehts": ";".join(token.ehts)}

    def _handler(self) -> type:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def answer(self, status: int, payload: Dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                    return self.rfile.read(int(self.headers.get("Content-Length") or 0))
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                    if size == 0:
                        return b"".join(chunks)

            def handle_any(self) -> None:
                body = self.read_body()
                with gateway.lock:
                    gateway.received.append((self.path, {name.lower(): value for name, value in self.headers.items()}, body))
                problem, claims = gateway.check_pop(self, body)
                if problem is not None:
                    return self.answer(401, {"error": "invalid_pop", "code": problem.code, "error_description": str(problem)})
                if self.path.startswith("/oauth2/v2/tokens"):
                    if self.headers.get("Authorization") != gateway.basic:
                        return self.answer(401, {"error": "invalid_client", "error_description": "bad credentials"})
                    with gateway.lock:
                        gateway.token_requests += 1
                    token = f"{ACCESS_TOKEN}-{gateway.token_requests}" if gateway.numbered else ACCESS_TOKEN
                    return self.answer(200, {"access_token": token, "expires_in": str(gateway.expires_in), "scope": "s", "status": "success"})
                if self.headers.get("Authorization") not in (None, f"Bearer {ACCESS_TOKEN}") and self.path.startswith("/bearer"):
                    return self.answer(401, {"error": "invalid_token"})
                self.answer(200, {"ehts": claims["ehts"], "authorization": self.headers.get("Authorization"), "body": body.decode("latin-1")})

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

        return Handler


def serve(public_pem: str) -> Iterator[Gateway]:
    with Gateway(public_pem) as gateway:
        yield gateway
