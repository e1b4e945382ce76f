"""What the daemon remembers about each seed between captures: the last run and its result, the
streak of failed captures, and whether "failing" was notified (so that it is notified once, and
"back" once when a capture works again).

Kept in ``ARCHIVE/schedule/status.json``, written by the daemon alone (atomically, after each
crawl) and read by ``pagetrail schedule``; it survives restarts, so a page that was failing
before a restart is still reported back once when it recovers.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from pagetrail.atomicfile import replaced
from pagetrail.schedule.control import schedule_dir
from pagetrail.seeds import Seed

log = logging.getLogger("pagetrail.schedule")

STATUS_NAME = "status.json"


@dataclass
class SeedStatus:
    name: str
    last_run: str | None = None  # ISO 8601 UTC of the last capture attempt
    last_ok: bool | None = None
    last_result: str = ""  # the capture's log line, without the seed's name
    failures: int = 0  # failed captures in a row
    failing_since: str | None = None
    failing_notified: bool = False


def status_path(archive: str | Path) -> Path:
    return schedule_dir(archive) / STATUS_NAME


def read_status(archive: str | Path) -> dict[str, SeedStatus]:
    """The seeds' status as the daemon last wrote it (empty when it never ran or wrote none)."""
    try:
        data = json.loads(status_path(archive).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    known = {f.name for f in fields(SeedStatus)}
    out = {}
    for name, item in (data.get("seeds") or {}).items() if isinstance(data, dict) else ():
        if isinstance(item, dict):
            out[name] = SeedStatus(**{k: v for k, v in item.items() if k in known} | {"name": name})
    return out


class StatusBook:
    """The daemon's copy: ``record()`` each capture, ``save()`` after each crawl."""

    def __init__(self, archive: str | Path):
        self.path = status_path(archive)
        self.seeds = read_status(archive)
        # Crawls end on the dispatcher's threads (several with --parallel) while seed edits are
        # applied on the main thread.
        self._lock = threading.Lock()

    def record(self, seed: Seed, ok: bool, line: str, error: str | None = None,
               when: datetime | None = None) -> dict | None:
        """Note one capture of ``seed``; returns the fetch-state event it causes, if any:
        ``{"event": "down", ...}`` at the seed's ``notify_failures``-th failure in a row,
        ``{"event": "up", ...}`` at the first success after that."""
        with self._lock:
            return self._record(seed, ok, line, error, when)

    def _record(self, seed: Seed, ok: bool, line: str, error: str | None,
                when: datetime | None) -> dict | None:
        stamp = (when or datetime.now(UTC)).isoformat(timespec="seconds")
        state = self.seeds.setdefault(seed.name, SeedStatus(seed.name))
        state.last_run, state.last_ok, state.last_result = stamp, ok, line
        if ok:
            event = None
            if state.failing_notified:
                event = {"event": "up", "failures": state.failures, "since": state.failing_since,
                         "timestamp": stamp}
            state.failures, state.failing_since, state.failing_notified = 0, None, False
            return event
        state.failures += 1
        state.failing_since = state.failing_since or stamp
        if state.failures >= seed.notify_failures and not state.failing_notified:
            state.failing_notified = True
            return {"event": "down", "failures": state.failures, "since": state.failing_since,
                    "error": error, "timestamp": stamp}
        return None

    def keep_only(self, names: set[str]) -> None:
        """Forget seeds no longer in the seed files."""
        with self._lock:
            for name in set(self.seeds) - names:
                del self.seeds[name]

    def save(self) -> None:
        with self._lock:
            data = {"seeds": {name: {k: v for k, v in asdict(s).items() if k != "name"}
                              for name, s in sorted(self.seeds.items())}}
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with replaced(self.path, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(data, indent=1))
            except OSError as exc:
                log.warning("cannot write %s: %s", self.path, exc)
