"""The independent validators (warcio, cdxj-indexer, pywb, wacz) in their own virtualenv.

They pin versions that can clash with the crawler's, so they live in ``.cache/validators-venv``
under the repository root (CI builds it in its own clone). The venv is reused when it already
works; if it cannot be built (no network, no index) the tests that need it are skipped with the
reason.

Use the ``validators`` fixture (session scoped)::

    def test_x(validators):
        validators.run("warcio", "check", "-v", path)
"""

from __future__ import annotations

import fcntl
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".cache" / "validators-venv"
PACKAGES = ["warcio", "cdxj-indexer", "pywb", "wacz"]
TOOLS = ["warcio", "cdxj-indexer", "wb-manager", "wayback", "wacz"]


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


def _works(venv: Path) -> bool:
    py = venv / "bin" / "python"
    if not py.exists() or not all((venv / "bin" / t).exists() for t in TOOLS):
        return False
    probe = subprocess.run([str(py), "-c", "import warcio, cdxj_indexer, pywb, wacz"],
                           capture_output=True)
    return probe.returncode == 0


def build_venv(venv: Path = VENV) -> tuple[Path | None, str]:
    """(bin folder, "") when the venv works, else (None, why not)."""
    if _works(venv):
        return venv / "bin", ""
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Test workers running side by side (pytest -n) all ask for the venv at start: the first one
    # builds it, the others wait on the lock and then find it working.
    with open(venv.parent / "validators-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(venv)


def _build(venv: Path) -> tuple[Path | None, str]:
    if _works(venv):
        return venv / "bin", ""
    steps = [[sys.executable, "-m", "venv", str(venv)],
             [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *PACKAGES]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"`{' '.join(step[-4:])}` failed: {tail[0]}"
    if not _works(venv):
        return None, f"{venv} was built but its tools do not import"
    return venv / "bin", ""


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
    validators.run("wb-manager", "init", "coll", cwd=home)
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
