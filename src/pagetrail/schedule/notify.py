"""Notifications after a capture that changed in a channel the seed cares about, and when a
seed's fetches start failing or work again (the ``fetch`` entry of ``notify_on``).

Where they go is :mod:`pagetrail.schedule.notifiers` (apprise URLs, webhook, JSON lines file).
Deliveries run on a background thread, so a slow or dead destination never holds up captures; a
failed delivery is retried with exponential backoff, and one that still fails is logged and
written to a dead-letter file so the report is never lost.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pagetrail.schedule.notifiers import NOTIFIERS, JsonlNotifier, Notifier, notifiers_for
from pagetrail.seeds import Seed

__all__ = ["NOTIFIERS", "Notifications", "Notifier", "changed_channels", "notifiers_for",
           "payload_for", "wants"]

log = logging.getLogger("pagetrail.notify")


def changed_channels(report: dict) -> list[str]:
    channels = report.get("channels") or {}
    return [name for name, ch in channels.items() if isinstance(ch, dict) and ch.get("changed")]


def wants(seed: Seed, report: dict) -> bool:
    """A report is sent when a channel the seed cares about (``notify_on``) changed."""
    return any(name in seed.notify_on for name in changed_channels(report))


def payload_for(seed: Seed, report: dict) -> dict:
    """The JSON change report (``PageDiff.to_dict()``) with the seed's name and the event added."""
    return {"seed": seed.name, "event": "change", **report}


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
        return self._queue_all(seed, payload_for(seed, report))

    def notify_fetch_state(self, seed: Seed, event: dict) -> int:
        """Queue a fetch-state event (``"event": "down"`` or ``"up"``) for a seed whose
        ``notify_on`` has ``fetch``; returns how many deliveries were queued."""
        if "fetch" not in seed.notify_on:
            return 0
        return self._queue_all(seed, {"seed": seed.name, "url": seed.url, **event})

    def _queue_all(self, seed: Seed, payload: dict) -> int:
        targets = notifiers_for(seed)
        for notifier in targets:
            self._push(time.monotonic(), _Delivery(notifier, payload))
        return len(targets)

    def _push(self, when: float, delivery: _Delivery) -> None:
        with self._cond:
            heapq.heappush(self._queue, (when, next(self._seq), delivery))
            self._cond.notify_all()

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
