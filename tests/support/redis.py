"""A throw-away Redis server for the work-queue tests: Debian's ``redis-server`` on a free loopback
port, its files in a temporary folder, stopped when the test ends.

Outside CI a machine without the binary skips these tests with the command that installs it; in CI
(``CI`` set) they fail instead, so a missing install step can never pass as green.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import closed_port as free_port
from tests.support.servers import wait_answering

TIMEOUT = 60.0


def missing(reason: str) -> None:
    message = f"{reason}: install Debian's 'redis-server' package (apt-get install redis-server)"
    if os.environ.get("CI"):
        pytest.fail(message + " - CI must run these tests, not skip them")
    pytest.skip(message)


class Redis:
    """One redis-server; ``stop()`` and ``start()`` again keep its port and folder (with
    ``persistent``, an append-only file keeps the queue across the restart, as on a server)."""

    def __init__(self, folder: Path, persistent: bool = False):
        self.folder = folder
        self.port = free_port()
        self.persistent = persistent
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        argv = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                "--save", "", "--appendonly", "yes" if self.persistent else "no",
                "--logfile", str(self.folder / "redis.log")]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT)
        wait_answering(self.proc, self.port, b"PING\r\n", b"+PONG", "redis-server",
                       self.folder / "redis.log", TIMEOUT, pause=0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: redis-server flushes its append-only file and exits
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_redis(persistent: bool = False) -> Iterator[Redis]:
    if not (shutil.which("redis-server") or Path("/usr/bin/redis-server").exists()):
        missing("redis-server not found")
    folder = Path(tempfile.mkdtemp(prefix="pagetrail-redis-"))
    server = Redis(folder, persistent)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
