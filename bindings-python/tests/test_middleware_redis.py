"""taap.asgi and taap.wsgi PopMiddleware with ``replay_store="redis://…"`` in front of real
Starlette and Flask apps sharing a real ``redis-server``: a token accepted by one instance is
refused 401 ``Replay`` by another; with Redis stopped every request is 503 naming the store
(never let through), and requests pass again once Redis is back, without a restart."""

from __future__ import annotations

import time
from typing import List

import pytest

import taap
from redis_server import Redis, needs_redis, redis, redis_installed  # noqa: F401  (the fixtures)
from test_middleware import FRAMEWORKS, JSON, ORDER, Send, public_pem, sender, signed  # noqa: F401

pytestmark = needs_redis


def node(framework: str, calls: List[bytes], redis: Redis, public_pem: str) -> Send:
    # No leeway: tokens are vouched for a second after Redis (re)starts, not ten.
    return sender(framework, calls, public_key=public_pem, replay_store=redis.url, leeway=0)


@pytest.mark.parametrize(("first", "second"), [("starlette", "flask"), ("flask", "starlette"), ("flask", "flask")])
def test_a_token_accepted_by_one_instance_is_a_replay_on_another(
    first: str, second: str, redis: Redis, docs_key: taap.PrivateKey, public_pem: str
) -> None:
    calls: List[bytes] = []
    one, two = node(first, calls, redis, public_pem), node(second, calls, redis, public_pem)
    time.sleep(1.1)  # a token made in Redis's first second could predate it
    pop = signed(docs_key, "POST", "/orders", JSON, ORDER)
    assert one("POST", "/orders", JSON, ORDER, pop) == (200, {"received": ORDER.decode()})
    status, answer = two("POST", "/orders", JSON, ORDER, pop)
    assert (status, answer["error"]) == (401, "Replay")
    assert answer["message"] == "replayed PoP token: this jti was already used (shared replay store); build a fresh token for every call"
    assert calls == [ORDER]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_with_redis_stopped_requests_get_503_and_pass_again_once_it_returns(
    framework: str, redis: Redis, docs_key: taap.PrivateKey, public_pem: str
) -> None:
    calls: List[bytes] = []
    send = node(framework, calls, redis, public_pem)
    time.sleep(1.1)
    assert send("GET", "/orders", [], b"", signed(docs_key, "GET", "/orders"))[0] == 200
    redis.stop()
    reasons = []
    for _ in range(3):
        status, answer = send("GET", "/orders", [], b"", signed(docs_key, "GET", "/orders"))
        assert (status, answer["error"], answer["store"]) == (503, "replay_store_unavailable", "redis")
        reasons.append(answer["message"])
    # The open connection breaks first; then reconnects fail, or wait for their backoff.
    assert reasons[0] == "the replay store (redis) is unavailable: the connection to Redis was lost; retry shortly"
    assert all(reason.startswith("the replay store (redis) is unavailable: Redis is unreachable") for reason in reasons[1:])
    redis.start()
    deadline = time.monotonic() + 15
    while True:
        status, answer = send("GET", "/orders", [], b"", signed(docs_key, "GET", "/orders"))
        if status == 200:
            break
        assert (status, answer["error"]) == (503, "replay_store_unavailable")
        assert time.monotonic() < deadline, "no accept within 15 s of Redis returning"
        time.sleep(0.1)
    assert len(calls) == 2
    # A token invalid on its own is still 401, whatever the store.
    status, answer = send("GET", "/orders", [], b"", signed(docs_key, "GET", "/other"))
    assert (status, answer["error"]) == (401, "EdtsMismatch")


def test_the_store_checks_its_options_and_never_shows_the_url() -> None:
    store = taap.RedisReplayStore("redis://:hunter2-pw@127.0.0.1:1/0", deadline=1)
    assert (repr(store), store.name) == ("RedisReplayStore(<redis>)", "redis")
    for deadline in (0, -1, 2.0):
        with pytest.raises(taap.ConfigError) as refused:
            taap.RedisReplayStore("redis://127.0.0.1:1", deadline=deadline)
        assert str(refused.value) == "invalid configuration: the replay store deadline must be above 0 and at most 1 s"
