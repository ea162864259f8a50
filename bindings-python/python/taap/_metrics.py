"""Prometheus metrics of ``taap.asgi`` and ``taap.wsgi`` ``PopMiddleware`` (``metrics=``), through
``prometheus_client`` (an optional dependency: ``pip install 'taap[prometheus]'``). The names,
labels, units and buckets are those of the Rust ``PopLayer`` (``taap_tower::metrics``), so one
dashboard reads every service; see ``docs/operations.md``.

Labels take only a fixed set of values (outcomes, error kind names, store names): never a client
id, token, ``jti`` or key. ``prometheus_client`` is imported only when metrics are asked for.
"""

from __future__ import annotations

import json
import threading
import weakref
from typing import Any, List, Optional, Tuple

from ._errors import ConfigError

#: ``kind`` of a refusal because the replay store did not answer in time (503).
KIND_REPLAY_STORE_UNAVAILABLE = "ReplayStoreUnavailable"
#: ``kind`` of a refusal because the body is larger than ``max_body`` (413).
KIND_BODY_TOO_LARGE = "BodyTooLarge"
#: ``kind`` of a refusal by the key lookup (no or repeated client id, no key for the client).
KIND_KEY_LOOKUP = "KeyLookup"

#: 25 µs (a fast RSA verification) doubling to about 0.4 s, as ``PopLayer``'s.
VALIDATION_BUCKETS: Tuple[float, ...] = tuple(0.000025 * 2.0**power for power in range(15))

#: What ``metrics=`` says when ``prometheus_client`` is missing.
MISSING = "metrics= needs the prometheus_client package: pip install prometheus-client (or pip install 'taap[prometheus]')"

Answer = Tuple[int, List[Tuple[str, str]], bytes]


class PopMetrics:
    """The middleware's collectors in one registry; every middleware given that registry shares them."""

    def __init__(self, registry: Any) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.decisions = Counter(
            "taap_pop_decisions",
            "Requests the PoP middleware decided on, by outcome (accepted, refused) and refusal kind",
            ["outcome", "kind"],
            registry=registry,
        )
        self.validation = Histogram(
            "taap_pop_validation_seconds",
            "Time the PoP middleware took to decide once the body was read: key lookup, PoP token, replay store",
            buckets=VALIDATION_BUCKETS,
            registry=registry,
        )
        self.body_bytes = Counter(
            "taap_pop_body_bytes",
            "Request body bytes the PoP middleware read and checked against PoP tokens",
            registry=registry,
        )
        self.store_errors = Counter(
            "taap_replay_store_errors",
            "Admissions the replay store did not answer in time, refused with 503, by store",
            ["store"],
            registry=registry,
        )
        self.store_up = Gauge(
            "taap_replay_store_up",
            "1 when the replay store's latest answer came in time, 0 when it did not, by store",
            ["store"],
            registry=registry,
        )
        # A dashboard's rate() needs the series before the first request comes.
        self.decisions.labels(outcome="accepted", kind="")

    def decided(self, kind: Optional[str]) -> None:
        """Counts one decision; ``kind`` is the refusal's, None when accepted."""
        if kind is None:
            self.decisions.labels(outcome="accepted", kind="").inc()
        else:
            self.decisions.labels(outcome="refused", kind=kind).inc()

    def validated(self, seconds: float) -> None:
        self.validation.observe(seconds)

    def body_read(self, size: int) -> None:
        self.body_bytes.inc(size)

    def store_answered(self, store: str, in_time: bool) -> None:
        self.store_up.labels(store=store).set(1 if in_time else 0)
        if not in_time:
            self.store_errors.labels(store=store).inc()


_LOCK = threading.Lock()
#: The collectors made for each registry, so that middlewares sharing one reuse them.
_BY_REGISTRY: "weakref.WeakKeyDictionary[Any, PopMetrics]" = weakref.WeakKeyDictionary()


def metrics_for(option: Any) -> Optional[PopMetrics]:
    """The collectors for ``metrics=``: None (or False) for none, True for ``prometheus_client``'s
    default registry, or a ``CollectorRegistry``."""
    if option is None or option is False:
        return None
    try:
        import prometheus_client
    except ImportError:
        raise ConfigError(MISSING) from None
    registry = prometheus_client.REGISTRY if option is True else option
    if not isinstance(registry, prometheus_client.CollectorRegistry):
        raise ConfigError(f"metrics must be a prometheus_client CollectorRegistry, True or None, not {type(option).__name__}")
    with _LOCK:
        found = _BY_REGISTRY.get(registry)
        if found is None:
            try:
                found = PopMetrics(registry)
            except ValueError as error:
                # Something else registered one of the names first (prometheus_client refuses
                # duplicates): say which instead of counting into a collector of other code.
                raise ConfigError(f"metrics: the registry already holds a metric of the same name ({error})") from None
            _BY_REGISTRY[registry] = found
        return found


def refusal_kind(answer: Answer) -> Tuple[str, Optional[str]]:
    """The ``kind`` label of an answer the middleware sent, and the replay store it names (503)."""
    status, _, body = answer
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    store = parsed.get("store")
    if status == 503 and isinstance(store, str):
        return KIND_REPLAY_STORE_UNAVAILABLE, store
    if status == 413:
        return KIND_BODY_TOO_LARGE, None
    kind = parsed.get("error")
    return (kind if isinstance(kind, str) else "Unknown"), None
