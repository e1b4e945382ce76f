"""One daemon per archive, and commands to a running daemon.

The lock is an ``flock`` on ``schedule/daemon.lock`` in the archive: the kernel drops it when the
daemon dies, even by SIGKILL, so a stale lock never blocks a restart. ``pagetrail schedule
pause|resume`` appends a request to ``schedule/control.jsonl``; the running daemon reads new lines
every tick and applies them through its own scheduler, so the job store has a single writer and a
pause cannot be overwritten by the daemon's next update of the same job row.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from pagetrail.errors import ArchiveError

ACTIONS = ("pause", "resume")


def schedule_dir(archive: str | Path) -> Path:
    return Path(archive) / "schedule"


class DaemonLock:
    def __init__(self, archive: str | Path):
        self.path = schedule_dir(archive) / "daemon.lock"
        self._fd: int | None = None

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock. Child crawls inherit it, so after a daemon was killed its orphaned crawl
        still holds it; ``wait`` seconds are given for such a crawl to finish."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pid = running_pid(self.path.parent.parent)
                # Wait only for the orphaned crawls of a dead daemon, not for a live daemon.
                if time.monotonic() < deadline and not _alive(pid):
                    time.sleep(0.2)
                    continue
                os.close(fd)
                raise ArchiveError(f"{self.path.parent.parent}: another pagetrail daemon (or a crawl "
                                   f"it started) is running on this archive (pid {pid or '?'}, lock "
                                   f"{self.path})") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    @property
    def fd(self) -> int | None:
        return self._fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None


def _alive(pid: int | None) -> bool:
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_pid(archive: str | Path) -> int | None:
    """The pid of the daemon running on this archive, or None when none holds the lock."""
    path = schedule_dir(archive) / "daemon.lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@dataclass
class Request:
    action: str
    name: str


class ControlChannel:
    """Requests to the running daemon, as JSON lines in the archive."""

    def __init__(self, archive: str | Path):
        self.path = schedule_dir(archive) / "control.jsonl"
        self._offset = 0

    def send(self, action: str, name: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as out:
            fcntl.flock(out, fcntl.LOCK_EX)
            out.write(json.dumps({"action": action, "name": name}) + "\n")

    def reset(self) -> None:
        """At daemon start: requests left from before were applied to the store directly."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("", encoding="utf-8")
        self._offset = 0

    def receive(self) -> list[Request]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next tick
        self._offset += end
        out = []
        for line in data[:end].splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and item.get("action") in ACTIONS and item.get("name"):
                out.append(Request(item["action"], str(item["name"])))
        return out
