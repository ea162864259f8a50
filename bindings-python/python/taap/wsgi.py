"""WSGI middleware (Flask, Django, any WSGI app) that lets through only requests carrying a
valid TAAP PoP token in ``X-Authorization``::

    from taap.wsgi import PopMiddleware

    app.wsgi_app = PopMiddleware(app.wsgi_app, public_key=open("client_public.pem").read())

A request without a token, with an invalid one, or replaying one is answered 401 with
``{"error": "<ErrorKind>", "message": …}`` and never reaches the app. The body is read whole
(up to ``max_body`` bytes, else 413) because the token may sign it, then handed to the app
unchanged in ``wsgi.input`` (with ``CONTENT_LENGTH`` set to its length). A body without
``Content-Length`` is read to its end when the server sets ``wsgi.input_terminated``; a chunked
body on a server that does not is answered 411 ``{"error": "LengthRequired", …}``, since its
end cannot be known. Replays are remembered in this process, or, with
``replay_store="redis://host:port/db"``, in a Redis every node shares (the key scheme and
fail-closed rule of ``taap serve --replay-store``: Redis slow or down means 503).

Header values and ``RAW_URI``/``REQUEST_URI`` are checked as the bytes received (PEP 3333
gives them as latin-1 text). A header sent twice reaches WSGI joined by ``,``, which the core
refuses for ``X-Authorization`` and ``Authorization``; a server that keeps only one copy
cannot be told from one that received one.
"""

from __future__ import annotations

import io
import json
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union
from urllib.parse import quote

from ._middleware import (
    DEFAULT_CLIENT_ID_HEADER,
    DEFAULT_LEEWAY,
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_BODY,
    DEFAULT_REQUIRED,
    PATH_SAFE,
    Answer,
    KeyOption,
    MetricsOption,
    PopCheck,
    ReplayStore,
    target_text,
)

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

__all__ = ["PopMiddleware"]

_STATUS_LINES = {
    401: "401 Unauthorized",
    411: "411 Length Required",
    413: "413 Content Too Large",
    503: "503 Service Unavailable",
}
#: Bytes read from ``wsgi.input`` at a time when reading to its end.
_READ_SIZE = 64 * 1024


class PopMiddleware:
    """Wraps ``app``; see the module docstring. ``public_key`` is a ``PublicKey``, PEM or JWK
    text, or a callback from client id (the ``client_id_header`` header) to one of those.
    ``metrics``: a ``prometheus_client.CollectorRegistry`` (or True for its default registry)
    to count decisions into, under the names of the Rust ``PopLayer`` (docs/operations.md)."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        public_key: KeyOption,
        required: Iterable[str] = DEFAULT_REQUIRED,
        replay_store: ReplayStore = "memory",
        leeway: int = DEFAULT_LEEWAY,
        max_age: int = DEFAULT_MAX_AGE,
        max_body: int = DEFAULT_MAX_BODY,
        client_id_header: str = DEFAULT_CLIENT_ID_HEADER,
        metrics: MetricsOption = None,
    ) -> None:
        self.app = app
        self._check = PopCheck(public_key, required, replay_store, leeway, max_age, max_body, client_id_header, metrics)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ, self._check)
        if not isinstance(body, bytes):
            return _answer(start_response, body)
        method = environ.get("REQUEST_METHOD", "GET")
        refusal = self._check.refusal(method, _target(environ), _headers(environ), body)
        if refusal is not None:
            return _answer(start_response, refusal)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


def _target(environ: Environ) -> str:
    # Servers that keep the request target as sent (gunicorn, werkzeug) give it as RAW_URI or
    # REQUEST_URI; otherwise it is rebuilt from the decoded path.
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return target_text(_wire(str(raw)))
    path = quote(_wire(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")), safe=PATH_SAFE)
    query = target_text(_wire(environ.get("QUERY_STRING", "")))
    return f"{path}?{query}" if query else path


def _wire(text: str) -> bytes:
    """The bytes a PEP 3333 environ string stands for (they arrive decoded as latin-1)."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        # Only a server breaking PEP 3333 gives characters beyond latin-1: read them as the
        # UTF-8 (or, for surrogate escapes, the bytes) they most likely came from.
        return text.encode("utf-8", "surrogateescape")


def _headers(environ: Environ) -> List[Tuple[str, bytes]]:
    headers = [
        (key[5:].replace("_", "-"), _wire(str(value))) for key, value in environ.items() if key.startswith("HTTP_")
    ]
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            headers.append((name, _wire(str(environ[key]))))
    return headers


def _read_body(environ: Environ, check: PopCheck) -> Union[bytes, Answer]:
    """The whole body, or the answer refusing it: the gate's 413 beyond ``max_body``, 411 for an
    unended chunked body."""
    limit = check.max_body
    stream = environ.get("wsgi.input")
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    terminated = bool(environ.get("wsgi.input_terminated"))
    if chunked and not terminated:
        return check.answered(_length_required())
    if chunked or (terminated and not environ.get("CONTENT_LENGTH")):
        body = _read_to_end(stream, limit) if stream is not None else b""
        return check.too_large() if body is None else body
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return check.too_large()
    if stream is None or length <= 0:
        return b""
    return bytes(stream.read(length))


def _read_to_end(stream: Any, limit: int) -> Optional[bytes]:
    """Everything left in ``stream``, or None once it passes ``limit`` bytes."""
    chunks: List[bytes] = []
    size = 0
    while True:
        # One byte past the limit is enough to know the body is too large.
        chunk = bytes(stream.read(min(_READ_SIZE, limit + 1 - size)))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


def _length_required() -> Answer:
    """411 for a chunked body the server cannot say the end of: WSGI's own answer, not a token rule."""
    message = "a chunked body needs a server that sets wsgi.input_terminated; send Content-Length"
    body = json.dumps({"error": "LengthRequired", "message": message})
    return 411, [("content-type", "application/json")], body.encode()


def _answer(start_response: StartResponse, answer: Answer) -> List[bytes]:
    status, headers, body = answer
    start_response(_STATUS_LINES[status], [*headers, ("Content-Length", str(len(body)))])
    return [body]
