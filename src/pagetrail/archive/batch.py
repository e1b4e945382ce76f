"""Catalog rows committed in batches: one transaction per ``max_records`` captures or
``max_seconds``, whichever comes first, instead of one per capture.

A commit is most of what a capture costs the crawl, so the write transaction is kept open across
captures. While it is open this process holds the catalog's write lock, so picking a timestamp, writing
the WARC records and inserting the row stay one step across processes, as with one transaction per
capture; other writers wait at most about ``max_seconds``, and readers (WAL) see the rows at the
next commit (SQLite's WAL, PostgreSQL's MVCC). This archive object reads through the same connection, so it sees its own rows at
once.

Crash safety: the WARC records are written before their row, so a writer killed before a commit
leaves records in its ``.open`` file that the catalog lacks; repair (``repair.py``) adds them when
the archive is next opened. A commit that fails does the same on purpose: the file is left
``.open`` at close so that the next open re-catalogs it.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable

from pagetrail.archive.catalog import Catalog
from pagetrail.archive.catalogdb import ERRORS
from pagetrail.errors import ArchiveError

# Open batches per catalog file, for flush_others.
_BATCHES: dict[str, weakref.WeakSet[CatalogBatch]] = {}
_REGISTRY_LOCK = threading.Lock()
# A forked child (the crawl's archive writer) has copies of its parent's batches, whose database
# connections are not its own: flush_others must never commit through one of them.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_BATCHES.clear)


class CatalogBatch:
    def __init__(self, catalog: Catalog, lock: threading.RLock, *, max_records: int = 100,
                 max_seconds: float = 0.5, on_lost: Callable[[], None] = lambda: None):
        self.catalog = catalog
        self.on_lost = on_lost  # rows of captures already in the WARC file were rolled back
        self.lock = lock
        self.max_records = max(1, max_records)
        self.max_seconds = max_seconds
        self.count = 0
        self.started = 0.0
        self.failure: ArchiveError | None = None  # a background commit failed; raised on next use
        self._flusher: _Flusher | None = None
        self.stopped = False
        self.key = catalog.db.key
        with _REGISTRY_LOCK:
            _BATCHES.setdefault(self.key, weakref.WeakSet()).add(self)

    @property
    def open(self) -> bool:
        return self.catalog.db.in_transaction

    def begin(self) -> None:
        """Make sure a write transaction is open (call with the lock held)."""
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure
        if self.open:
            return
        if self.count:  # the transaction ended under us (PostgreSQL's connection was lost)
            self.on_lost()
            self.count = 0
        self.flush_others()
        try:
            self.catalog.db.begin_write()
        except ERRORS as exc:
            raise ArchiveError(f"{self.catalog.where}: cannot write the catalog ({exc})") from None
        self.catalog.forget_file_ids()
        self.count = 0
        self.started = time.monotonic()
        if self._flusher is None and self.max_records > 1:
            self._flusher = _Flusher(self, max(0.05, self.max_seconds / 2))
            self._flusher.start()

    def added(self) -> None:
        """One more capture is in the transaction: commit when the batch is full or old."""
        self.count += 1
        if self.count >= self.max_records or time.monotonic() - self.started >= self.max_seconds:
            self.commit()

    def commit(self) -> None:
        """Commit what is pending (call with the lock held); a no-op without a transaction."""
        if not self.open:
            return
        try:
            self.catalog.db.commit()
        except ERRORS as exc:
            self.abandon()
            raise ArchiveError(f"{self.catalog.where}: cannot write the catalog ({exc})") from None
        finally:
            self.count = 0

    def statement_failed(self) -> None:
        """A statement failed: SQLite may have rolled back the whole transaction, and PostgreSQL
        always aborts it, and with it go the rows of earlier captures whose records are already
        in the WARC file."""
        if self.catalog.db.aborted:
            try:
                self.catalog.db.rollback()
            except ERRORS:
                pass
        if not self.open and self.count:
            self.on_lost()
        self.count = 0

    def abandon(self) -> None:
        if self.open:
            try:
                self.catalog.db.rollback()
            except ERRORS:
                pass
        if self.count:
            self.on_lost()
        self.count = 0

    def commit_if_due(self) -> None:
        if self.open and time.monotonic() - self.started >= self.max_seconds:
            try:
                self.commit()
            except ArchiveError as exc:
                self.failure = exc

    def flush_others(self) -> None:
        """Commit the batches of other archive objects on the same catalog in this process, so
        that this one sees their rows and need not wait for their write lock. A batch whose
        object is busy in another thread is left to commit on its own."""
        siblings = _BATCHES.get(self.key)
        if siblings is None or len(siblings) < 2:
            return  # the usual case: this is the only archive object on its catalog
        with _REGISTRY_LOCK:
            others = [b for b in siblings if b is not self]
        for other in others:
            if other.lock.acquire(blocking=False):
                try:
                    if not other.stopped:
                        other.commit()
                except ArchiveError as exc:
                    other.failure = exc
                finally:
                    other.lock.release()

    def stop(self) -> None:
        """Call with the lock held, before the catalog is closed."""
        self.stopped = True
        with _REGISTRY_LOCK:
            _BATCHES.get(self.key, set()).discard(self)
        if self._flusher is not None:
            self._flusher.stop.set()
            self._flusher = None


class _Flusher(threading.Thread):
    """Commits a batch that has waited ``max_seconds`` when no capture comes to do it (a crawl
    waiting on a slow page), so other writers are not held up by an idle one."""

    def __init__(self, batch: CatalogBatch, period: float):
        super().__init__(name="pagetrail-catalog-commit", daemon=True)
        self.batch = batch
        self.period = period
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.period):
            with self.batch.lock:
                if self.stop.is_set():
                    return
                self.batch.commit_if_due()
