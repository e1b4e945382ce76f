"""``Archive``: the one object the crawler, the change pipeline and the commands use.

It writes each fetch as WARC records (see ``records``), keeps the SQLite catalog and the CDXJ
index in step, repairs what a killed writer left behind, and reads captures back.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from pagetrail.archive import cdxj, records, repair, rows
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.digest import sha1_digest
from pagetrail.archive.encoding import decode_body
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
                 software: str = "pagetrail/0.1"):
        self.root = Path(root)
        self.prefix = safe_part(prefix)
        self.max_file_size = max_file_size
        self.hostname = safe_part(hostname) if hostname else default_hostname()
        self.software = software
        self._catalog: Catalog | None = None
        self._writer: RotatingWriter | None = None
        # Index entries not yet merged, per WARC file: the SURT keys are computed in one go when
        # the file is closed, off the crawl's path.
        self._pending: dict[str, list[cdxj.Entry]] = {}
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
        self._writer = RotatingWriter(self.root, self.prefix, self.hostname, self.max_file_size,
                                      info, self._index_closed_file)
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
        """Close the current WARC file (renamed from .open) and bring index.cdxj up to date."""
        with self._lock:
            if self._writer is not None:
                self._writer.close()
            for name in list(self._pending):
                self._index_closed_file(name)
            if self._catalog is not None:
                self._catalog.close()
            self._catalog = None
            self._writer = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self.open()
        assert self._catalog is not None
        return self._catalog

    def _index_closed_file(self, name: str) -> None:
        entries = self._pending.pop(name, [])
        if entries:
            cdxj.merge(self.root, [entry.line(name) for entry in entries])

    # -- writing ---------------------------------------------------------------------------------

    def previous(self, url: str) -> Capture | None:
        """The latest response or revisit capture of ``url`` (failed attempts are skipped)."""
        return self.catalog.latest(url)

    def conditional_headers(self, url: str) -> dict[str, str]:
        """Validators of the latest capture that has them, for a conditional GET."""
        capture = self.catalog.latest_with_validators(url)
        headers = {}
        if capture and capture.etag:
            headers["If-None-Match"] = capture.etag
        if capture and capture.last_modified:
            headers["If-Modified-Since"] = capture.last_modified
        return headers

    def _body_holder(self, capture: Capture | None) -> Capture | None:
        if capture is None or capture.kind == "response":
            return capture
        if capture.refers_to is not None:
            return self.catalog.get(capture.refers_to)
        return None

    def record(self, exchange: Exchange) -> Capture:
        """Write one fetch (response or revisit, plus its request); returns its catalog row."""
        catalog = self.catalog
        digest = sha1_digest(exchange.body)
        with self._writing() as begin:
            ts = catalog.free_timestamp(exchange.url, timestamp17(exchange.started))
            original = self._body_holder(catalog.latest(exchange.url))
            # A 304 confirms the capture whose validators were sent (see conditional_headers).
            validated = self._body_holder(catalog.latest_with_validators(exchange.url))
            warc = self._file()
            holder = None
            if exchange.status == 304 and (validated or original) is not None \
                    and (validated or original).digest:
                holder = validated or original
                main = records.revisit(exchange, ts, records.PROFILE_NOT_MODIFIED, _original(holder))
            elif (original is not None and original.digest == digest and exchange.body
                  and not exchange.truncated):
                holder = original
                main = records.revisit(exchange, ts, records.PROFILE_IDENTICAL, _original(holder))
            else:
                main = records.response(exchange, ts, digest)
            request = records.request(exchange, ts, main.record_id)
            written = begin(warc, [main, request])
            capture = rows.capture_from_member(_as_member(main, written[0]), warc.name)
            assert capture is not None
            rows.finish(capture, holder)
            catalog.insert(capture)
        entry = cdxj.entry_for_member(_as_member(main, written[0]))
        if entry:
            with self._lock:
                self._pending.setdefault(warc.name, []).append(entry)
        return capture

    def record_failure(self, failed: FailedFetch) -> Capture:
        """A fetch that got no response: a ``metadata`` record and a ``failed`` catalog row."""
        catalog = self.catalog
        with self._writing() as begin:
            ts = catalog.free_timestamp(failed.url, timestamp17(failed.started))
            warc = self._file()
            rec = records.failure(failed, ts)
            written = begin(warc, [rec])
            capture = rows.capture_from_member(_as_member(rec, written[0]), warc.name)
            assert capture is not None
            rows.finish(capture, None)
            catalog.insert(capture)
        return capture

    def write_metadata(self, capture: Capture, payload: bytes,
                       content_type: str = "application/json") -> str:
        """A metadata record about ``capture`` (e.g. its change summary); returns its record id."""
        if not capture.record_id:
            raise ArchiveError(f"{capture.url}: capture {capture.id} has no WARC record to refer to")
        with self._writing() as begin:
            warc = self._file()
            rec = records.metadata(capture.url, now17(), capture.record_id, payload, content_type)
            begin(warc, [rec])
        return rec.record_id

    def _file(self) -> WarcFile:
        if self._writer is None:
            self.open()
        assert self._writer is not None
        return self._writer.file_for_next()

    def _writing(self) -> _WriteStep:
        return _WriteStep(self.catalog, self._lock)

    # -- reading ---------------------------------------------------------------------------------

    def captures(self, url: str | None = None, *, seed: str | None = None,
                 since: str | datetime | None = None, kind: str | None = None) -> list[Capture]:
        """Captures, oldest first, filtered by URL, seed, time (``since`` inclusive) and kind."""
        if isinstance(since, datetime):
            since = timestamp17(since)
        elif since is not None:
            since = "".join(ch for ch in str(since) if ch.isdigit())
        return self.catalog.select(url=url, seed=seed, since=since, kind=kind)

    def get(self, capture_id: int) -> Capture:
        capture = self.catalog.get(int(capture_id))
        if capture is None:
            raise ArchiveError(f"{self.root / CATALOG_NAME}: no capture with id {capture_id}")
        return capture

    def find(self, url: str, timestamp_prefix: str) -> Capture:
        """The latest capture of ``url`` whose timestamp starts with ``timestamp_prefix``."""
        if not _DIGITS.fullmatch(timestamp_prefix or ""):
            raise ArchiveError(f"{url}@{timestamp_prefix}: the timestamp must be 4 to 17 digits")
        found = [c for c in self.catalog.select(url=url) if c.timestamp.startswith(timestamp_prefix)
                 and c.kind in ("response", "revisit")]
        if not found:
            raise ArchiveError(f"{url}@{timestamp_prefix}: no capture of this URL at that time")
        return found[-1]

    def read_payload(self, capture: Capture, *,
                     decode: bool = True) -> tuple[list[tuple[str, str]], bytes]:
        """HTTP response headers and body of a capture; a revisit gets its original's body."""
        if capture.kind == "failed" or not capture.warc_file:
            raise ArchiveError(f"{capture.url}: capture {capture.id} is a failed fetch, it has no body")
        _, headers, body = split_http(self._member(capture).block)
        if capture.kind == "revisit":
            holder = self._body_holder(capture)
            if holder is None:
                raise ArchiveError(f"{capture.url}: revisit {capture.id} refers to no capture in the catalog")
            _, holder_headers, body = split_http(self._member(holder).block)
            if capture.status == 304:
                headers = holder_headers  # a 304 carries few headers; the original describes the body
            encoding = _last(holder_headers, "content-encoding")
        else:
            encoding = _last(headers, "content-encoding")
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
        with self.catalog.transaction():
            self.catalog.set_summary(capture_id, summary)

    def get_summary(self, capture_id: int) -> dict | None:
        return self.catalog.get_summary(capture_id)

    # -- maintenance -----------------------------------------------------------------------------

    def reindex(self, progress=None) -> tuple[int, int]:
        from pagetrail.archive.reindex import rebuild

        if self._writer is not None:
            self._writer.close()
        return rebuild(self.root, self.catalog, progress)

    def export_wacz(self, out: str | os.PathLike, urls: list[str] | None = None) -> Path:
        from pagetrail.archive.wacz import export

        if self._writer is not None:
            self._writer.close()
        return export(self, Path(out), urls)


