"""A throw-away RabbitMQ broker for the work-queue tests: Debian's ``rabbitmq-server`` run directly
(not as the system service), its node, database and logs in a temporary folder, on free loopback
ports, stopped when the test ends.

Erlang nodes register with an ``epmd`` daemon; the node gets its own on a free port
(``ERL_EPMD_PORT``) so that it never meets a system broker's, and that epmd is killed afterwards.
Outside CI a machine without the package skips these tests with the command that installs it; in
CI (``CI`` set) they fail instead, so a missing install step can never pass as green.
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

TIMEOUT = 120.0  # an Erlang VM boots in seconds, far slower on a loaded machine
SERVER = sorted(Path("/usr/lib/rabbitmq/lib").glob("rabbitmq_server-*/sbin/rabbitmq-server"))


def missing(reason: str) -> None:
    message = f"{reason}: install Debian's 'rabbitmq-server' package (apt-get install rabbitmq-server)"
    if os.environ.get("CI"):
        pytest.fail(message + " - CI must run these tests, not skip them")
    pytest.skip(message)


class RabbitMQ:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.epmd_port = free_port()
        self.env = dict(
            os.environ,
            HOME=str(folder),  # the Erlang cookie file
            RABBITMQ_NODENAME=f"pagetrail{self.port}@localhost",
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(free_port()),
            ERL_EPMD_PORT=str(self.epmd_port),
            ERL_EPMD_ADDRESS="127.0.0.1",
            RABBITMQ_MNESIA_BASE=str(folder / "mnesia"),
            RABBITMQ_LOG_BASE=str(folder / "log"),
            RABBITMQ_LOGS=str(folder / "log" / "node.log"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(folder / "enabled_plugins"),
            RABBITMQ_CONFIG_FILE=str(folder / "rabbitmq"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(folder / "advanced.config"),
            RABBITMQ_CONF_ENV_FILE=str(folder / "rabbitmq-env.conf"),
            RABBITMQ_PID_FILE=str(folder / "rabbitmq.pid"),
        )
        (folder / "enabled_plugins").write_text("[].\n")
        (folder / "rabbitmq-env.conf").write_text("")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        # guest/guest is RabbitMQ's default user, allowed from loopback only.
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self) -> None:
        self.proc = subprocess.Popen([str(SERVER[-1])], env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=open(self.folder / "server.log", "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        # AMQP answers a bad protocol header with its own header: the broker is up.
        wait_answering(self.proc, self.port, b"HELLO\r\n\r\n", b"AMQP", "rabbitmq-server",
                       self.folder / "server.log", TIMEOUT, pause=0.25)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # the start script stops the node cleanly on SIGTERM
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        # The node's own epmd outlives it; no node is registered any more, so it can go.
        subprocess.run(["epmd", "-kill"], env=self.env, capture_output=True, timeout=30)


def start_rabbitmq() -> Iterator[RabbitMQ]:
    if not SERVER or not shutil.which("epmd"):
        missing("rabbitmq-server not found")
    folder = Path(tempfile.mkdtemp(prefix="pagetrail-rabbitmq-"))
    server = RabbitMQ(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
