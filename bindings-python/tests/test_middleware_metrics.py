"""taap.asgi and taap.wsgi PopMiddleware with ``metrics=``: a known mix of requests (accepted, no
token, replay, EdtsMismatch, 413, no key for the client, a Redis on a closed port) through real
Starlette and Flask apps gives exact values of the counters the Rust PopLayer exports, read back
with prometheus_client's own text parser; no token or client id is in the text; middlewares
sharing a registry share its collectors; without ``metrics=`` prometheus_client is not imported."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from typing import Dict, List, Tuple

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

import taap
from redis_server import Redis, needs_redis, redis, redis_installed  # noqa: F401  (the fixtures)
from test_middleware import FRAMEWORKS, JSON, ORDER, public_pem, sender, signed  # noqa: F401
from taap import asgi, wsgi

#: A port nothing listens on: the store's first connection is refused at once.
CLOSED_REDIS = "redis://127.0.0.1:1/0"
CLIENT = "client-7Q2"
#: PopLayer's buckets: 25 µs doubling to about 0.4 s, then +Inf.
BUCKETS = [0.000025 * 2.0**power for power in range(15)] + [float("inf")]

Series = Dict[str, Dict[str, float]]


def scrape(registry: CollectorRegistry) -> Tuple[Series, str]:
    """Every sample of the registry's text exposition by name, then labels (``name=value``,
    sorted, joined by ``,``) to value; and the text."""
    text = generate_latest(registry).decode()
    samples: Series = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{name}={value}" for name, value in sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[labels] = sample.value
    return samples, text


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_decision_is_counted_under_its_outcome_and_kind(
    framework: str, docs_key: taap.PrivateKey, key: taap.PrivateKey, public_pem: str
) -> None:
    registry = CollectorRegistry()
    calls: List[bytes] = []
    # Three middlewares count into one registry: the same collectors, never registered twice.
    plain = sender(framework, calls, public_key=public_pem, max_body=64, metrics=registry)
    down = sender(framework, calls, public_key=public_pem, replay_store=CLOSED_REDIS, metrics=registry)
    looked_up = sender(framework, calls, public_key={CLIENT: docs_key.public_key()}.get, metrics=registry)

    # Accepted twice; the first token again is a replay; no token; a body the token did not sign.
    first = signed(docs_key, "POST", "/orders", JSON, ORDER)
    second = signed(docs_key, "POST", "/orders", JSON, ORDER)
    assert plain("POST", "/orders", JSON, ORDER, first)[0] == 200
    assert plain("POST", "/orders", JSON, ORDER, second)[0] == 200
    assert plain("POST", "/orders", JSON, ORDER, first)[1]["error"] == "Replay"
    assert plain("POST", "/orders", JSON, ORDER, None)[1]["error"] == "InvalidToken"
    tampered = signed(docs_key, "POST", "/orders", JSON, ORDER)
    assert plain("POST", "/orders", JSON, b'{"orderId": 999}', tampered)[1]["error"] == "EdtsMismatch"
    # 65 bytes, over the 64 read: refused before any check, so neither read nor timed.
    large = b"x" * 65
    oversized = signed(docs_key, "POST", "/orders", [], large)
    assert plain("POST", "/orders", [], large, oversized)[0] == 413

    # Redis on a closed port: every token that passes its own checks is refused 503; a token
    # that fails them never reaches the store.
    for _ in range(2):
        status, answer = down("GET", "/orders", [], b"", signed(docs_key, "GET", "/orders"))
        assert (status, answer["error"], answer["store"]) == (503, "replay_store_unavailable", "redis")
    assert down("GET", "/orders", [], b"", "not.a.token")[1]["error"] == "InvalidToken"

    # A key looked up by client id: found, then a client with no key.
    good = signed(docs_key, "GET", "/orders")
    assert looked_up("GET", "/orders", [("X-Client-Id", CLIENT)], b"", good)[0] == 200
    stranger = signed(key, "GET", "/orders")
    assert looked_up("GET", "/orders", [("X-Client-Id", "client-unknown-4")], b"", stranger)[1]["error"] == "InvalidToken"

    samples, text = scrape(registry)
    assert samples["taap_pop_decisions_total"] == {
        "kind=,outcome=accepted": 3,
        "kind=BodyTooLarge,outcome=refused": 1,
        "kind=EdtsMismatch,outcome=refused": 1,
        "kind=InvalidToken,outcome=refused": 2,
        "kind=KeyLookup,outcome=refused": 1,
        "kind=Replay,outcome=refused": 1,
        "kind=ReplayStoreUnavailable,outcome=refused": 2,
    }
    # Every request but the oversized one was read whole and decided on.
    assert samples["taap_pop_validation_seconds_count"] == {"": 10}
    assert samples["taap_pop_validation_seconds_bucket"]["le=+Inf"] == 10
    buckets = sorted(float(labels[3:]) for labels in samples["taap_pop_validation_seconds_bucket"])
    assert buckets == BUCKETS
    assert 0 < samples["taap_pop_validation_seconds_sum"][""] < 10
    # Four signed orders and the tampered 16-byte body; the GETs had none.
    assert samples["taap_pop_body_bytes_total"] == {"": 4 * len(ORDER) + 16}
    assert samples["taap_replay_store_errors_total"] == {"store=redis": 2}
    assert samples["taap_replay_store_up"] == {"store=redis": 0}
    # The validator's own cache is not a store, and the store's own time is not measured apart.
    assert not any(name.startswith("taap_replay_store_seconds") for name in samples)
    assert calls == [ORDER, ORDER, b""]

    # Nothing that identifies a caller or proves anything is in the text.
    for secret in (first, second, tampered, good, stranger, CLIENT, "client-unknown-4"):
        assert secret not in text
    for token in (first, second, good):
        assert taap.PopToken.decode(token).jti not in text


@needs_redis
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_store_that_answers_is_counted_up(framework: str, redis: Redis, docs_key: taap.PrivateKey, public_pem: str) -> None:
    registry = CollectorRegistry()
    send = sender(framework, [], public_key=public_pem, replay_store=redis.url, leeway=0, metrics=registry)
    time.sleep(1.1)  # a token made in Redis's first second could predate it
    pop = signed(docs_key, "GET", "/orders")
    assert send("GET", "/orders", [], b"", pop)[0] == 200
    assert send("GET", "/orders", [], b"", pop)[1]["error"] == "Replay"
    # Refused by the core before the store is asked: the store's state does not change.
    assert send("GET", "/orders", [], b"", signed(docs_key, "GET", "/other"))[1]["error"] == "EdtsMismatch"
    samples, _ = scrape(registry)
    assert samples["taap_pop_decisions_total"] == {
        "kind=,outcome=accepted": 1,
        "kind=EdtsMismatch,outcome=refused": 1,
        "kind=Replay,outcome=refused": 1,
    }
    assert samples["taap_replay_store_up"] == {"store=redis": 1}
    assert "taap_replay_store_errors_total" not in samples
    redis.stop()
    assert send("GET", "/orders", [], b"", signed(docs_key, "GET", "/orders"))[0] == 503
    samples, _ = scrape(registry)
    assert samples["taap_replay_store_up"] == {"store=redis": 0}
    assert samples["taap_replay_store_errors_total"] == {"store=redis": 1}


def test_the_accepted_series_exists_before_any_request(public_pem: str) -> None:
    registry = CollectorRegistry()
    asgi.PopMiddleware(lambda *_: None, public_key=public_pem, metrics=registry)  # type: ignore[arg-type,return-value]
    samples, _ = scrape(registry)
    assert samples["taap_pop_decisions_total"] == {"kind=,outcome=accepted": 0}
    assert samples["taap_pop_validation_seconds_count"] == {"": 0}
    assert samples["taap_pop_body_bytes_total"] == {"": 0}


def test_a_chunked_body_refused_411_is_counted_without_being_read(public_pem: str) -> None:
    registry = CollectorRegistry()
    app = wsgi.PopMiddleware(lambda *_: [], public_key=public_pem, metrics=registry)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/orders", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"")}
    statuses: List[str] = []
    app(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["411 Length Required"]
    samples, _ = scrape(registry)
    assert samples["taap_pop_decisions_total"]["kind=LengthRequired,outcome=refused"] == 1
    assert samples["taap_pop_validation_seconds_count"] == {"": 0}


def test_true_is_the_default_registry_and_instances_share_it(public_pem: str) -> None:
    from prometheus_client import REGISTRY

    for _ in range(2):
        wsgi.PopMiddleware(lambda *_: [], public_key=public_pem, metrics=True)
        asgi.PopMiddleware(lambda *_: None, public_key=public_pem, metrics=True)  # type: ignore[arg-type,return-value]
    assert REGISTRY.get_sample_value("taap_pop_decisions_total", {"outcome": "accepted", "kind": ""}) == 0


def test_bad_metrics_options_are_config_errors(public_pem: str) -> None:
    with pytest.raises(taap.ConfigError, match="metrics must be a prometheus_client CollectorRegistry, True or None, not str"):
        wsgi.PopMiddleware(lambda *_: [], public_key=public_pem, metrics="yes")
    # A name already taken by other code in the registry is said, not silently shared.
    from prometheus_client import Counter

    registry = CollectorRegistry()
    Counter("taap_pop_body_bytes", "someone else's", registry=registry)
    with pytest.raises(taap.ConfigError, match="the registry already holds a metric of the same name"):
        wsgi.PopMiddleware(lambda *_: [], public_key=public_pem, metrics=registry)


def test_without_prometheus_client_asking_for_metrics_names_the_package(public_pem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import prometheus_client raises ImportError
    with pytest.raises(taap.ConfigError, match=r"pip install prometheus-client"):
        asgi.PopMiddleware(lambda *_: None, public_key=public_pem, metrics=True)  # type: ignore[arg-type,return-value]
    # Not asked for, nothing is needed.
    wsgi.PopMiddleware(lambda *_: [], public_key=public_pem)


def test_without_metrics_prometheus_client_is_never_imported(public_pem: str) -> None:
    script = (
        "import sys\n"
        "from taap import asgi, wsgi\n"
        f"asgi.PopMiddleware(None, public_key={public_pem!r})\n"
        f"wsgi.PopMiddleware(None, public_key={public_pem!r})\n"
        "assert 'prometheus_client' not in sys.modules, 'imported'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
