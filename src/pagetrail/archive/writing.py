"""Writing captures: each fetch as WARC records in the current file, its catalog row in the open
batch, its index line merged when the file is closed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pagetrail.archive import cdxj, policy, records, rows
from pagetrail.archive.batch import CatalogBatch
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.catalogdb import ERRORS
from pagetrail.archive.digest import sha1_digest
from pagetrail.archive.model import Capture, Exchange, FailedFetch
from pagetrail.archive.naming import timestamp17
from pagetrail.archive.reading import CaptureReader
from pagetrail.archive.timestamps import now17
from pagetrail.archive.warcfile import RotatingWriter, WarcFile, Written
from pagetrail.errors import ArchiveError


class CaptureWriter:
    """The write side of an ``Archive``: one catalog batch and one stream of WARC files."""

    def __init__(self, root: Path, catalog: Catalog, lock: threading.RLock, reader: CaptureReader,
                 *, prefix: str, hostname: str, max_file_size: int, info: dict[str, str],
                 durable: bool, commit_records: int, commit_seconds: float,
                 max_file_age: float | None = None, keep_open: bool = False):
        self.root = root
        self.catalog = catalog
        self.lock = lock
        self.reader = reader
        self.durable = durable
        # Index entries not yet merged, per WARC file: the SURT keys are computed in one go when
        # the file is closed, off the crawl's path. Plain tuples (Entry fields): the collector
        # stops tracking tuples of plain values, so a long crawl's pending entries do not make
        # its full collections slower.
        self.pending: dict[str, list[tuple]] = {}
        if durable:
            catalog.db.durable()
        self.batch = CatalogBatch(catalog, lock, max_records=commit_records,
                                  max_seconds=commit_seconds, on_lost=self._rows_lost)
        self.files = RotatingWriter(root, prefix, hostname, max_file_size, info,
                                    self._file_closing, sync=durable, max_age=max_file_age,
                                    keep_open=keep_open)

    # -- life cycle ------------------------------------------------------------------------------

    def flush(self) -> None:
        with self.lock:
            self.batch.commit()

    def close(self) -> None:
        """Commit, close (or park) the current file, merge pending index lines; raises the
        first failure after closing everything."""
        with self.lock:
            failure = None
            try:
                self.flush()
            except ArchiveError as exc:
                failure = exc  # the file is left .open for repair; still close everything
            try:
                self.files.close()
                for name in list(self.pending):
                    self._index_closed_file(name)
            finally:
                self.batch.stop()
            failure = failure or self.batch.failure
            if failure is not None:
                raise failure

    def close_files(self) -> None:
        """Close the current file for good (before a reindex or an export of every file)."""
        with self.lock:
            self.flush()
            self.files.close(finish=True)

    def _file_closing(self, warc: WarcFile, parked: bool) -> list[str]:
        """Before a WARC file is renamed to its final name (or parked for the next writer):
        its rows committed and synced to disk, and its index lines merged (or handed back to
        be kept with the parked file). If the rows cannot be committed the file stays .open
        for repair."""
        try:
            self.flush()
            if not self.durable:
                self.catalog.db.checkpoint()
        except ArchiveError as exc:
            warc.needs_repair = True
            self.batch.failure = exc
        except ERRORS:
            pass  # the rows are committed; only the early sync failed
        if warc.needs_repair:
            self.pending.pop(warc.name, None)  # repair indexes the file with its rows
            return []
        if parked:
            return self._lines(warc.name)
        self._index_closed_file(warc.name, warc.parked_lines())
        return []

    def _rows_lost(self) -> None:
        if self.files.current is not None:
            self.files.current.needs_repair = True

    def _lines(self, name: str) -> list[str]:
        return [cdxj.Entry(*entry).line(name) for entry in self.pending.pop(name, [])]

    def _index_closed_file(self, name: str, earlier: list[str] | None = None) -> None:
        lines = (earlier or []) + self._lines(name)
        if lines:
            cdxj.merge(self.root, lines, guard=self.catalog.db.index_lock)

    def _keep_entry(self, warc: WarcFile, rec: records.Record, written: Written) -> None:
        entry = cdxj.entry_for_record(rec, written)
        if entry:
            self.pending.setdefault(warc.name, []).append(
                (entry.url, entry.ts, entry.mime, entry.status, entry.digest, entry.length,
                 entry.offset))

    # -- writing ---------------------------------------------------------------------------------

    def record(self, exchange: Exchange) -> Capture:
        digest = sha1_digest(exchange.body)
        with _WriteStep(self) as step:
            catalog = step.catalog
            latest, ts = catalog.latest_and_free_timestamp(exchange.url,
                                                           timestamp17(exchange.started))
            decision = policy.decide(exchange, digest, latest, self.reader.body_holder,
                                     lambda: catalog.latest_with_validators(exchange.url))
            if decision.profile is not None:
                main = records.revisit(exchange, ts, decision.profile, decision.original())
            else:
                main = records.response(exchange, ts, digest)
            request = records.request(exchange, ts, main.record_id)
            written = step.write([main, request])
            capture = rows.capture_from_record(main, written[0])
            assert capture is not None
            rows.finish(capture, decision.holder)
            step.insert(capture)
            self._keep_entry(step.warc, main, written[0])
        return capture

    def record_failure(self, failed: FailedFetch) -> Capture:
        with _WriteStep(self) as step:
            ts = step.catalog.free_timestamp(failed.url, timestamp17(failed.started))
            rec = records.failure(failed, ts)
            written = step.write([rec])
            capture = rows.capture_from_record(rec, written[0])
            assert capture is not None
            rows.finish(capture, None)
            step.insert(capture)
        return capture

    def write_related(self, about: Capture,
                      build: Callable[[Callable[[str, str], str]], list[records.Record]]
                      ) -> list[Capture]:
        with _WriteStep(self) as step:
            recs = build(step.catalog.free_timestamp)
            written = step.write(recs)
            out = []
            for rec, where in zip(recs, written, strict=True):
                capture = rows.capture_from_record(rec, where)
                if capture is not None:
                    capture.refers_to = about.id
                    step.insert(capture)
                    out.append(capture)
                self._keep_entry(step.warc, rec, where)
        return out

    def write_summary(self, capture: Capture, summary: dict) -> None:
        assert capture.record_id
        with self.lock:
            rec = records.change_summary(capture.url, now17(), capture.record_id, summary)
            self.files.file_for_next().write([rec])

    def write_resource(self, target_uri: str, payload: bytes, content_type: str,
                       about: Capture | None, when: datetime | None) -> str:
        ts = timestamp17(when) if when is not None else now17()
        with self.lock:
            rec = records.resource(target_uri, ts, payload, content_type,
                                   about.record_id if about is not None else None)
            warc = self.files.file_for_next()
            self._keep_entry(warc, rec, warc.write([rec])[0])
        return rec.record_id


class _WriteStep:
    """One fetch written: its WARC records, then its catalog row in the open batch. A failure
    cuts the WARC file back to where the fetch started; rows of earlier fetches stay."""

    def __init__(self, writer: CaptureWriter):
        self.writer = writer
        self.warc: WarcFile
        self.catalog = writer.catalog
        self.start: int | None = None

    def __enter__(self) -> _WriteStep:
        writer = self.writer
        writer.lock.acquire()
        try:
            # The file first: starting a new one commits the batch (see _file_closing).
            self.warc = writer.files.file_for_next()
            writer.batch.begin()
        except BaseException:
            writer.lock.release()
            raise
        return self

    def write(self, recs: list[records.Record]) -> list[Written]:
        self.start = self.warc.pos
        return self.warc.write(recs)  # cut back and ArchiveError on failure

    def insert(self, capture: Capture) -> None:
        self.catalog.insert(capture)
        self.writer.batch.added()

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is None:
                return False
            batch = self.writer.batch
            if self.start is not None and not isinstance(exc, ArchiveError):
                self.warc.truncate_to(self.start)  # the row did not make it: nor does the record
            if isinstance(exc, ERRORS):
                batch.statement_failed()
                raise ArchiveError(f"{self.catalog.where}: cannot write the catalog ({exc})") from None
            return False
        finally:
            self.writer.lock.release()
