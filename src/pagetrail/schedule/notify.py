"""Notifications after a capture that changed in a channel the seed cares about.

Notifier kinds are a registry: a subclass of :class:`Notifier` with a ``kind`` and a ``from_seed``
is found by that kind. Built in: ``webhook`` (POST the JSON change report to ``seed.webhook``) and
``jsonl`` (append it to ``seed.notify_file``). Deliveries run on a background thread, so a slow or
dead webhook never holds up captures; a failed delivery is retried with exponential backoff, and one
that still fails is logged and written to a dead-letter file so the report is never lost.
"""

from __future__ import annotations

import fcntl
import heapq
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from pagetrail import __version__
from pagetrail.seeds import Seed

log = logging.getLogger("pagetrail.notify")

NOTIFIERS: dict[str, type[Notifier]] = {}


class Notifier:
    """One destination for change reports."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            NOTIFIERS[cls.kind] = cls

    @classmethod
    def from_seed(cls, seed: Seed) -> Notifier | None:
        """The notifier this seed asks for, or None when it does not configure this kind."""
        raise NotImplementedError

    def send(self, payload: dict) -> None:
        """Deliver one report; raise on failure (it will be retried)."""
        raise NotImplementedError

    def describe(self) -> str:
        return self.kind


class WebhookNotifier(Notifier):
    kind = "webhook"
    timeout = 10.0

    def __init__(self, url: str):
        self.url = url

    @classmethod
    def from_seed(cls, seed: Seed) -> WebhookNotifier | None:
        return cls(seed.webhook) if seed.webhook else None

    def send(self, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"pagetrail/{__version__}",
            "X-Pagetrail-Seed": str(payload.get("seed", "")),
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read(65536)
        except urllib.error.HTTPError as exc:
            raise OSError(f"HTTP {exc.code} from {self.url}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OSError(f"{self.url}: {reason}") from None

    def describe(self) -> str:
        return f"webhook {self.url}"


class JsonlNotifier(Notifier):
    kind = "jsonl"

    def __init__(self, path: str):
        self.path = Path(path)

    @classmethod
    def from_seed(cls, seed: Seed) -> JsonlNotifier | None:
        return cls(seed.notify_file) if seed.notify_file else None

    def send(self, payload: dict) -> None:
        line = json.dumps(payload, ensure_ascii=False, sort_keys=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as out:
            # Whole lines even when several daemons append to one file.
            fcntl.flock(out, fcntl.LOCK_EX)
            out.write(line)

    def describe(self) -> str:
        return f"file {self.path}"


def notifiers_for(seed: Seed) -> list[Notifier]:
    return [n for cls in NOTIFIERS.values() if (n := cls.from_seed(seed)) is not None]


def changed_channels(report: dict) -> list[str]:
    channels = report.get("channels") or {}
    return [name for name, ch in channels.items() if isinstance(ch, dict) and ch.get("changed")]


def wants(seed: Seed, report: dict) -> bool:
    """A report is sent when a channel the seed cares about (``notify_on``) changed."""
    return any(name in seed.notify_on for name in changed_channels(report))


def payload_for(seed: Seed, report: dict) -> dict:
    """The JSON change report (``PageDiff.to_dict()``) with the seed's name added."""
    return {"seed": seed.name, **report}


@dataclass
class _Delivery:
    notifier: Notifier
    payload: dict
    attempt: int = 0


class Notifications:
    """Background delivery with retries: ``notify()`` returns at once."""

    def __init__(self, retries: int = 4, backoff: float = 2.0, dead_letter: Path | None = None):
        self.retries = retries
        self.backoff = backoff
        self.dead_letter = dead_letter
        self.delivered = 0
        self.failed = 0
        self._queue: list[tuple[float, int, _Delivery]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name="pagetrail-notify", daemon=True)
        self._thread.start()

    def notify(self, seed: Seed, report: dict) -> int:
        """Queue the report for each of the seed's notifiers if it changed in a channel the seed
        cares about; returns how many deliveries were queued."""
        if not wants(seed, report):
            return 0
        payload = payload_for(seed, report)
        targets = notifiers_for(seed)
        for notifier in targets:
            self._push(time.monotonic(), _Delivery(notifier, payload))
        return len(targets)

    def _push(self, when: float, delivery: _Delivery) -> None:
        with self._cond:
            heapq.heappush(self._queue, (when, next(self._seq), delivery))
            self._cond.notify_all()

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closing and not self._queue:
                        return
                    if self._queue and self._queue[0][0] <= time.monotonic():
                        break
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cond.wait(wait)
                _, _, delivery = heapq.heappop(self._queue)
            self._deliver(delivery)

    def _deliver(self, delivery: _Delivery) -> None:
        try:
            delivery.notifier.send(delivery.payload)
        except Exception as exc:  # noqa: BLE001 - any failure is retried, none may escape
            delivery.attempt += 1
            what = f"{delivery.payload.get('seed')}: notify {delivery.notifier.describe()}"
            if delivery.attempt > self.retries or self._closing:
                log.error("%s failed (%s); giving up after %d attempts", what, exc, delivery.attempt)
                self.failed += 1
                self._bury(delivery, str(exc))
                return
            delay = self.backoff * 2 ** (delivery.attempt - 1)
            log.warning("%s failed (%s); retry %d/%d in %gs", what, exc, delivery.attempt,
                        self.retries, delay)
            self._push(time.monotonic() + delay, delivery)
            return
        self.delivered += 1
        log.info("%s: notified %s", delivery.payload.get("seed"), delivery.notifier.describe())

    def _bury(self, delivery: _Delivery, error: str) -> None:
        """Keep an undeliverable report in the dead-letter file, to be re-sent by hand."""
        if self.dead_letter is None:
            return
        record = {
            "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "notifier": delivery.notifier.kind,
            "target": delivery.notifier.describe(),
            "error": error,
            "report": delivery.payload,
        }
        try:
            JsonlNotifier(str(self.dead_letter)).send(record)
        except OSError as exc:
            log.error("cannot write %s: %s", self.dead_letter, exc)

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is due within ``timeout``; anything still queued goes to the dead letter."""
        with self._cond:
            self._closing = True
            # Retries waiting for their backoff are tried once more now.
            self._queue = [(0.0, seq, d) for _, seq, d in self._queue]
            heapq.heapify(self._queue)
            self._cond.notify_all()
        self._thread.join(timeout)
        with self._cond:
            left = [d for _, _, d in self._queue]
            self._queue.clear()
        for delivery in left:
            self._bury(delivery, "daemon stopped before delivery")
