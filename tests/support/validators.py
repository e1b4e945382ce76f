"""The independent validators (warcio, cdxj-indexer, pywb, wacz) in their own virtualenv.

They pin versions that can clash with the crawler's, so they live in ``.cache/validators-venv``
under the repository root (CI builds it in its own clone: tests/support/validators_venv.py). The
venv is reused when it already works; if it cannot be built (no network, no index) the tests that
need it are skipped with the reason.

Use the ``validators`` fixture (session scoped)::

    def test_x(validators):
        validators.run("warcio", "check", "-v", path)
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.validators_venv import PACKAGES, TOOLS, VENV, build_venv  # noqa: F401


@dataclass
class Validators:
    bin: Path

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def run(self, *args: str | Path, cwd: Path | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
        argv = [self.tool(str(args[0])), *map(str, args[1:])]
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def warcio_check(self, files: list[Path]) -> dict[str, str]:
        """``warcio check -v`` over all ``files`` in one run (one Python start, not one per file;
        it exits non-zero if any record of any file fails): each file's part of the output."""
        done = self.run("warcio", "check", "-v", *files)
        parts: dict[str, list[str]] = {}
        current: list[str] = []
        for line in done.stdout.splitlines():
            if line and not line.startswith(" "):
                current = parts.setdefault(line.strip(), [])
            else:
                current.append(line)
        return {str(path): "\n".join(parts.get(str(path), [])) for path in files}


@pytest.fixture(scope="session")
def validators() -> Validators:
    bin_dir, why = build_venv()
    if bin_dir is None:
        pytest.skip(f"validator venv {VENV} could not be built ({why}); "
                    f"build it with: python -m venv {VENV} && {VENV}/bin/pip install {' '.join(PACKAGES)}")
    return Validators(bin_dir)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen) -> None:
    """Wait until something listens on ``port``; fail at once if ``proc`` died."""
    while True:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise AssertionError(f"server exited {proc.returncode} before listening:\n{out}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)


@contextmanager
def pywb_replay(validators: Validators, archive_dir: Path, home: Path) -> Iterator[str]:
    """pywb replaying ``archive_dir``'s WARC files as collection ``coll`` (built in ``home``);
    yields the collection's base URL and stops the server afterwards."""
    # The collection's folders as `wb-manager init coll` makes them (pywb's documented layout:
    # collections/NAME/archive and indexes), without a Python start of pywb for it (~0.7 s CPU).
    for folder in ("archive", "indexes"):
        (home / "collections" / "coll" / folder).mkdir(parents=True)
    validators.run("wb-manager", "add", "coll", *sorted(archive_dir.glob("*.warc.gz")), cwd=home)
    port = free_port()
    proc = subprocess.Popen([validators.tool("wayback"), "-b", "127.0.0.1", "-p", str(port)],
                            cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/coll"
    finally:
        proc.terminate()
        proc.wait()
