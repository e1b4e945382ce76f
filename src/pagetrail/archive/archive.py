"""``Archive``: the one object the crawler, the change pipeline and the commands use.

It writes each fetch as WARC records (see ``records``), keeps the SQLite catalog and the CDXJ
index in step, repairs what a killed writer left behind, and reads captures back.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pagetrail.archive import cdxj, records, repair, rows
from pagetrail.archive.batch import CatalogBatch
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.digest import sha1_digest
from pagetrail.archive.encoding import decode_body
from pagetrail.archive.httpblock import header_value
from pagetrail.archive.model import Capture, Exchange, FailedFetch
from pagetrail.archive.naming import SUFFIX, default_hostname, safe_part, timestamp17
from pagetrail.archive.reader import Member, read_member, split_http
from pagetrail.archive.timestamps import now17
from pagetrail.archive.warcfile import RotatingWriter, WarcFile, Written
from pagetrail.errors import ArchiveError

CATALOG_NAME = "catalog.sqlite3"
_DIGITS = re.compile(r"\d{4,17}")


class Archive:
    """A folder of WARC files with its catalog (``catalog.sqlite3``) and index (``index.cdxj``)."""

    def __init__(self, root: str | os.PathLike = "archive", *, prefix: str = "pagetrail",
                 max_file_size: int = 1_000_000_000, hostname: str | None = None,
                 software: str = "pagetrail/0.1", durable: bool = False,
                 commit_records: int = 100, commit_seconds: float = 0.5):
        """``durable``: fsync every fetch's records and commit its row before ``record()``
        returns (slower; by default a batch of rows is committed every ``commit_records``
        captures or ``commit_seconds``, and files are fsynced when closed: see batch.py)."""
        self.root = Path(root)
        self.prefix = safe_part(prefix)
        self.max_file_size = max_file_size
        self.hostname = safe_part(hostname) if hostname else default_hostname()
        self.software = software
        self.durable = durable
        self.commit_records = 1 if durable else commit_records
        self.commit_seconds = commit_seconds
        self._catalog: Catalog | None = None
        self._batch: CatalogBatch | None = None
        self._writer: RotatingWriter | None = None
        # Index entries not yet merged, per WARC file: the SURT keys are computed in one go when
        # the file is closed, off the crawl's path.
        # Plain tuples (Entry fields): the collector stops tracking tuples of plain values, so
        # a long crawl's pending entries do not make its full collections slower.
        self._pending: dict[str, list[tuple]] = {}
        self.repaired: list[repair.Repaired] = []
        # One catalog connection and one open file per Archive: threads take turns.
        self._lock = threading.RLock()

    # -- life cycle ------------------------------------------------------------------------------

    @classmethod
    def existing(cls, root: str | os.PathLike, **options) -> Archive:
        """Open an archive folder that must already exist (for commands that only read it)."""
        path = Path(root)
        if not path.is_dir():
            raise ArchiveError(f"{root}: no such archive folder (use --archive DIR)")
        if not (path / CATALOG_NAME).exists() and not any(path.glob("*.warc.gz*")):
            raise ArchiveError(f"{root}: not a pagetrail archive (no {CATALOG_NAME}, no WARC files)")
        return cls(path, **options).open()

    def __enter__(self) -> Archive:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> Archive:
        if self._catalog is not None:
            return self
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"{self.root}: cannot create the archive folder ({exc.strerror})") from None
        if not self.root.is_dir() or not os.access(self.root, os.W_OK | os.X_OK):
            raise ArchiveError(f"{self.root}: the archive folder is not writable")
        # WARC files without a catalog (copied in, or the catalog was deleted): the files are the
        # record of truth, so the catalog and index are rebuilt from them. Only a catalog this
        # call created counts: another process may be writing into an existing one right now.
        fresh = not (self.root / CATALOG_NAME).exists()
        self._catalog = Catalog(self.root / CATALOG_NAME)
        try:
            self.repaired = repair.repair_folder(self.root, self._catalog)
        except OSError as exc:
            raise ArchiveError(f"{self.root}: cannot repair leftover .open files ({exc})") from None
        if self._catalog.outdated_summaries is not None:
            self._rebuild(self._catalog.outdated_summaries)
        elif fresh and any(self.root.glob("*" + SUFFIX)):
            self._rebuild({})
        elif not (self.root / cdxj.INDEX_NAME).exists():
            from pagetrail.archive.reindex import rebuild_index

            rebuild_index(self.root)  # empty when there are no files yet
        info = {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": records.CONFORMS_TO,
            "hostname": self.hostname,
        }
        if self.durable:
            self._catalog.db.execute("PRAGMA synchronous = FULL")
        self._batch = CatalogBatch(self._catalog, self._lock, max_records=self.commit_records,
                                   max_seconds=self.commit_seconds, on_lost=self._found_rowslost)
        self._writer = RotatingWriter(self.root, self.prefix, self.hostname, self.max_file_size,
                                      info, self._file_closing, sync=self.durable)
        return self

    def _rebuild(self, summaries: dict[str, str]) -> None:
        from pagetrail.archive.reindex import rebuild

        assert self._catalog is not None
        rebuild(self.root, self._catalog)
        if summaries:
            with self._catalog.transaction():
                self._catalog.restore_summaries(summaries)
        self._catalog.outdated_summaries = None

    def close(self) -> None:
        """Commit the catalog, close the current WARC file (renamed from .open) and bring
        index.cdxj up to date."""
        with self._lock:
            failure = None
            try:
                self.flush()
            except ArchiveError as exc:
                failure = exc  # the file is left .open for repair; still close everything
            if self._writer is not None:
                self._writer.close()
            for name in list(self._pending):
                self._index_closed_file(name)
            if self._batch is not None:
                self._batch.stop()
                failure = failure or self._batch.failure
            if self._catalog is not None:
                self._catalog.close()
            self._catalog = None
            self._batch = None
            self._writer = None
            if failure is not None:
                raise failure

    def flush(self) -> None:
        """Commit the catalog rows of the captures recorded so far (``close()`` does it too)."""
        with self._lock:
            if self._batch is not None:
                self._batch.commit()

    def _file_closing(self, warc: WarcFile) -> None:
        """Before a WARC file is renamed to its final name: its rows committed and synced to
        disk, its index lines merged. If the rows cannot be committed the file stays .open."""
        try:
            self.flush()
            if self._catalog is not None and not self.durable:
                self._catalog.db.execute("PRAGMA wal_checkpoint(PASSIVE)")  # syncs the commits
        except ArchiveError as exc:
            warc.needs_repair = True
            if self._batch is not None:
                self._batch.failure = exc
        except sqlite3.Error:
            pass  # the rows are committed; only the early sync failed
        if warc.needs_repair:
            self._pending.pop(warc.name, None)  # repair indexes the file with its rows
        else:
            self._index_closed_file(warc.name)

    def _found_rowslost(self) -> None:
        if self._writer is not None and self._writer.current is not None:
            self._writer.current.needs_repair = True

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self.open()
        assert self._catalog is not None
        return self._catalog

    def _index_closed_file(self, name: str) -> None:
        entries = self._pending.pop(name, [])
        if entries:
            cdxj.merge(self.root, [cdxj.Entry(*entry).line(name) for entry in entries])

    # -- writing ---------------------------------------------------------------------------------

    def previous(self, url: str) -> Capture | None:
        """The latest response or revisit capture of ``url`` (failed attempts are skipped)."""
        with self._reading():
            return self.catalog.latest(url)

    def conditional_headers(self, url: str) -> dict[str, str]:
        """Validators of the latest capture that has them, for a conditional GET."""
        with self._reading():
            etag, last_modified = self.catalog.validators(url)
        return validator_headers(etag, last_modified)

    def conditional_headers_for(self, urls: list[str]) -> dict[str, dict[str, str]]:
        """``conditional_headers`` of many URLs at once (those that have validators), so a crawl
        can look up all its seeds when it starts instead of asking once per request."""
        out = {}
        with self._reading():
            for url in dict.fromkeys(urls):
                etag, last_modified = self.catalog.validators(url)
                if etag or last_modified:
                    out[url] = validator_headers(etag, last_modified)
        return out

    def _body_holder(self, capture: Capture | None) -> Capture | None:
        if capture is None or capture.kind == "response":
            return capture
        if capture.refers_to is not None:
            with self._reading():
                return self.catalog.get(capture.refers_to)
        return None

    def record(self, exchange: Exchange) -> Capture:
        """Write one fetch (response or revisit, plus its request); returns its catalog row."""
        digest = sha1_digest(exchange.body)
        with self._writing() as step:
            catalog = step.catalog
            latest, ts = catalog.latest_and_free_timestamp(exchange.url,
                                                           timestamp17(exchange.started))
            original = self._body_holder(latest)
            holder = None
            if exchange.status == 304:
                # A 304 confirms the capture whose validators were sent (conditional_headers).
                if latest is None or latest.etag or latest.last_modified:
                    validated = original
                else:
                    validated = self._body_holder(catalog.latest_with_validators(exchange.url))
                holder = validated or original
                if holder is not None and not holder.digest:
                    holder = None
            if holder is not None:
                main = records.revisit(exchange, ts, records.PROFILE_NOT_MODIFIED, _original(holder))
            elif (original is not None and original.digest == digest and exchange.body
                  and not exchange.truncated):
                holder = original
                main = records.revisit(exchange, ts, records.PROFILE_IDENTICAL, _original(holder))
            else:
                main = records.response(exchange, ts, digest)
            request = records.request(exchange, ts, main.record_id)
            written = step.write([main, request])
            capture = rows.capture_from_record(main, written[0])
            assert capture is not None
            rows.finish(capture, holder)
            step.insert(capture)
            self.index_later(main, written[0])
        return capture

    def record_failure(self, failed: FailedFetch) -> Capture:
        """A fetch that got no response: a ``metadata`` record and a ``failed`` catalog row."""
        with self._writing() as step:
            ts = step.catalog.free_timestamp(failed.url, timestamp17(failed.started))
            rec = records.failure(failed, ts)
            written = step.write([rec])
            capture = rows.capture_from_record(rec, written[0])
            assert capture is not None
            rows.finish(capture, None)
            step.insert(capture)
        return capture

    def save_summary(self, capture: Capture, summary: dict) -> None:
        """Store ``capture``'s change summary: in the catalog, and as a metadata record in the
        WARC stream (so ``reindex`` restores it) unless the catalog already holds the same
        summary (``computed`` aside), so recomputing it writes no second record."""
        if not capture.record_id:
            raise ArchiveError(f"{capture.url}: capture {capture.id} has no WARC record to refer to")
        with self._lock:
            self.flush()
            before = self.catalog.get_summary(capture.id)
            if before is None or _without_time(before) != _without_time(summary):
                rec = records.change_summary(capture.url, now17(), capture.record_id, summary)
                self._file().write([rec])
            with self.catalog.transaction():
                self.catalog.set_summary(capture.id, summary)

    def write_resource(self, target_uri: str, payload: bytes, content_type: str, *,
                       about: Capture | None = None, when: datetime | None = None) -> str:
        """A ``resource`` record (a screenshot, a rendered DOM...) in the WARC stream; returns its
        record id. ``about``: the capture it belongs to (``WARC-Refers-To``). Use a URI of its
        own (``urn:pagetrail:screenshot:URL``), not the page's URL: indexers index resource
        records, and replay would serve it as the page. Its index line is added with the file's."""
        ts = timestamp17(when) if when is not None else now17()
        with self._lock:
            rec = records.resource(target_uri, ts, payload, content_type,
                                   about.record_id if about is not None else None)
            warc = self._file()
            written = warc.write([rec])
            self.index_later(rec, written[0])
        return rec.record_id

    def index_later(self, rec: records.Record, written: Written) -> None:
        """Queue the index line of a record just written (if indexers index its kind); lines
        are merged into ``index.cdxj`` when its file is closed."""
        entry = cdxj.entry_for_record(rec, written)
        if entry:
            self._pending.setdefault(written.warc_file, []).append(
                (entry.url, entry.ts, entry.mime, entry.status, entry.digest, entry.length,
                 entry.offset))

    def _file(self) -> WarcFile:
        if self._writer is None:
            self.open()
        assert self._writer is not None
        return self._writer.file_for_next()

    def _reading(self) -> threading.RLock:
        """The lock, taken after committing other archive objects' rows on this catalog."""
        if self._batch is not None:
            self._batch.flush_others()
        return self._lock

    def _writing(self) -> _WriteStep:
        return _WriteStep(self)

    # -- reading ---------------------------------------------------------------------------------

    def captures(self, url: str | None = None, *, seed: str | None = None,
                 since: str | datetime | None = None, kind: str | None = None) -> list[Capture]:
        """Captures, oldest first, filtered by URL, seed, time (``since`` inclusive) and kind."""
        if isinstance(since, datetime):
            since = timestamp17(since)
        elif since is not None:
            since = "".join(ch for ch in str(since) if ch.isdigit())
        with self._reading():
            return self.catalog.select(url=url, seed=seed, since=since, kind=kind)

    def get(self, capture_id: int) -> Capture:
        with self._reading():
            capture = self.catalog.get(int(capture_id))
        if capture is None:
            raise ArchiveError(f"{self.root / CATALOG_NAME}: no capture with id {capture_id}")
        return capture

    def find(self, url: str, timestamp_prefix: str) -> Capture:
        """The latest capture of ``url`` whose timestamp starts with ``timestamp_prefix``."""
        if not _DIGITS.fullmatch(timestamp_prefix or ""):
            raise ArchiveError(f"{url}@{timestamp_prefix}: the timestamp must be 4 to 17 digits")
        with self._reading():
            found_rows = self.catalog.select(url=url)
        found = [c for c in found_rows if c.timestamp.startswith(timestamp_prefix)
                 and c.kind in ("response", "revisit")]
        if not found:
            raise ArchiveError(f"{url}@{timestamp_prefix}: no capture of this URL at that time")
        return found[-1]

    def read_payload(self, capture: Capture, *,
                     decode: bool = True) -> tuple[list[tuple[str, str]], bytes]:
        """HTTP response headers and body of a capture; a revisit gets its original's body."""
        if capture.kind == "failed" or not capture.warc_file:
            raise ArchiveError(f"{capture.url}: capture {capture.id} is a failed fetch, it has no body")
        if capture.kind in ("conversion", "resource"):  # a rendering: the block is the payload
            return [("Content-Type", capture.mime or "application/octet-stream")], \
                self._member(capture).block
        _, headers, body = split_http(self._member(capture).block)
        if capture.kind == "revisit":
            holder = self._body_holder(capture)
            if holder is None:
                raise ArchiveError(f"{capture.url}: revisit {capture.id} refers to no capture in the catalog")
            _, holder_headers, body = split_http(self._member(holder).block)
            if capture.status == 304:
                headers = holder_headers  # a 304 carries few headers; the original describes the body
            encoding = header_value(holder_headers, "content-encoding")
        else:
            encoding = header_value(headers, "content-encoding")
        if decode:
            body = decode_body(body, encoding)
        return headers, body

    def _member(self, capture: Capture) -> Member:
        path = self.root / (capture.warc_file or "")
        if not path.exists():
            path = path.with_name(path.name + ".open")  # still being written by this process
        try:
            return read_member(path, capture.offset or 0)
        except (OSError, ValueError) as exc:
            raise ArchiveError(f"{path}: cannot read capture {capture.id} ({exc})") from None

    # -- summaries -------------------------------------------------------------------------------

    def set_summary(self, capture_id: int, summary: dict) -> None:
        with self._lock:
            self.flush()
            with self.catalog.transaction():
                self.catalog.set_summary(capture_id, summary)

    def get_summary(self, capture_id: int) -> dict | None:
        with self._reading():
            return self.catalog.get_summary(capture_id)

    # -- maintenance -----------------------------------------------------------------------------

    def reindex(self, progress: Callable[[str], None] | None = None,
                damaged: list[tuple[str, int, int]] | None = None) -> tuple[int, int]:
        """Rebuild the catalog and index from the WARC files: (files, records). ``damaged``
        gets (file, offset, length) of each unreadable span skipped."""
        from pagetrail.archive.reindex import rebuild

        with self._lock:
            self.flush()
            if self._writer is not None:
                self._writer.close()
            return rebuild(self.root, self.catalog, progress, damaged)

    def export_wacz(self, out: str | os.PathLike, urls: list[str] | None = None) -> Path:
        from pagetrail.archive.wacz import export

        with self._lock:
            self.flush()
            if self._writer is not None:
                self._writer.close()
        return export(self, Path(out), urls)


