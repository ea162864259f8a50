"""ASGI middleware (Starlette, FastAPI, any ASGI app) that lets through only HTTP requests
carrying a valid TAAP PoP token in ``X-Authorization``::

    from taap.asgi import PopMiddleware

    app.add_middleware(PopMiddleware, public_key=open("client_public.pem").read())

A request without a token, with an invalid one, or replaying one is answered 401 with
``{"error": "<ErrorKind>", "message": …}`` and never reaches the app. The body is read whole
(up to ``max_body`` bytes, else 413) because the token may sign it, then handed to the app
unchanged. Replays are remembered in this process, or, with
``replay_store="redis://host:port/db"``, in a Redis every node shares (the key scheme and
fail-closed rule of ``taap serve --replay-store``: Redis slow or down means 503; the check then
runs in a worker thread).

Header values and ``raw_path`` are checked as the bytes received, every header line kept, so
the core refuses an ``X-Authorization`` or ``Authorization`` sent twice.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, Iterable, List, MutableMapping, Optional, Tuple
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

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["PopMiddleware"]


class PopMiddleware:
    """Wraps ``app``; see the module docstring. ``public_key`` is a ``PublicKey``, PEM or JWK
    text, or a callback from client id (the ``client_id_header`` header) to one of those.
    ``metrics``: a ``prometheus_client.CollectorRegistry`` (or True for its default registry)
    to count decisions into, under the names of the Rust ``PopLayer`` (docs/operations.md)."""

    def __init__(
        self,
        app: ASGIApp,
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive, self._check.max_body)
        if body is None:
            await _answer(send, self._check.too_large())
            return
        # Values stay the bytes received (a signed UTF-8 value must hash as sent), and every
        # entry stays, repeats included, so the core can refuse a repeated credential.
        headers = [(name.decode("latin-1"), bytes(value)) for name, value in scope["headers"]]
        check = (scope["method"], _target(scope), headers, body)
        # A shared store or a key source that must fetch answers over the network: the event
        # loop must not wait on it.
        keys = self._check.keys_for(headers)
        if self._check.waits(keys, headers):
            refusal = await asyncio.to_thread(self._check.refusal, *check, keys)
        else:
            refusal = self._check.refusal(*check, keys)
        if refusal is not None:
            await _answer(send, refusal)
            return
        await self.app(scope, _replay(body, receive), send)


def _target(scope: Scope) -> str:
    # raw_path is the path as sent (still percent-encoded); the core decides how uri reads it.
    raw = scope.get("raw_path")
    # Without it, the decoded path is escaped again, so a decoded '?' or '%' stays in the path.
    path = target_text(raw) if raw else quote(scope["path"], safe=PATH_SAFE)
    query = target_text(scope.get("query_string", b""))
    return f"{path}?{query}" if query else path


async def _read_body(receive: Receive, limit: int) -> Optional[bytes]:
    """The whole body, or None once it passes ``limit`` bytes."""
    chunks: List[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the body already read, then defers to the server's."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _answer(send: Send, answer: Answer) -> None:
    status, headers, body = answer
    raw: List[Tuple[bytes, bytes]] = [(n.encode(), v.encode()) for n, v in headers]
    raw.append((b"content-length", str(len(body)).encode()))
    start: Dict[str, Any] = {"type": "http.response.start", "status": status, "headers": raw}
    await send(start)
    await send({"type": "http.response.body", "body": body})
