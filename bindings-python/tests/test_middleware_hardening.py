"""taap.asgi and taap.wsgi PopMiddleware against requests shaped to slip past them: names that
spell a pseudo-name in another case, UTF-8 header values, dot segments, chunked bodies, repeated
or joined credentials, odd jti and crit, one jti used by two clients. Requests are hand-built
ASGI scopes and WSGI environs (bytes as a server gives them), and every PoP token is made with
PyJWT + cryptography over the exact bytes, not with taap."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import time
import uuid
from typing import Any, Dict, List, MutableMapping, Optional, Sequence, Tuple, Union
from urllib.parse import unquote, unquote_to_bytes

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import taap
from taap import asgi, wsgi

Pairs = Sequence[Tuple[str, bytes]]
Reply = Tuple[int, Dict[str, Any]]
Key = rsa.RSAPrivateKey

ITEM = "/api/items/42"
ORDER = b'{"orderId": 100, "product": "Mobile Phone"}'
FRAMEWORKS = ["asgi", "wsgi"]


@pytest.fixture(scope="module")
def keys() -> Dict[str, Key]:
    """Two clients' keys, c and d, generated with cryptography."""
    return {name: rsa.generate_private_key(public_exponent=65537, key_size=2048) for name in ("c", "d")}


@pytest.fixture(scope="module")
def key(keys: Dict[str, Key]) -> Key:
    return keys["c"]


def public_pem(key: Key) -> str:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_key().public_bytes(serialization.Encoding.PEM, spki).decode()


def pop(key: Key, signed: Pairs, *, jti: Optional[str] = None, header: Optional[Dict[str, Any]] = None) -> bytes:
    """The PoP token over ``signed`` (ehts name, exact value bytes), as T-Mobile's docs build it."""
    iat = int(time.time())
    digest = hashlib.sha256(b"".join(value for _, value in signed)).digest()
    claims = {
        "edts": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "v": "1",
        "exp": iat + 120,
        "ehts": ";".join(name for name, _ in signed),
        "iat": iat,
        "jti": str(uuid.uuid4()) if jti is None else jti,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers=header).encode()


def line(method: str, uri: str) -> List[Tuple[str, bytes]]:
    """The request line as a token signs it."""
    return [("uri", uri.encode()), ("http-method", method.encode())]


class Asgi:
    """asgi.PopMiddleware in front of an app that records the body it gets; requests are scopes."""

    def __init__(self, **options: Any) -> None:
        self.bodies: List[bytes] = []
        self.middleware = asgi.PopMiddleware(self.app, **options)

    async def app(self, scope: Any, receive: Any, send: Any) -> None:
        self.bodies.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"ok": true}'})

    def send(self, method: str, target: Union[str, bytes], headers: Pairs, body: bytes = b"", **ignored: Any) -> Reply:
        raw = target.encode() if isinstance(target, str) else target
        raw_path, _, query = raw.partition(b"?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": unquote(raw_path.decode("latin-1")),
            "raw_path": raw_path,
            "query_string": query,
            "root_path": "",
            # As servers give them: lower-case names, bytes values, every line kept.
            "headers": [(name.lower().encode(), value) for name, value in headers],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        sent: List[Dict[str, Any]] = []

        async def receive() -> Dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(dict(message))

        asyncio.run(self.middleware(scope, receive, send))
        return sent[0]["status"], json.loads(b"".join(message.get("body", b"") for message in sent[1:]))


def environ(
    method: str,
    target: str,
    headers: Pairs,
    body: bytes = b"",
    *,
    raw: Optional[str] = "RAW_URI",
    chunked: bool = False,
    terminated: bool = False,
    stream: Any = None,
) -> Dict[str, Any]:
    """A PEP 3333 environ: values latin-1 text, a header sent twice joined by ','; the target
    as sent under ``raw`` (RAW_URI, REQUEST_URI) unless None, and always as PATH_INFO."""
    path, _, query = target.partition("?")
    built: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path.encode("latin-1")).decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body) if stream is None else stream,
        "wsgi.errors": io.StringIO(),
    }
    if raw:
        built[raw] = target
    if chunked:
        built["HTTP_TRANSFER_ENCODING"] = "chunked"
    elif body:
        built["CONTENT_LENGTH"] = str(len(body))
    if terminated:
        built["wsgi.input_terminated"] = True
    for name, value in headers:
        key = "HTTP_" + name.upper().replace("-", "_")
        text = value.decode("latin-1")
        built[key] = f"{built[key]},{text}" if key in built else text
    return built


