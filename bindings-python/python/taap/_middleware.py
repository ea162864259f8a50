"""What ``taap.asgi`` and ``taap.wsgi`` share: options, the key for a request and the check. The
whole check (every option's default, range and message from the settings schema, the client id
rule, the body limit, the replay store, and every 401/413/503 answer's status, headers and JSON
body) is the core's ``taap::validate::PopGate`` (the native ``PopGate``); the middlewares only
move bytes between their server and it. With ``metrics=`` the check also counts what it decided
(``_metrics``, the names of the Rust ``PopLayer``)."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ._errors import ConfigError
from ._metrics import KIND_KEY_LOOKUP, PopMetrics, metrics_for, refusal_kind
from ._taap import KeySource, PopGate, PublicKey, middleware_settings

#: What a lookup by client id may return: a key, a client's key source, PEM/JWK text, or None.
FoundKey = Union[PublicKey, KeySource, str, None]
#: ``public_key=``: one key, a key source (rotation, a JWK set URL), text, or a lookup by client id.
KeyOption = Union[PublicKey, KeySource, str, Callable[[str], FoundKey]]
#: The keys one request is checked against, or the answer refusing it before any check.
Keys = Union[PublicKey, KeySource]
ReplayStore = Union[str, int, bool, None]
#: ``metrics=``: a ``prometheus_client.CollectorRegistry``, True (its default registry) or None (off).
MetricsOption = Any
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
#: The name the core's one shared replay store (Redis) gives in its answers and metrics.
SHARED_STORE = "redis"


class PopCheck:
    """The check both middlewares run: the core's gate, made once (one replay cache or shared store)."""

    def __init__(
        self,
        public_key: KeyOption,
        required: Iterable[str] = DEFAULT_REQUIRED,
        replay_store: ReplayStore = "memory",
        leeway: int = DEFAULT_LEEWAY,
        max_age: int = DEFAULT_MAX_AGE,
        max_body: int = DEFAULT_MAX_BODY,
        client_id_header: str = DEFAULT_CLIENT_ID_HEADER,
        metrics: MetricsOption = None,
    ) -> None:
        if public_key is None:
            raise ConfigError("public_key is required: a PublicKey, KeySource, PEM or JWK text, or a lookup callback")
        self._key: Optional[Keys] = None if callable(public_key) else _fixed_key(public_key)
        self._lookup = public_key if callable(public_key) else None
        # The core checks every option and resolves the replay store; None is Python's "off".
        self._gate = PopGate(
            required=list(required),
            replay_store=False if replay_store is None else replay_store,
            leeway=leeway,
            max_age=max_age,
            max_body=max_body,
            client_id_header=client_id_header,
        )
        #: The check waits on the network (a shared store): async servers run it in a thread.
        self.blocking: bool = self._gate.blocking
        self.max_body: int = self._gate.max_body
        # Made last: options the gate refuses never register anything.
        self._metrics: Optional[PopMetrics] = metrics_for(metrics)

    def keys_for(self, headers: Headers) -> Union[Keys, Answer]:
        """The keys the request is checked against (the lookup's answer for its client id), or the
        answer refusing it: cheap unless the lookup is not, so async servers call it on their loop."""
        if self._key is not None:
            return self._key
        assert self._lookup is not None
        client_id = self._gate.client_id(headers)
        if not isinstance(client_id, str):
            return client_id
        found = self._lookup(client_id)
        if found is None:
            return self._gate.unknown_client()
        return found if isinstance(found, KeySource) else self._gate.key_of(found)

    def waits(self, keys: Union[Keys, Answer], headers: Headers) -> bool:
        """Whether checking with ``keys`` may wait on the network (a shared store, or a key source
        that must fetch for the token's ``kid``): async servers then check in a thread."""
        return isinstance(keys, (PublicKey, KeySource)) and self._gate.waits(keys, headers)

    def refusal(
        self, method: str, target: str, headers: Headers, body: bytes, keys: Union[Keys, Answer, None] = None
    ) -> Optional[Answer]:
        """None when the request carries a valid, unreplayed PoP token; else the gate's answer.
        ``keys`` is what :meth:`keys_for` gave, when the caller already asked."""
        found = self.keys_for(headers) if keys is None else keys
        metrics = self._metrics
        if metrics is None:
            return self._decide(found, method, target, headers, body)[0]
        metrics.body_read(len(body))
        started = time.perf_counter()
        answer, by_lookup = self._decide(found, method, target, headers, body)
        metrics.validated(time.perf_counter() - started)
        if answer is None:
            metrics.decided(None)
            kind, store = None, None
        else:
            kind, store = refusal_kind(answer)
            metrics.decided(KIND_KEY_LOOKUP if by_lookup else kind)
        if self.blocking:
            # The shared store is asked only once the token passed every other check: it
            # answered when the token was accepted or found replayed, and did not when 503.
            if store is not None:
                metrics.store_answered(store, False)
            elif kind is None or kind == "Replay":
                metrics.store_answered(SHARED_STORE, True)
        return answer

    def too_large(self) -> Answer:
        """The gate's 413 for a body beyond ``max_body``."""
        return self.answered(self._gate.too_large())

    def answered(self, answer: Answer) -> Answer:
        """``answer``, sent before any check (the body was not read), counted as a refusal."""
        if self._metrics is not None:
            self._metrics.decided(refusal_kind(answer)[0])
        return answer

    def _decide(
        self, keys: Union[Keys, Answer], method: str, target: str, headers: Headers, body: bytes
    ) -> Tuple[Optional[Answer], bool]:
        """The gate's answer (None: accepted), and whether the key lookup gave it."""
        if not isinstance(keys, (PublicKey, KeySource)):
            return keys, True
        return self._gate.check(keys, method, target, headers, body), False


def _fixed_key(given: Union[PublicKey, KeySource, str]) -> Keys:
    """``public_key=`` when it is not a lookup: a key source as it is, else the key it stands for."""
    return given if isinstance(given, KeySource) else PopGate.key(given)


def target_text(raw: bytes) -> str:
    """A request target's bytes as text, bytes beyond ASCII percent-encoded."""
    # The core hashes a str target as UTF-8, so such bytes (which HTTP forbids unencoded)
    # become the escapes a URL parser would write: never other bytes that could be signed.
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return "".join(chr(byte) if byte < 0x80 else f"%{byte:02X}" for byte in raw)