def validator_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The conditional request headers for a capture's validators."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _without_time(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k != "computed"}


def _original(capture: Capture) -> records.Original:
    return records.Original(capture.url, capture.timestamp, capture.record_id or "",
                            capture.digest or "")


class _WriteStep:
    """One fetch written: its WARC records, then its catalog row in the open batch. A failure
    cuts the WARC file back to where the fetch started; rows of earlier fetches stay."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.warc: WarcFile
        self.catalog: Catalog
        self.start: int | None = None

    def __enter__(self) -> _WriteStep:
        archive = self.archive
        archive._lock.acquire()
        try:
            # The file first: starting a new one commits the batch (see _file_closing).
            self.warc = archive._file()
            self.catalog = archive.catalog
            assert archive._batch is not None
            archive._batch.begin()
        except BaseException:
            archive._lock.release()
            raise
        return self

    def write(self, recs: list[records.Record]) -> list[Written]:
        self.start = self.warc.pos
        return self.warc.write(recs)  # cut back and ArchiveError on failure

    def insert(self, capture: Capture) -> None:
        self.catalog.insert(capture)
        assert self.archive._batch is not None
        self.archive._batch.added()

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is None:
                return False
            batch = self.archive._batch
            if self.start is not None and not isinstance(exc, ArchiveError):
                self.warc.truncate_to(self.start)  # the row did not make it: nor does the record
            if batch is not None and isinstance(exc, sqlite3.Error):
                batch.statement_failed()
            if isinstance(exc, sqlite3.Error):
                raise ArchiveError(f"{self.catalog.path}: cannot write the catalog ({exc})") from None
            return False
        finally:
            self.archive._lock.release()