class Wsgi:
    """wsgi.PopMiddleware in front of an app that records the body it reads by CONTENT_LENGTH."""

    def __init__(self, **options: Any) -> None:
        self.bodies: List[bytes] = []
        self.middleware = wsgi.PopMiddleware(self.app, **options)

    def app(self, environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        self.bodies.append(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']

    def call(self, built: Dict[str, Any]) -> Reply:
        statuses: List[str] = []
        body = b"".join(self.middleware(built, lambda status, headers, exc_info=None: statuses.append(status)))
        return int(statuses[0].split()[0]), json.loads(body)

    def send(self, method: str, target: Union[str, bytes], headers: Pairs, body: bytes = b"", **options: Any) -> Reply:
        text = target.decode("latin-1") if isinstance(target, bytes) else target
        return self.call(environ(method, text, headers, body, **options))


def served(framework: str, **options: Any) -> Union[Asgi, Wsgi]:
    return Asgi(**options) if framework == "asgi" else Wsgi(**options)


def kind(reply: Reply) -> Tuple[int, str]:
    status, answer = reply
    return status, answer.get("error", "")


class Trickle(io.RawIOBase):
    """An input stream that gives at most three bytes a read, as a socket may."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.data.read(3 if size < 0 else min(size, 3))


# --- ehts names that spell uri / http-method in another case --------------------------------

FORGED = [("Authorization", b"Bearer abc"), ("URI", ITEM.encode()), ("HTTP-METHOD", b"GET")]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_pseudo_names_in_another_case_do_not_meet_the_required_request_line(framework: str, key: Key) -> None:
    app = served(framework, public_key=public_pem(key))
    headers = [*FORGED, ("X-Authorization", pop(key, FORGED))]
    assert kind(app.send("DELETE", "/admin/wipe", headers)) == (401, "InvalidToken")
    assert app.bodies == []


def test_pseudo_names_in_another_case_through_validate_request(key: Key) -> None:
    validator = taap.PopTokenValidator(required=["uri", "http-method"], replay_cache=True)
    headers = [*FORGED, ("X-Authorization", pop(key, FORGED))]
    with pytest.raises(taap.InvalidTokenError):
        validator.validate_request(taap.PublicKey.from_pem(public_pem(key)), "DELETE", "/admin/wipe", headers)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(taap.InvalidEhtsError):
        taap.PopToken.build(taap.PrivateKey.from_pem(pem), [(name, value.decode()) for name, value in FORGED])


# --- header values and targets are the bytes received ----------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_signed_utf8_header_value_passes(framework: str, key: Key) -> None:
    app = served(framework, public_key=public_pem(key))
    note = ("X-Note", "café".encode())
    headers = [note, ("X-Authorization", pop(key, [note, *line("GET", "/api/notes")]))]
    assert app.send("GET", "/api/notes", headers) == (200, {"ok": True})
    assert app.bodies == [b""]


@pytest.mark.parametrize(("framework", "raw"), [("asgi", None), ("wsgi", "RAW_URI"), ("wsgi", None)])
def test_target_bytes_beyond_ascii_read_as_their_escapes(framework: str, raw: Optional[str], key: Key) -> None:
    app = served(framework, public_key=public_pem(key))
    sent = "/notes/café?q=thé".encode()
    uri = "/notes/caf%C3%A9?q=thé"  # the path as a URL parser escapes it; the query decoded
    assert app.send("GET", sent, [("X-Authorization", pop(key, line("GET", uri)))], raw=raw) == (200, {"ok": True})


@pytest.mark.parametrize(
    ("framework", "target", "raw"),
    [
        ("asgi", "/api/admin/%2e%2e/items/42", None),
        ("asgi", "/api/admin/../items/42", None),
        ("wsgi", "/api/admin/%2e%2e/items/42", "RAW_URI"),
        ("wsgi", "/api/admin/%2e%2e/items/42", "REQUEST_URI"),
        ("wsgi", "/api/admin/../items/42", None),
    ],
)
def test_dot_segments_stay_in_uri(framework: str, target: str, raw: Optional[str], key: Key) -> None:
    app = served(framework, public_key=public_pem(key))
    token = pop(key, line("GET", ITEM))
    assert kind(app.send("GET", target, [("X-Authorization", token)], raw=raw)) == (401, "EdtsMismatch")
    assert app.send("GET", ITEM, [("X-Authorization", token)], raw=raw) == (200, {"ok": True})
    assert app.bodies == [b""]


# --- WSGI bodies without Content-Length -------------------------------------------------------


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "no-length"])
def test_an_unlengthed_body_is_read_to_its_end_when_the_server_ends_the_input(chunked: bool, key: Key) -> None:
    app = Wsgi(public_key=public_pem(key))
    token = pop(key, [*line("POST", "/orders"), ("body", ORDER)])
    built = environ("POST", "/orders", [("X-Authorization", token)], chunked=chunked, terminated=True, stream=Trickle(ORDER))
    assert "CONTENT_LENGTH" not in built
    assert app.call(built) == (200, {"ok": True})
    assert app.bodies == [ORDER]


def test_a_chunked_body_is_checked_not_taken_as_empty(key: Key) -> None:
    app = Wsgi(public_key=public_pem(key))
    token = pop(key, [*line("POST", "/orders"), ("body", b"")])
    reply = app.send("POST", "/orders", [("X-Authorization", token)], ORDER, chunked=True, terminated=True)
    assert kind(reply) == (401, "EdtsMismatch")
    assert app.bodies == []


def test_a_chunked_body_the_server_does_not_end_is_411(key: Key) -> None:
    app = Wsgi(public_key=public_pem(key))
    token = pop(key, [*line("POST", "/orders"), ("body", b"")])
    reply = app.send("POST", "/orders", [("X-Authorization", token)], ORDER, chunked=True)
    assert kind(reply) == (411, "LengthRequired")
    assert "wsgi.input_terminated" in reply[1]["message"]
    assert app.bodies == []


def test_a_chunked_body_beyond_max_body_is_413(key: Key) -> None:
    app = Wsgi(public_key=public_pem(key), max_body=8)
    token = pop(key, [*line("POST", "/orders"), ("body", b"")])
    reply = app.send("POST", "/orders", [("X-Authorization", token)], ORDER, chunked=True, terminated=True)
    assert kind(reply) == (413, "RequestTooLarge")
    assert app.bodies == []


# --- repeated and joined credentials ------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_x_authorization_sent_twice_is_refused(framework: str, key: Key) -> None:
    app = served(framework, public_key=public_pem(key))
    token = pop(key, line("GET", ITEM))
    headers = [("X-Authorization", token), ("X-Authorization", pop(key, line("GET", ITEM)))]
    status, answer = app.send("GET", ITEM, headers)
    assert (status, answer["error"]) == (401, "InvalidToken")
    # WSGI gets the two joined, which alone already fails to parse: the message says why.
    assert ("appears 2 times" if framework == "asgi" else "joined by ','") in answer["message"]
    assert app.bodies == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_authorization_sent_twice_is_refused(framework: str, key: Key) -> None:
    app = served(framework, public_key=public_pem(key))
    bearer = ("Authorization", b"Bearer abc")
    headers = [bearer, ("Authorization", b"Bearer other"), ("X-Authorization", pop(key, [bearer, *line("GET", ITEM)]))]
    assert kind(app.send("GET", ITEM, headers)) == (401, "InvalidToken")
    assert app.bodies == []


def test_wsgi_bearer_credentials_joined_by_a_comma_are_refused_even_when_signed(key: Key) -> None:
    app = Wsgi(public_key=public_pem(key))
    joined = ("Authorization", b"Bearer a,Bearer b")
    headers = [joined, ("X-Authorization", pop(key, [joined, *line("GET", ITEM)]))]
    assert kind(app.send("GET", ITEM, headers)) == (401, "InvalidToken")
    assert app.bodies == []


def test_wsgi_x_authorization_joined_by_a_comma_is_refused(key: Key) -> None:
    app = Wsgi(public_key=public_pem(key))
    token = pop(key, line("GET", ITEM))
    status, answer = app.send("GET", ITEM, [("X-Authorization", token + b"," + token)])
    assert (status, answer["error"]) == (401, "InvalidToken")
    assert "joined by ','" in answer["message"]
    assert app.bodies == []


# --- jti and crit -------------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"jti": ""}, (401, "InvalidToken")),
        ({"jti": "j" * 300}, (401, "InvalidToken")),
        ({"header": {"crit": None}}, (401, "InvalidToken")),
        ({"jti": "j" * 256}, (200, "")),
    ],
    ids=["jti-empty", "jti-300-bytes", "crit-null", "jti-256-bytes"],
)
def test_jti_length_and_crit(framework: str, options: Dict[str, Any], expected: Tuple[int, str], key: Key) -> None:
    app = served(framework, public_key=public_pem(key))
    assert kind(app.send("GET", ITEM, [("X-Authorization", pop(key, line("GET", ITEM), **options))])) == expected
    assert app.bodies == ([b""] if expected[0] == 200 else [])


# --- replay is per client ------------------------------------------------------------------------


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_one_clients_jti_is_not_anothers_replay(framework: str, keys: Dict[str, Key]) -> None:
    pems = {name: public_pem(key) for name, key in keys.items()}
    app = served(framework, public_key=pems.get)
    jti = str(uuid.uuid4())
    d_token, c_token = (pop(keys[name], line("GET", ITEM), jti=jti) for name in ("d", "c"))
    assert app.send("GET", ITEM, [("X-Client-Id", b"d"), ("X-Authorization", d_token)]) == (200, {"ok": True})
    assert app.send("GET", ITEM, [("X-Client-Id", b"c"), ("X-Authorization", c_token)]) == (200, {"ok": True})
    assert kind(app.send("GET", ITEM, [("X-Client-Id", b"c"), ("X-Authorization", c_token)])) == (401, "Replay")
    assert app.bodies == [b"", b""]


def test_a_client_id_sent_twice_is_refused(keys: Dict[str, Key]) -> None:
    # ASGI only: WSGI gets the two joined by ',', which names no client.
    pems = {name: public_pem(key) for name, key in keys.items()}
    app = Asgi(public_key=pems.get)
    headers = [("X-Client-Id", b"c"), ("X-Client-Id", b"d"), ("X-Authorization", pop(keys["c"], line("GET", ITEM)))]
    assert kind(app.send("GET", ITEM, headers)) == (401, "InvalidToken")
    assert app.bodies == []
