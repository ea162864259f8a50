"""WSGI middleware (Flask, Django, any WSGI app) that lets through only requests carrying a
valid TAAP PoP token in ``X-Authorization``::

    from taap.wsgi import PopMiddleware

    app.wsgi_app = PopMiddleware(app.wsgi_app, public_key=open("client_public.pem").read())

A request without a token, with an invalid one, or replaying one is answered 401 with
``{"error": "<ErrorKind>", "message": …}`` and never reaches the app. The body is read whole
(up to ``max_body`` bytes, else 413) because the token may sign it, then handed to the app
unchanged in ``wsgi.input``. Replays are remembered in this process, or, with
``replay_store="redis://host:port/db"``, in a Redis every node shares (the key scheme and
fail-closed rule of ``taap serve --replay-store``: Redis slow or down means 503).
"""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

from ._middleware import (
    DEFAULT_CLIENT_ID_HEADER,
    DEFAULT_MAX_BODY,
    DEFAULT_REQUIRED,
    Answer,
    KeySource,
    PopCheck,
    ReplayStore,
    too_large,
)
from ._taap import DEFAULT_LEEWAY, DEFAULT_MAX_AGE

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

__all__ = ["PopMiddleware"]

_STATUS_LINES = {401: "401 Unauthorized", 413: "413 Content Too Large", 503: "503 Service Unavailable"}


class PopMiddleware:
    """Wraps ``app``; see the module docstring. ``public_key`` is a ``PublicKey``, PEM or JWK
    text, or a callback from client id (the ``client_id_header`` header) to one of those."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        public_key: KeySource,
        required: Iterable[str] = DEFAULT_REQUIRED,
        replay_store: ReplayStore = "memory",
        leeway: int = DEFAULT_LEEWAY,
        max_age: int = DEFAULT_MAX_AGE,
        max_body: int = DEFAULT_MAX_BODY,
        client_id_header: str = DEFAULT_CLIENT_ID_HEADER,
    ) -> None:
        self.app = app
        self._check = PopCheck(public_key, required, replay_store, leeway, max_age, max_body, client_id_header)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ, self._check.max_body)
        if body is None:
            return _answer(start_response, too_large(self._check.max_body))
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
        return str(raw)
    path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/;=,!$&'()*+@:~")
    query = environ.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


def _headers(environ: Environ) -> List[Tuple[str, str]]:
    headers = [(key[5:].replace("_", "-"), str(value)) for key, value in environ.items() if key.startswith("HTTP_")]
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            headers.append((name, str(environ[key])))
    return headers


def _read_body(environ: Environ, limit: int) -> Optional[bytes]:
    """The whole body, or None when it is larger than ``limit`` bytes."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return None
    stream = environ.get("wsgi.input")
    if stream is None or length <= 0:
        return b""
    return bytes(stream.read(length))


def _answer(start_response: StartResponse, answer: Answer) -> List[bytes]:
    status, headers, body = answer
    start_response(_STATUS_LINES[status], [*headers, ("Content-Length", str(len(body)))])
    return [body]
