"""Batches due seeds into child crawls: seeds due together are crawled together, and a seed is never
crawled twice at once.

Job functions only call :meth:`Dispatcher.submit`. The dispatcher thread starts a child for the
pending seeds (at most ``max_parallel`` at a time, of at most ``batch_size`` seeds; others wait
their turn) once no further seed has come due for ``window`` seconds, so that seeds firing in one
burst share one child process even when the scheduler fires them over a while; or at once when the
batch is full (of seeds not back from a crawl, see _launch_at); or when its first seed has waited
``CAP_WINDOWS`` windows, so that a steady trickle of due seeds cannot postpone a crawl without end.
A seed that comes due while its previous crawl still runs is deferred until that crawl ends, however
many times it came due meanwhile (coalesced, like missed runs): never two crawls of one seed at
once, no run silently dropped, and seeds that came due during a crawl are batched together after it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable

from pagetrail.schedule.child import ChildCrawl, CrawlRun

log = logging.getLogger("pagetrail.schedule")

# A batch waits at most this many windows after its first seed came due: above the bursts seen (50
# jobs due at once, PostgreSQL job store, load 8 on 2 cores: fired over 0.4-0.7 s, no gap over
# 0.14 s) even with the 0.2 s window of the cluster tests, while batching adds at most 5 s to a
# run's lateness with the default 1 s window.
CAP_WINDOWS = 5


class Dispatcher:
    def __init__(
        self,
        start_child: Callable[[list[str]], ChildCrawl | None],
        on_done: Callable[[CrawlRun], None],
        window: float = 1.0,
        max_parallel: int = 1,
        batch_size: int = 0,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[threading.Condition, float], object] = threading.Condition.wait,
    ):
        """``clock`` and ``wait`` (the Condition's timed wait) are only replaced by tests that
        move time themselves."""
        self.start_child = start_child
        self.on_done = on_done
        self.window = max(0.0, window)
        self.cap = CAP_WINDOWS * self.window
        self.max_parallel = max(1, max_parallel)
        self.batch_size = max(0, batch_size)  # 0: every due seed in one batch
        self._clock = clock
        self._wait = wait
        self._cond = threading.Condition()
        # seed name -> when it came due (clock); insertion order is due order, so the first entry
        # is the batch's oldest seed without a scan per wake-up.
        self._pending: dict[str, float] = {}
        self._last_due = 0.0  # when a seed not in flight last came due (pending or not)
        self._in_flight: set[str] = set()
        self._deferred: set[str] = set()  # came due while in flight: run again when it ends
        self._returned: set[str] = set()  # pending since their crawl ended (were deferred)
        self._overlapped: set[str] = set()  # seeds already logged as overlapping their crawl
        self._children: list[ChildCrawl] = []
        self._watchers: list[threading.Thread] = []
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="pagetrail-dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, name: str) -> None:
        with self._cond:
            if self._stopping:
                return
            if name in self._in_flight:
                if name not in self._deferred:
                    self._deferred.add(name)
                    if name not in self._overlapped:  # once: with a short interval, every crawl
                        self._overlapped.add(name)
                        log.info("%s: due again while its crawl is still running; it runs again "
                                 "when that crawl ends (not logged again)", name)
                return
            self._last_due = self._clock()  # a burst still firing, even if coalesced below
            if name not in self._pending:
                self._pending[name] = self._last_due
                self._cond.notify_all()

    def forget(self, name: str) -> None:
        """Drop a waiting or deferred run of this seed (paused or removed meanwhile)."""
        with self._cond:
            self._pending.pop(name, None)
            self._deferred.discard(name)
            self._returned.discard(name)
            self._cond.notify_all()  # a batch waiting on this seed alone is dropped now

    def _launch_at(self) -> float:
        """When the pending batch goes out (called with pending seeds, under the lock)."""
        if self.batch_size and len(self._pending) >= self.batch_size and self._returned.isdisjoint(
                itertools.islice(self._pending, self.batch_size)):
            return float("-inf")  # full: waiting longer cannot add to it
        # Seeds back from their crawl wait for quiet even in a full batch: the burst that made
        # them due again may still be firing, and a seed due again after it went out would be
        # deferred once more, to the end of this crawl, apart from the rest (the batch splits).
        first = next(iter(self._pending.values()))
        return min(self._last_due + self.window, first + self.cap)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._pending or len(self._children) >= self.max_parallel):
                    self._cond.wait()
                if self._stopping:
                    return
                # Every wake-up (a seed due, one forgotten, a slot freed, stop) decides afresh: a
                # batch emptied by forget() goes back to the untimed wait above instead of being
                # launched empty, which once ended this thread and every later crawl.
                delay = self._launch_at() - self._clock()
                if delay > 0:
                    self._wait(self._cond, delay)
                    continue
                # The oldest first; the rest make the next batch (already due: it goes out when a
                # slot is free and it is full, quiet or has waited its cap).
                names = sorted(list(self._pending)[: self.batch_size or None])
                for name in names:
                    del self._pending[name]
                self._returned.difference_update(names)
                self._in_flight.update(names)
                watcher = threading.Thread(target=self._run_batch, args=(names,),
                                           name=f"pagetrail-crawl-{names[0]}", daemon=True)
                self._watchers = [w for w in self._watchers if w.is_alive()] + [watcher]
                # Reserve the slot before the child exists, so the loop cannot overshoot.
                self._children.append(_Placeholder)
                # Started under the lock: stop() joins every listed watcher, and joining one
                # listed but not yet started raises (seen when SIGTERM came as a batch launched).
                watcher.start()

    def _run_batch(self, names: list[str]) -> None:
        child = None
        try:
            child = self.start_child(names)
            if child is not None:
                with self._cond:
                    self._children[self._children.index(_Placeholder)] = child
                    stopping = self._stopping
                child.start()
                if stopping:
                    child.terminate()
                run = child.wait()
                # Handled before the slot is freed: the next crawl does not start while the
                # archive is being read for this one's change summaries.
                self.on_done(run)
        except Exception:  # noqa: BLE001 - a failed batch must never stop the dispatcher
            log.exception("crawl of %s could not be run or its result handled", ", ".join(names))
        finally:
            with self._cond:
                slot = child if child in self._children else _Placeholder
                if slot in self._children:
                    self._children.remove(slot)
                self._in_flight.difference_update(names)
                again = self._deferred.intersection(names)
                self._deferred.difference_update(names)
                if not self._stopping and again:
                    # Due now, like a seed just fired: pieces of a batch ending within a window
                    # of each other go out together again.
                    self._last_due = self._clock()
                    for name in sorted(again):
                        self._pending.setdefault(name, self._last_due)
                    self._returned.update(again)
                self._cond.notify_all()

    def kill_all(self) -> None:
        """Kill running crawls at once (a second stop signal)."""
        with self._cond:
            children = [c for c in self._children if c is not _Placeholder]
        for child in children:
            child.kill()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop launching, ask running crawls to stop (SIGTERM), kill those still running after
        ``timeout`` seconds, and wait until every result is handled."""
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._deferred.clear()
            self._returned.clear()
            children = [c for c in self._children if c is not _Placeholder]
            self._cond.notify_all()
        for child in children:
            log.info("stopping the crawl of %s", ", ".join(child.run.seeds))
            child.terminate()
        deadline = time.monotonic() + timeout
        for watcher in list(self._watchers):
            watcher.join(max(0.0, deadline - time.monotonic()))
        with self._cond:
            late = [c for c in self._children if c is not _Placeholder]
        for child in late:
            log.warning("crawl of %s did not stop within %gs; killed (its WARC is repaired at the "
                        "next start)", ", ".join(child.run.seeds), timeout)
            child.kill()
        for watcher in list(self._watchers):
            watcher.join(10)
        self._thread.join(2)


class _PlaceholderType:
    """Marks a slot taken by a batch whose child is being started."""


_Placeholder = _PlaceholderType()
