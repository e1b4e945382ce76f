"""One crawl run in a child process: ``python -m pagetrail crawl SEEDFILE... --only NAME ...``.

A child per run because Twisted's reactor cannot be restarted inside one process, and because a
crash, a hang or a leak in a crawl must not take the scheduler down with it. Given a
:class:`~pagetrail.schedule.launched.Launcher`, a crawl with the default command is forked from it
(its imports already done, see launcher.py); any other command, or a launcher that failed, is
started as a new process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pagetrail.forking import die_with_parent
from pagetrail.schedule.launched import LaunchedProcess, Launcher, killed_by

DEFAULT_COMMAND = (sys.executable, "-m", "pagetrail", "crawl")
TAIL_LINES = 8


@dataclass
class CrawlRun:
    """What one child crawl did: its exit status and the JSON summary it printed."""

    seeds: tuple[str, ...]
    command: list[str]
    started: datetime
    finished: datetime | None = None
    returncode: int | None = None
    summary: dict | list | None = None  # the child's --json output, when it printed one
    stderr_tail: list[str] = field(default_factory=list)
    stopped: bool = False  # asked to stop because the daemon is shutting down
    error: str | None = None  # could not be started at all
    handed_off: bool = False  # a queued batch the daemon stopped waiting for (the workers crawl it)
    worker: str | None = None  # the queue worker that crawled it (--broker)
    lost: bool = False  # its launcher died before telling how it ended (it got SIGTERM)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe(self) -> str:
        if self.lost:
            return "ended with its crawl launcher (sent SIGTERM; exit status unknown)"
        if self.error:
            return f"could not start: {self.error}"
        code = self.returncode
        if code is None:
            return "still running"
        if code < 0:
            return killed_by(code) + (" (daemon stopping)" if self.stopped else "")
        if code == 0:
            return "ok"
        if code == 1:
            return "some pages failed (exit 1)"
        return f"failed (exit {code})"


def crawl_command(seed_files: list[str], names: list[str], archive: str,
                  base: tuple[str, ...] | list[str] = DEFAULT_COMMAND,
                  options: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The child's command line; ``options`` are `pagetrail crawl` options (``-s``...)."""
    command = [*base, *seed_files, "--archive", archive, "--json", *options]
    for name in names:
        command += ["--only", name]
    return command


class ChildCrawl:
    """A running child crawl. ``wait()`` must be called from the thread that called ``start()``:
    the parent-death signal of a crawl started as a new process is tied to the thread that forked
    (one forked by the launcher has it on the launcher, which has it on its own thread)."""

    def __init__(self, command: list[str], seeds: list[str], log_path: Path,
                 pass_fds: tuple[int, ...] = (), launcher: Launcher | None = None):
        self.run = CrawlRun(tuple(seeds), command, datetime.now(UTC))
        self.log_path = log_path
        self.proc: subprocess.Popen | LaunchedProcess | None = None
        self.pass_fds = pass_fds  # the daemon lock: held until the child ends, even if orphaned
        self.launcher = launcher if tuple(command[:len(DEFAULT_COMMAND)]) == DEFAULT_COMMAND else None
        self._lock = threading.Lock()

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._stderr = tempfile.TemporaryFile(dir=self.log_path.parent)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        try:
            with self._lock:
                if self.launcher is not None:
                    self.proc = self.launcher.spawn(self.run.command, env, self._stderr.fileno(),
                                                    self.pass_fds)
                if self.proc is None:
                    self.proc = subprocess.Popen(
                        self.run.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=self._stderr, env=env, start_new_session=True,
                        pass_fds=self.pass_fds, preexec_fn=die_with_parent)
        except OSError as exc:
            self.run.error = str(exc)
            self.run.finished = datetime.now(UTC)

    def wait(self) -> CrawlRun:
        if self.proc is None:
            return self.run
        out, _ = self.proc.communicate()
        self.run.returncode = self.proc.returncode
        self.run.lost = getattr(self.proc, "lost", False)
        self.run.finished = datetime.now(UTC)
        self.run.summary = _parse_summary(out)
        self._collect_stderr()
        return self.run

    def terminate(self) -> None:
        """Ask the crawl to stop: Scrapy closes the spider and the archive closes its files."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        with self._lock:
            self.run.stopped = True
            if self.proc is not None and self.proc.poll() is None:
                try:
                    self.proc.send_signal(sig)
                except ProcessLookupError:
                    pass

    def _collect_stderr(self) -> None:
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace")
        self._stderr.close()
        stamp = self.run.started.strftime("%Y-%m-%d %H:%M:%S")
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"--- {stamp} crawl {' '.join(self.run.seeds)}: {self.run.describe()}\n")
            log.write(text if text.endswith("\n") or not text else text + "\n")
        self.run.stderr_tail = [line for line in text.splitlines() if line.strip()][-TAIL_LINES:]


def _parse_summary(out: bytes) -> dict | list | None:
    """The child's ``--json`` summary: the whole of stdout, or failing that its last JSON line."""
    text = out.decode("utf-8", "replace").strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None
