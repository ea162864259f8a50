"""What ``taap.asgi`` and ``taap.wsgi`` share: options, the key for a request, the check, and
the 401 answer. Every rule (which names, how ``uri`` is read, times, replay) is the core's,
reached through ``PopTokenValidator.validate_request``; every option's default, range and message
is the core's settings schema (``taap.settings_schema()``): ``middleware_settings`` checks every
option and resolves the replay store, and its answer configures ``PopTokenValidator``."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ._errors import ConfigError, InvalidTokenError, TaapError
from ._taap import PopTokenValidator, PublicKey, RedisReplayStore, middleware_settings

KeySource = Union[PublicKey, str, Callable[[str], Union[PublicKey, str, None]]]
ReplayStore = Union[str, int, bool, None]
#: Headers as received, in order and repeats kept; values are the bytes that arrived.
Headers = Sequence[Tuple[str, Union[str, bytes]]]

#: Each option's default as the core gives it (``required``: the request line, the middleware's
#: own choice; a bare validator requires none), so the signatures show them.
SCHEMA_DEFAULTS: Dict[str, Any] = middleware_settings()
#: Names every token must sign unless told otherwise.
DEFAULT_REQUIRED: Tuple[str, ...] = tuple(SCHEMA_DEFAULTS["required"])
#: Largest body the middleware reads before refusing with 413 (the schema's ``max_body``).
DEFAULT_MAX_BODY: int = SCHEMA_DEFAULTS["max_body"]
#: Header naming the client whose key a lookup callback returns (the schema's ``client_id_header``).
DEFAULT_CLIENT_ID_HEADER: str = SCHEMA_DEFAULTS["client_id_header"]
#: Clock leeway in seconds (the schema's ``leeway``).
DEFAULT_LEEWAY: int = SCHEMA_DEFAULTS["leeway"]
#: Oldest accepted token age in seconds (the schema's ``max_age``).
DEFAULT_MAX_AGE: int = SCHEMA_DEFAULTS["max_age"]
#: Characters a decoded path keeps unescaped when the target is rebuilt from it.
PATH_SAFE = "/;=,!$&'()*+@:~"

Answer = Tuple[int, List[Tuple[str, str]], bytes]


def _as_key(key: Union[PublicKey, str]) -> PublicKey:
    if isinstance(key, PublicKey):
        return key
    text = key.strip()
    return PublicKey.from_jwk(text) if text.startswith("{") else PublicKey.from_pem(text)


class PopCheck:
    """The check both middlewares run: options parsed once, one validator (and replay cache)."""

    def __init__(
        self,
        public_key: KeySource,
        required: Iterable[str] = DEFAULT_REQUIRED,
        replay_store: ReplayStore = "memory",
        leeway: int = DEFAULT_LEEWAY,
        max_age: int = DEFAULT_MAX_AGE,
        max_body: int = DEFAULT_MAX_BODY,
        client_id_header: str = DEFAULT_CLIENT_ID_HEADER,
    ) -> None:
        if public_key is None:
            raise ConfigError("public_key is required: a PublicKey, PEM or JWK text, or a lookup callback")
        self._key: Optional[PublicKey] = None if callable(public_key) else _as_key(public_key)
        self._lookup = public_key if callable(public_key) else None
        # The core checks every option and resolves the replay store; None is Python's "off".
        settings = middleware_settings(
            required=list(required),
            replay_store=False if replay_store is None else replay_store,
            leeway=leeway,
            max_age=max_age,
            max_body=max_body,
            client_id_header=client_id_header,
        )
        url = settings["shared_replay_store"]
        self._shared = RedisReplayStore(url) if url is not None else None
        self._validator = PopTokenValidator(
            leeway=settings["leeway"],
            max_age=settings["max_age"],
            required=settings["required"],
            replay_cache=settings["replay_cache"] or False,
        )
        #: The check waits on the network (a shared store): async servers run it in a thread.
        self.blocking = self._shared is not None
        self.max_body: int = settings["max_body"]
        self._client_id_header: str = settings["client_id_header"].lower()

    def refusal(self, method: str, target: str, headers: Headers, body: bytes) -> Optional[Answer]:
        """None when the request carries a valid, unreplayed PoP token; else the 401 to send."""
        try:
            key = self._key_for(headers)
            if self._shared is None:
                self._validator.validate_request(key, method, target, headers, body)
                return None
            reason = self._shared.check_request(self._validator, key, method, target, headers, body)
        except TaapError as error:
            return unauthorized(error)
        return None if reason is None else store_unavailable(self._shared.name, reason)

    def _key_for(self, headers: Headers) -> PublicKey:
        if self._key is not None:
            return self._key
        assert self._lookup is not None
        client_id = self._client_id(headers)
        key = self._lookup(client_id)
        if key is None:
            raise InvalidTokenError("no public key is registered for this client id")
        return _as_key(key)

    def _client_id(self, headers: Headers) -> str:
        values = [value for name, value in headers if name.lower() == self._client_id_header]
        # The app may read another copy than the one whose key checked the token, and so act
        # for a client that never signed the request.
        if len(values) > 1:
            name = self._client_id_header
            raise InvalidTokenError(f"the {name} header appears {len(values)} times; send it once")
        client_id = values[0] if values else ""
        if isinstance(client_id, bytes):
            try:
                client_id = client_id.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidTokenError(f"the {self._client_id_header} header is not valid UTF-8") from None
        if not client_id:
            raise InvalidTokenError(f"the {self._client_id_header} header (the client id) is missing")
        return client_id


def target_text(raw: bytes) -> str:
    """A request target's bytes as text, bytes beyond ASCII percent-encoded."""
    # The core hashes a str target as UTF-8, so such bytes (which HTTP forbids unencoded)
    # become the escapes a URL parser would write: never other bytes that could be signed.
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return "".join(chr(byte) if byte < 0x80 else f"%{byte:02X}" for byte in raw)


def _kind(error: TaapError) -> str:
    name = type(error).__name__
    return name[: -len("Error")] if name.endswith("Error") else name


def unauthorized(error: TaapError) -> Answer:
    """401 with ``{"error": <ErrorKind>, "message": …}``; the message is the core's (no secrets)."""
    body = json.dumps({"error": _kind(error), "message": str(error)}).encode()
    headers = [("content-type", "application/json"), ("www-authenticate", 'PoP realm="taap"')]
    return 401, headers, body


def store_unavailable(store: str, reason: str) -> Answer:
    """503 naming the replay store that could not answer: fail closed, as ``taap serve`` does."""
    message = f"the replay store ({store}) is unavailable: {reason}; retry shortly"
    body = json.dumps({"error": "replay_store_unavailable", "store": store, "message": message})
    return 503, [("content-type", "application/json"), ("retry-after", "1")], body.encode()


def length_required() -> Answer:
    """411 for a chunked body the server cannot say the end of."""
    message = "a chunked body needs a server that sets wsgi.input_terminated; send Content-Length"
    body = json.dumps({"error": "LengthRequired", "message": message})
    return 411, [("content-type", "application/json")], body.encode()


def too_large(limit: int) -> Answer:
    """413 for a body beyond ``max_body``."""
    body = json.dumps({"error": "RequestTooLarge", "message": f"the body is larger than {limit} bytes"})
    return 413, [("content-type", "application/json")], body.encode()

