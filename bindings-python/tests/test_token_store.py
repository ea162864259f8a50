"""``TaapClient(token_store="redis://…")`` against a real ``redis-server``: separate clients and
separate processes with the same credentials make one token request between them, and one
refresh when it is due; with Redis stopped each still gets a token, with one
``RuntimeWarning``; a password in the store URL is never shown."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
import warnings
from typing import List

import pytest

import taap
from conftest import DOCS_KEY
from gateway import Gateway
from redis_server import Redis, needs_redis, redis, redis_installed  # noqa: F401  (the fixtures)

pytestmark = needs_redis

KEY = taap.PrivateKey.from_file(str(DOCS_KEY))
PUBLIC_PEM = KEY.public_key().to_pem()


def client(gateway: Gateway, store: str) -> taap.TaapClient:
    return taap.TaapClient("id", "secret", KEY, f"{gateway.url}/oauth2/v2/tokens", token_store=store)


def tokens_at_once(clients: List[taap.TaapClient]) -> List[str]:
    barrier = threading.Barrier(len(clients))
    tokens: List[str] = [""] * len(clients)

    def run(index: int) -> None:
        barrier.wait()
        tokens[index] = clients[index].access_token().secret

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tokens


def test_separate_clients_make_one_token_request_and_one_refresh(redis: Redis) -> None:
    # 2 s tokens are refreshed at half their life.
    with Gateway(PUBLIC_PEM, expires_in=2, numbered=True) as gateway:
        clients = [client(gateway, redis.url) for _ in range(6)]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert tokens_at_once(clients) == ["local-access-token-0123456789-1"] * 6
            assert gateway.token_requests == 1
            time.sleep(1.1)
            assert tokens_at_once(clients) == ["local-access-token-0123456789-2"] * 6
        assert gateway.token_requests == 2


def test_async_and_blocking_clients_share_one_token(redis: Redis) -> None:
    with Gateway(PUBLIC_PEM, numbered=True) as gateway:
        url = f"{gateway.url}/oauth2/v2/tokens"
        async_clients = [taap.AsyncTaapClient("id", "secret", KEY, url, token_store=redis.url) for _ in range(4)]

        async def all_at_once() -> List[str]:
            tokens = await asyncio.gather(*(each.access_token() for each in async_clients))
            return [token.secret for token in tokens]

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert asyncio.run(all_at_once()) == ["local-access-token-0123456789-1"] * 4
            assert client(gateway, redis.url).access_token().secret == "local-access-token-0123456789-1"
        assert gateway.token_requests == 1


PROCESS = """
import sys, taap
client = taap.TaapClient("id", "secret", taap.PrivateKey.from_file(sys.argv[1]), sys.argv[2], token_store=sys.argv[3])
print(client.access_token().secret)
"""


def test_separate_processes_make_one_token_request(redis: Redis) -> None:
    with Gateway(PUBLIC_PEM, numbered=True) as gateway:
        args = [sys.executable, "-c", PROCESS, str(DOCS_KEY), f"{gateway.url}/oauth2/v2/tokens", redis.url]
        processes = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
        outputs = [process.communicate(timeout=60) for process in processes]
        assert [(out, err) for out, err in outputs] == [(b"local-access-token-0123456789-1\n", b"")] * 4
        assert gateway.token_requests == 1


def test_with_redis_stopped_each_client_gets_a_token_and_one_warning(redis: Redis) -> None:
    with Gateway(PUBLIC_PEM, numbered=True) as gateway:
        clients = [client(gateway, redis.url) for _ in range(3)]
        redis.stop()
        with pytest.warns(RuntimeWarning) as caught:
            tokens = [c.access_token().secret for c in clients]
            refreshed = [c.refresh_access_token().secret for c in clients]
        assert sorted(tokens + refreshed) == [f"local-access-token-0123456789-{n}" for n in range(1, 7)]
        assert [str(warning.message) for warning in caught] == [
            "the shared token store (redis) failed: it refused the connection; "
            "fetching access tokens without it until it answers again"
        ] * 3
        assert gateway.token_requests == 6


def test_a_password_in_the_store_url_is_never_shown(redis: Redis) -> None:
    store = redis.url.replace("redis://", "redis://:hunter2-pw@")
    with Gateway(PUBLIC_PEM) as gateway:
        # This Redis has no password, so the store fails and the client fetches by itself.
        tokens_client = client(gateway, store)
        assert "hunter2" not in repr(tokens_client)
        with pytest.warns(RuntimeWarning) as caught:
            tokens_client.access_token()
        assert len(caught) == 1 and "hunter2" not in str(caught[0].message)
        with pytest.raises(taap.ConfigError) as error:
            client(gateway, "redis://:hunter2-pw@[::1")
        assert str(error.value) == "invalid configuration: the token store URL is not a valid redis://host:port[/db] URL"
        with pytest.raises(taap.ConfigError):
            client(gateway, "memcached://127.0.0.1:11211")
