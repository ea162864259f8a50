"""``taap.AsyncTaapClient`` and ``taap.httpx.PopAuth`` on ``httpx.AsyncClient`` against
``taap serve`` on 127.0.0.1: accepted calls, eight tasks sharing one token request, a revoked
token refreshed once, ``Retry-After`` honoured, the event loop never blocked."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List

import httpx
import pytest

import taap
import taap.httpx
from conftest import KEYS, REPO_TESTS

CLIENT_ID = "async-client"
SECRET = "async-secret-3e9a"
DEVICE = "/iot-connectivity/v1/devices/8901260000000000019"
ACCEPT = {"Accept": "application/json"}


def taap_binary() -> Path:
    """The workspace's ``taap`` (built if need be)."""
    root = REPO_TESTS.parent
    binary = Path(os.environ.get("CARGO_TARGET_DIR") or root / "target") / "release" / "taap"
    if not binary.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "taap-cli"], cwd=root, check=True)
    return binary


@contextmanager
def served(*faults: str) -> Iterator[str]:
    """``taap serve`` with the readme key registered and ``faults`` flags; yields its URL."""
    process = subprocess.Popen(
        [str(taap_binary()), "serve", "--port", "0", "--client-id", CLIENT_ID, "--client-secret-env", "ASYNC_SECRET",
         "--public-key", str(KEYS / "tmobile" / "readme-public.pem"), *faults],
        env={**os.environ, "ASYNC_SECRET": SECRET},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:"), first
        yield first.split()[-1]
    finally:
        process.kill()
        process.wait()


def stats(url: str) -> Dict[str, int]:
    with urllib.request.urlopen(f"{url}/_taap/stats", timeout=5) as answer:
        counters: Dict[str, int] = json.load(answer)
    return counters


def counts(url: str) -> List[int]:
    """token requests, API requests, API requests accepted, injected faults."""
    got = stats(url)
    return [got["token_requests"], got["api_requests"], got["api_accepted"], got["injected_faults"]]


def async_client(url: str) -> taap.AsyncTaapClient:
    key = taap.PrivateKey.from_file(KEYS / "tmobile" / "readme-private-pkcs8.pem")
    return taap.AsyncTaapClient(CLIENT_ID, SECRET, key, f"{url}/oauth2/v2/tokens", retry_base_delay=0.01, retry_max_delay=2.0)


def test_a_signed_call_is_accepted_and_the_token_cached() -> None:
    with served() as url:
        client = async_client(url)

        async def calls() -> List[int]:
            first = await client.request("GET", url + DEVICE, ACCEPT)
            second = await client.request("POST", f"{url}/commerce/v1/orders", json={"orderId": 100})
            return [first.status, second.status]

        assert asyncio.run(calls()) == [200, 201]
        assert counts(url) == [1, 2, 2, 0]
        token = asyncio.run(client.access_token())
        assert (token.expires_in, client.flavor, counts(url)[0]) == (3600, "v2", 1)
        assert SECRET not in repr(client) and repr(client).startswith('<AsyncTaapClient client_id="async-client" ')


def test_eight_concurrent_tasks_share_one_token_request_without_blocking_the_loop() -> None:
    # A slow token endpoint keeps all eight tasks waiting on the same refresh.
    with served("--delay-ms", "300", "--fault-path", "/oauth2/") as url:
        client = async_client(url)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async def calls() -> List[int]:
            beat = asyncio.ensure_future(ticker())
            responses = await asyncio.gather(*(client.request("GET", url + DEVICE, ACCEPT) for _ in range(8)))
            beat.cancel()
            return [response.status for response in responses]

        assert asyncio.run(calls()) == [200] * 8
        assert counts(url) == [1, 8, 8, 0]
        assert ticks >= 10, "the event loop ran while the token was fetched"


def test_a_revoked_token_gets_one_refresh_and_one_retry() -> None:
    with served() as url:
        client = async_client(url)
        assert asyncio.run(client.request("GET", url + DEVICE, ACCEPT)).status == 200
        revoked = urllib.request.urlopen(urllib.request.Request(f"{url}/_taap/revoke", method="POST", headers={"X-Taap-Admin": "1"}), timeout=5)
        assert revoked.status == 204
        assert asyncio.run(client.request("GET", url + DEVICE, ACCEPT)).status == 200
        assert counts(url) == [2, 3, 2, 0]


def test_a_503_with_retry_after_is_retried_after_the_asked_delay() -> None:
    with served("--fail-first", "1", "--fail-status", "503", "--retry-after", "1", "--fault-path", "/iot-connectivity/") as url:
        client = async_client(url)
        asyncio.run(client.access_token())
        started = time.monotonic()
        assert asyncio.run(client.request("GET", url + DEVICE, ACCEPT)).status == 200
        assert time.monotonic() - started >= 1.0
        assert counts(url) == [1, 1, 1, 1]


def test_httpx_async_client_with_pop_auth_from_an_async_client() -> None:
    with served("--delay-ms", "200", "--fault-path", "/oauth2/") as url:
        auth = taap.httpx.PopAuth(client=async_client(url))

        async def calls() -> List[int]:
            async with httpx.AsyncClient(auth=auth, timeout=10) as http:
                responses = await asyncio.gather(*(http.get(url + DEVICE, headers=ACCEPT) for _ in range(4)))
            return [response.status_code for response in responses]

        assert asyncio.run(calls()) == [200] * 4
        assert counts(url) == [1, 4, 4, 0]


def test_async_errors_are_the_core_kinds() -> None:
    key = taap.PrivateKey.from_file(KEYS / "tmobile" / "readme-private-pkcs8.pem")
    with served() as url:
        wrong = taap.AsyncTaapClient(CLIENT_ID, "wrong-secret", key, f"{url}/oauth2/v2/tokens", max_retries=0)
        with pytest.raises(taap.OAuthError) as raised:
            asyncio.run(wrong.access_token())
        assert raised.value.status == 401
        assert "wrong-secret" not in str(raised.value)
    with pytest.raises(taap.ConfigError):
        taap.AsyncTaapClient(CLIENT_ID, SECRET, key, "https://example.test/not-a-token-path")
