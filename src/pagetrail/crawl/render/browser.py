"""Debian's Chromium, started through Playwright with a fresh profile (no browser download)."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pagetrail.errors import PagetrailError

CHROMIUM_ENV = "PAGETRAIL_CHROMIUM"  # another browser binary, e.g. for a non-Debian machine
CHROMIUM_NAMES = ("chromium", "chromium-browser")
# --headless comes from Playwright (headless=True), the profile from launch_persistent_context.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


class RenderUnavailable(PagetrailError):
    """Rendering was asked for, but the browser or its driver is not installed."""


def chromium_path() -> str | None:
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


def missing() -> str | None:
    """Why rendering cannot run here (one line naming the package to install), or None."""
    if chromium_path() is None:
        return ("Debian's 'chromium' package is not installed (apt-get install chromium), "
                f"or set {CHROMIUM_ENV} to a Chromium binary")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is not installed (pip install 'playwright>=1.45,<2')"
    return None


def check_render_available(seeds: Sequence[Any]) -> None:
    """Fail before crawling when a seed asks for ``render = true`` and it cannot be done."""
    wanting = [s for s in seeds if getattr(s, "render", False)]
    why = missing() if wanting else None
    if why:
        seed = wanting[0]
        where = f"{seed.source}: " if seed.source else ""
        raise RenderUnavailable(f"{where}seed {seed.name!r}: render = true, but {why}")


@dataclass
class Browser:
    context: Any  # playwright.sync_api.BrowserContext
    watchdog: Watchdog

    @property
    def killed(self) -> str | None:
        """Why this browser was killed ("interrupted", "hard time limit"), or None."""
        return self.watchdog.fired


@contextmanager
def browser(viewport: tuple[int, int], extra_args: Sequence[str] = ()) -> Iterator[Browser]:
    """A Playwright BrowserContext on a new, empty profile folder, removed afterwards.
    ``extra_args``: more Chromium flags (``PAGETRAIL_RENDER_CHROMIUM_ARGS``), e.g. a proxy."""
    from playwright.sync_api import sync_playwright

    profile = _profile_folder()
    watchdog = Watchdog(profile)
    _RUNNING.add(watchdog)
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), headless=True, args=[*FLAGS, *extra_args],
                env={**os.environ, "TMPDIR": profile},  # its own temporary files go with the profile
                service_workers="block",  # a service worker's fetches would not be seen
                viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=False)
            _allow_local_network(context)
            try:
                yield Browser(context, watchdog)
            finally:
                watchdog.stop()
                try:
                    context.close()
                except Exception:  # noqa: BLE001 - a killed browser is already closed
                    pass
    finally:
        _RUNNING.discard(watchdog)
        shutil.rmtree(profile, ignore_errors=True)


# Chromium makes its singleton socket in TMPDIR/org.chromium.Chromium.XXXXXX/ (38 bytes more), and
# a Unix socket path holds at most 107 bytes: under a long temporary folder (a CI job's, a test
# runner's) it exits at start with "Socket path too long". The profile, which is also its TMPDIR,
# then goes to /tmp.
LONGEST_TEMP_BASE = 40


def _profile_folder() -> str:
    base = tempfile.gettempdir()
    if len(base) > LONGEST_TEMP_BASE and os.access("/tmp", os.W_OK):
        base = "/tmp"
    return tempfile.mkdtemp(prefix="pagetrail-chromium-", dir=base)


def kill_all(reason: str = "interrupted") -> None:
    """Kill every browser started here. Safe in a signal handler: the Playwright calls waiting on
    them then fail as usual, so the rendering unwinds through its normal paths (the page keeps
    what it had, the driver stops cleanly) instead of being cut at an arbitrary point."""
    for watchdog in list(_RUNNING):
        watchdog.kill(reason)


def _allow_local_network(context: Any) -> None:
    """The page is handed to the browser from the archive, so it has no server address of its
    own, and Chromium's Local Network Access checks would block every frame it loads from a
    loopback or intranet host (a page served locally, an intranet ad server)."""
    try:
        context.grant_permissions(["local-network-access"])
    except Exception:  # noqa: BLE001 - a Chromium or Playwright without that permission
        pass


_RUNNING: set[Watchdog] = set()  # the browsers of this process, for kill_all()


class Watchdog:
    """The last resort behind the per-page bounds: past the armed deadline, the browser processes
    started here (found by their profile folder) are killed, so a wedged browser cannot hang the
    crawl; the calls waiting on it then fail and the caller keeps what it had."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.deadline: float | None = None
        self.fired: str | None = None
        self.wake = threading.Condition()
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True, name="render-watchdog")
        self.thread.start()

    def arm(self, seconds: float | None) -> None:
        with self.wake:
            self.deadline = time.monotonic() + seconds if seconds else None
            self.wake.notify()

    def stop(self) -> None:
        with self.wake:
            self.stopped = True
            self.wake.notify()

    def _run(self) -> None:
        with self.wake:
            while not self.stopped:
                if self.deadline is None:
                    self.wake.wait()
                    continue
                left = self.deadline - time.monotonic()
                if left > 0:
                    self.wake.wait(left)
                    continue
                self.deadline = None
                self.kill("hard time limit")

    def kill(self, reason: str) -> None:
        self.fired = self.fired or reason
        for pid in _processes_using(self.profile):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _processes_using(profile: str) -> list[int]:
    """Our browser's processes: those whose command line names this run's profile folder."""
    found = []
    needle = profile.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found
