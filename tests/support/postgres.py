"""A throw-away PostgreSQL server for the tests: Debian's binaries, a cluster in a temporary folder,
listening on a free loopback port, stopped when the test session ends.

PostgreSQL refuses to run as root, so when the tests run as root (CI does) the cluster belongs to
the ``postgres`` user and its commands run through ``runuser``. Outside CI a machine without the
binaries skips these tests with the command that installs them; in CI (``CI`` set) they fail
instead, so a missing install step can never pass as green.
"""

from __future__ import annotations

import fcntl
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import closed_port as free_port


@dataclass
class Postgres:
    port: int
    folder: Path

    def url(self, database: str = "postgres", password: str | None = None) -> str:
        auth = f"postgres:{password}" if password else "postgres"
        return f"postgresql+psycopg://{auth}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run([self._bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name])
        return self.url(name)

    def fresh_database(self, password: str | None = None) -> str:
        """A new, empty database (one per test on a server shared by the session)."""
        number = next(_numbers)
        name = f"t{os.getpid()}_{number}"
        self.create_database(name)
        return self.url(name, password)

    def execute(self, url: str, sql: str) -> None:
        """One statement on the database at ``url`` (test set-up: drop a schema...)."""
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(sql)

    def _bin(self, name: str) -> str:
        return str(_bindir() / name)

    def _run(self, argv: list[str]) -> None:
        subprocess.run(_as_owner(argv), check=True, capture_output=True, timeout=120)


_numbers = itertools.count(1)


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else Path("/nonexistent")


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def missing(reason: str) -> None:
    message = f"{reason}: install Debian's 'postgresql' package (apt-get install postgresql)"
    if os.environ.get("CI"):
        pytest.fail(message + " - CI must run these tests, not skip them")
    pytest.skip(message)


def _initdb(data: Path) -> None:
    subprocess.run(_as_owner([str(_bindir() / "initdb"), "-D", str(data), "-U", "postgres",
                              "--auth=trust", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True, timeout=120)


_TEMPLATE_LOCK = Path(tempfile.gettempdir()) / "pagetrail-pg-template.lock"


@contextmanager
def _template() -> Iterator[Path | None]:
    """Under pytest-xdist, the run's test processes that start a server copy one cluster made by
    initdb (~0.9 s CPU each) instead of each making its own. It lives in /tmp, where the server's
    user can reach it, named by the run's id; None outside xdist. Whoever stops its server first
    removes it (_remove_template); a process that starts one later makes it again."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        yield None
        return
    folder = Path(tempfile.gettempdir()) / f"pagetrail-pg-template-{run}"
    with _TEMPLATE_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process makes it, the others wait for it
        if not (folder / "data" / "PG_VERSION").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            if os.geteuid() == 0:
                shutil.chown(folder, "postgres", "postgres")
            _initdb(folder / "data")
        yield folder / "data"


def _remove_template() -> None:
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run:
        with _TEMPLATE_LOCK.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            shutil.rmtree(Path(tempfile.gettempdir()) / f"pagetrail-pg-template-{run}",
                          ignore_errors=True)


def start_postgres(fsync: bool = False) -> Iterator[Postgres]:
    """``fsync``: commit to disk as a production server does (benchmarks); tests run without."""
    if not (_bindir() / "initdb").exists():
        missing("PostgreSQL server binaries not found")
    folder = Path(tempfile.mkdtemp(prefix="pagetrail-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    bindir = _bindir()
    with _template() as template:
        if template is None:
            _initdb(data)
        else:  # a copy of the run's one initdb (ownership and modes kept: cp -a)
            subprocess.run(["cp", "-a", str(template), str(data)], check=True, timeout=120)
    # The free port is only free when asked: another test process may take it before the server
    # binds it ("Address already in use"), so a server that will not start gets another port.
    for attempt in range(3):
        port = free_port()
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
        if not fsync:
            options += " -c fsync=off"
        started = subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"),
                       "-o", options, "-w", "start"]), capture_output=True, timeout=120)
        if started.returncode == 0:
            break
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        if "already in use" not in log or attempt == 2:
            raise AssertionError(f"PostgreSQL did not start (pg_ctl exited {started.returncode}):\n"
                                 f"{started.stdout.decode(errors='replace')}{log[-2000:]}")
        (folder / "log").unlink()
    try:
        yield Postgres(port, folder)
    finally:
        subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
        _remove_template()