def _last(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in reversed(headers) if k.lower() == name), None)


def _original(capture: Capture) -> records.Original:
    return records.Original(capture.url, capture.timestamp, capture.record_id or "",
                            capture.digest or "")


def _as_member(rec: records.Record, written: Written) -> Member:
    return Member(written.offset, written.length, rec.fields(), rec.block)


class _WriteStep:
    """One catalog transaction around one WARC write: a failure undoes both."""

    def __init__(self, catalog: Catalog, lock: threading.RLock):
        self.catalog = catalog
        self.lock = lock
        self.undo: tuple[WarcFile, int] | None = None

    def __enter__(self):
        self.lock.acquire()
        try:
            self.catalog.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self.lock.release()
            raise ArchiveError(f"{self.catalog.path}: cannot write the catalog ({exc})") from None
        return self._write

    def _write(self, warc: WarcFile, recs: list[records.Record]) -> list[Written]:
        self.undo = (warc, warc.pos)
        return warc.write(recs)

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            return self._finish(exc_type, exc)
        finally:
            self.lock.release()

    def _finish(self, exc_type, exc) -> bool:
        if exc_type is None:
            try:
                self.catalog.db.execute("COMMIT")
                return False
            except sqlite3.Error as err:
                exc = ArchiveError(f"{self.catalog.path}: cannot write the catalog ({err})")
        try:
            self.catalog.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        if self.undo is not None:
            self.undo[0].truncate_to(self.undo[1])
        if isinstance(exc, sqlite3.Error):
            raise ArchiveError(f"{self.catalog.path}: cannot write the catalog ({exc})") from None
        if exc_type is None:
            raise exc
        return False
