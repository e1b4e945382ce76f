"""Replay through pywb, run by ``pagetrail serve`` itself as a child process on its own port.

Why a child process and not pywb mounted in the app: pywb pins exact versions that clash with this
project's (``werkzeug==3.1.7``, ``redis==2.10.6``, ``fakeredis<1``, ``webassets==2.0``) and patches the
standard library with gevent; it is also GPL-licensed. So it lives in its own virtualenv, built once
on first use, and serves on another port: another origin, so an archived page's script cannot read
or drive the app. Its configuration (a temporary folder outside the archive) points pywb at the
archive's own index (``index.cdxj`` and its runs) and WARC files; pywb only reads them.

Which pywb: ``$PAGETRAIL_PYWB`` (a ``wayback`` executable), else ``wayback`` on the PATH, else the
venv under the cache folder (``pagetrail.cachedir``: ``~/.cache/pagetrail/pywb-venv`` by default) (built with pip the first time).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pagetrail.cachedir import cache_dir
from pagetrail.forking import parent_death_signal

COLLECTION = "pagetrail"
PYWB_REQUIREMENT = "pywb>=2.8,<3"
START_TIMEOUT_S = 60.0


def cache_venv() -> Path:
    return cache_dir() / "pywb-venv"


def find_wayback(build: bool = True, log=print) -> tuple[str | None, str]:  # noqa: ANN001
    """(path to pywb's ``wayback``, "") or (None, why not)."""
    given = os.environ.get("PAGETRAIL_PYWB")
    if given:
        return (given, "") if Path(given).is_file() else (None, f"$PAGETRAIL_PYWB={given}: no such file")
    on_path = shutil.which("wayback")
    if on_path:
        return on_path, ""
    venv = cache_venv()
    wayback = venv / "bin" / "wayback"
    if wayback.is_file():
        return str(wayback), ""
    if not build:
        return None, "pywb is not installed"
    log(f"Replay: installing pywb into {venv} (first run only; needs PyPI, about a minute) ...")
    steps = [[sys.executable, "-m", "venv", str(venv)],
             [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", PYWB_REQUIREMENT]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            shutil.rmtree(venv, ignore_errors=True)
            return None, f"could not install pywb ({tail[0]})"
    return str(wayback), ""


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class Replay:
    """A pywb serving ``archive`` at ``http://HOST:PORT/pagetrail/``; ``start()`` and ``stop()``."""

    archive: Path
    host: str = "127.0.0.1"
    port: int = 0
    wayback: str | None = None
    proc: subprocess.Popen | None = None
    _home: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/{COLLECTION}"

    def start(self) -> Replay:
        if not self.wayback:
            raise RuntimeError("no pywb to start")
        self._home = tempfile.TemporaryDirectory(prefix="pagetrail-pywb-")
        home = Path(self._home.name)
        root = self.archive.resolve()
        (home / "config.yaml").write_text(
            "collections:\n"
            f"  {COLLECTION}:\n"
            # the folder, not index.cdxj: a big index is index.cdxj plus sorted runs
            # (index-NNNNNNNN.cdxj, see archive/cdxj.py), and pywb reads every *.cdxj of a folder
            f"    index_paths: {_yaml_str(str(root) + os.sep)}\n"
            f"    archive_paths: {_yaml_str(str(root) + os.sep)}\n",
            encoding="utf-8")
        self.port = self.port or _free_port(self.host)
        log = home / "pywb.log"  # pywb logs every request: a file, so no pipe can fill and block it
        with open(log, "wb") as out:
            # Ended by the kernel with a serve killed outright: nothing else would tell it.
            self.proc = subprocess.Popen(
                [self.wayback, "-b", self.host, "-p", str(self.port)], cwd=home,
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                preexec_fn=parent_death_signal())
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                err = log.read_text(encoding="utf-8", errors="replace")
                last = (err.strip().splitlines() or ["no output"])[-1]
                self.stop()
                raise RuntimeError(f"pywb exited at start ({last})")
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"pywb did not listen on port {self.port} within "
                                       f"{START_TIMEOUT_S:.0f}s") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self._home is not None:
            self._home.cleanup()
            self._home = None


def _yaml_str(text: str) -> str:
    """A YAML double-quoted scalar (archive paths may hold spaces, colons or quotes)."""
    import json

    return json.dumps(text)
