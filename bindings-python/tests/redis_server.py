"""A throwaway ``redis-server`` on a free loopback port (its own directory, no persistence) and
the ``redis`` fixture that starts one per test; a test that needs it fails, never skips, when
``redis-server`` is not installed."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from typing import Iterator

import pytest

#: Marks the tests that start a Redis; without ``redis-server`` each fails with the set-up command.
needs_redis = pytest.mark.usefixtures("redis_installed")


@pytest.fixture
def redis_installed() -> None:
    """Fails the test, naming the set-up command, when ``redis-server`` is missing."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: run `bash scripts/setup.sh` (or apt-get install redis-server)")


class Redis:
    """A throwaway ``redis-server`` on a free loopback port, no persistence."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="taap-redis-")
        self.process: "subprocess.Popen[bytes] | None" = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", self.dir]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start in 10 s"
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis() -> Iterator[Redis]:
    server = Redis()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)
