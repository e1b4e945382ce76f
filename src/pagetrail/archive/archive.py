"""``Archive``: the one object the crawler, the change pipeline and the commands use.

A facade over four parts with one job each: ``repair`` (what a killed writer left behind),
``policy`` (response or revisit?), ``writing`` (records, catalog rows and index lines of each
fetch) and ``reading`` (captures back). ``Archive(root).open()`` is the writer's way in;
``Archive.existing(root)`` the one read-only way to open an archive that exists (no repair, no
WARC file opened; a change summary computed while reading is stored if the folder is writable).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pagetrail.archive import cdxj, records, repair
from pagetrail.archive import catalogconnect
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.catalogdb import CATALOG_NAME, ERRORS, catalog_url, check_url
from pagetrail.archive.model import Capture, Exchange, FailedFetch
from pagetrail.archive.naming import SUFFIX, default_hostname, names, safe_part
from pagetrail.archive.policy import validator_headers
from pagetrail.archive.reading import CaptureReader
from pagetrail.archive.writing import CaptureWriter
from pagetrail.errors import ArchiveError

__all__ = ["CATALOG_NAME", "Archive", "validator_headers"]


class Archive:
    """A folder of WARC files with its catalog (``catalog.sqlite3``, or PostgreSQL) and index
    (``index.cdxj``)."""

    def __init__(self, root: str | os.PathLike = "archive", *, prefix: str = "pagetrail",
                 max_file_size: int = 1_000_000_000, hostname: str | None = None,
                 software: str = "pagetrail/0.1", durable: bool = False,
                 commit_records: int = 100, commit_seconds: float = 0.5,
                 max_file_age: float | None = None, keep_open: bool = False,
                 catalog: str | None = None):
        """``durable``: fsync every fetch's records and commit its row before ``record()``
        returns (slower; by default a batch of rows is committed every ``commit_records``
        captures or ``commit_seconds``, and files are fsynced when closed: see batch.py).
        ``max_file_age``: start a new WARC file once the current one is this many seconds old.
        ``keep_open``: ``close()`` parks the current file for the next writer of the same
        stream (prefix and host) to append to, instead of closing it (see warcfile.py).
        ``catalog``: a PostgreSQL URL for the catalog (default: ``$PAGETRAIL_CATALOG``, else
        ``catalog.sqlite3`` in the folder; see catalogdb.py)."""
        self.root = Path(root)
        self.catalog_url = catalog_url(catalog)
        check_url(self.catalog_url)
        self.prefix = safe_part(prefix)
        self.max_file_size = max_file_size
        self.max_file_age = max_file_age
        self.keep_open = keep_open
        self.hostname = safe_part(hostname) if hostname else default_hostname()
        self.software = software
        self.durable = durable
        self.commit_records = 1 if durable else commit_records
        self.commit_seconds = commit_seconds
        self._catalog: Catalog | None = None
        self._writer: CaptureWriter | None = None
        self._read_only = False
        self._warned = False
        self.repaired: list[repair.Repaired] = []
        # One catalog connection and one open file per Archive: threads take turns.
        self._lock = threading.RLock()
        self._reader = CaptureReader(self.root, lambda: self.catalog, self._lock,
                                     self._before_read)

    # -- life cycle ------------------------------------------------------------------------------

    @classmethod
    def existing(cls, root: str | os.PathLike, **options) -> Archive:
        """Open an archive that must exist, for reading: no repair and no WARC file opened,
        and it works on a read-only folder. Every read command opens the archive this way."""
        url = catalog_url(options.get("catalog"))
        path = cls.check_exists(root, url)
        if not url and not (path / CATALOG_NAME).exists():
            return cls(path, **options).open()  # WARC files without a catalog: build it first
        catalog = Catalog.for_reading(path, url)
        if not catalog.current:
            catalog.close()
            return cls(path, **options).open()  # an older catalog layout: rebuilt first
        archive = cls(path, **options)
        archive._read_only = True
        archive._catalog = catalog
        return archive

    @staticmethod
    def check_exists(root: str | os.PathLike, catalog: str | None = None) -> Path:
        """``root`` as a Path if it holds an archive (a catalog or WARC files), else a one-line
        ArchiveError; for commands that must not create an archive. ``catalog``: as for
        ``Archive()``."""
        path = Path(root)
        url = catalog_url(catalog)
        if not path.is_dir():
            raise ArchiveError(f"{root}: no such archive folder (use --archive DIR)")
        if any(path.glob("*.warc.gz*")):
            return path
        if not catalogconnect.exists(path, url):
            what = f"catalog in {catalogconnect.connect_name(path, url)}" if url else CATALOG_NAME
            raise ArchiveError(f"{root}: not a pagetrail archive (no {what}, no WARC files)")
        return path

    def __enter__(self) -> Archive:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> Archive:
        """Open for writing: repair leftovers, then be ready to write."""
        if self._catalog is not None:
            return self
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"{self.root}: cannot create the archive folder ({exc.strerror})") from None
        if not self.root.is_dir() or not os.access(self.root, os.W_OK | os.X_OK):
            raise ArchiveError(f"{self.root}: the archive folder is not writable")
        self._catalog = Catalog.open(self.root, self.catalog_url)
        try:
            # A catalog shared by machines: other machines' .open files are theirs to repair
            # (their flock may not reach us over a network file system).
            self.repaired = repair.repair_folder(
                self.root, self._catalog, host=self.hostname if self._catalog.shared else None)
        except OSError as exc:
            raise ArchiveError(f"{self.root}: cannot repair leftover .open files ({exc})") from None
        if self._catalog.outdated_summaries is not None:
            self._rebuild(self._catalog.outdated_summaries)
        elif self._catalog.created and any(self.root.glob("*" + SUFFIX)):
            # WARC files without a catalog (copied in, or the catalog was deleted): the files are
            # the record of truth, so the catalog and index are rebuilt from them. Only a catalog
            # this call created counts: another process may be writing into an existing one.
            self._rebuild({})
        elif not (self.root / cdxj.INDEX_NAME).exists():
            from pagetrail.archive.reindex import index_missing

            index_missing(self.root, self._catalog.db.index_lock)  # empty without files yet
        self._start_writer()
        return self

    def _start_writer(self) -> None:
        assert self._catalog is not None
        info = {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": records.CONFORMS_TO,
            "hostname": self.hostname,
        }
        self._writer = CaptureWriter(
            self.root, self._catalog, self._lock, self._reader, prefix=self.prefix,
            hostname=self.hostname, max_file_size=self.max_file_size, info=info,
            durable=self.durable, commit_records=self.commit_records,
            commit_seconds=self.commit_seconds, max_file_age=self.max_file_age,
            keep_open=self.keep_open)

    def _rebuild(self, summaries: dict[str, str]) -> None:
        from pagetrail.archive.reindex import rebuild

        assert self._catalog is not None
        rebuild(self.root, self._catalog)
        if summaries:
            with self._catalog.transaction():
                self._catalog.restore_summaries(summaries)
        self._catalog.outdated_summaries = None

    def close(self) -> None:
        """Commit the catalog, close (or park) the current WARC file and bring index.cdxj up to
        date."""
        with self._lock:
            try:
                if self._writer is not None:
                    self._writer.close()
            finally:
                if self._catalog is not None:
                    self._catalog.close()
                self._catalog = None
                self._writer = None

    def flush(self) -> None:
        """Commit the catalog rows of the captures recorded so far (``close()`` does it too)."""
        with self._lock:
            if self._writer is not None:
                self._writer.flush()

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self.open()
        assert self._catalog is not None
        return self._catalog

    def _before_read(self) -> None:
        """Commit other archive objects' rows on this catalog, so reads see them."""
        if self._writer is not None:
            self._writer.batch.flush_others()

    def _writing(self) -> CaptureWriter:
        if self._read_only:
            raise ArchiveError(f"{self.root}: opened for reading only")
        if self._writer is None:
            self.open()
        assert self._writer is not None
        return self._writer

    # -- writing ---------------------------------------------------------------------------------

    def conditional_headers(self, url: str) -> dict[str, str]:
        """Validators of the latest capture that has them, for a conditional GET."""
        return validator_headers(*self._reader.query(lambda c: c.validators(url)))

    def conditional_headers_for(self, urls: list[str]) -> dict[str, dict[str, str]]:
        """``conditional_headers`` of many URLs at once (those that have validators), so a crawl
        can look up all its seeds when it starts instead of asking once per request."""
        def lookup(catalog: Catalog) -> dict[str, dict[str, str]]:
            out = {}
            for url in dict.fromkeys(urls):
                etag, last_modified = catalog.validators(url)
                if etag or last_modified:
                    out[url] = validator_headers(etag, last_modified)
            return out

        return self._reader.query(lookup)

    def record(self, exchange: Exchange) -> Capture:
        """Write one fetch (response or revisit, plus its request); returns its catalog row."""
        return self._writing().record(exchange)

    def record_failure(self, failed: FailedFetch) -> Capture:
        """A fetch that got no response: a ``metadata`` record and a ``failed`` catalog row."""
        return self._writing().record_failure(failed)

    def save_summary(self, capture: Capture, summary: dict) -> None:
        """Store ``capture``'s change summary: in the catalog, and as a metadata record in the
        WARC stream (so ``reindex`` restores it) unless the catalog already holds the same
        summary (``computed`` aside), so recomputing it writes no second record. On an archive
        opened for reading that cannot be written (read-only folder, full disk) the summary is
        not stored, with one warning."""
        if not capture.record_id:
            raise ArchiveError(f"{capture.url}: capture {capture.id} has no WARC record to refer to")
        try:
            before = self.get_summary(capture.id)
            with self._lock:
                writer = self._writer_for_summaries()
                if writer is None:
                    return
                writer.flush()
                if before is None or _without_time(before) != _without_time(summary):
                    writer.write_summary(capture, summary)
                self._set_summary(capture.id, summary)
        except ArchiveError as exc:
            if not self._read_only:
                raise
            self._warn_unstored(exc)

    def set_summary(self, capture_id: int, summary: dict) -> None:
        """The catalog's copy only (``save_summary`` also writes the WARC record)."""
        with self._lock:
            self.flush()
            self._set_summary(capture_id, summary)

    def _set_summary(self, capture_id: int, summary: dict) -> None:
        try:
            with self.catalog.transaction():
                self.catalog.set_summary(capture_id, summary)
        except ERRORS as exc:
            raise ArchiveError(f"{self.catalog.where}: cannot write the catalog ({exc})") from None

    def _writer_for_summaries(self) -> CaptureWriter | None:
        """The writer; an archive opened for reading gets one on first use (resuming the
        stream's parked file when there is one), or None if it cannot be written."""
        if not self._read_only:
            return self._writing()
        if self._writer is None:
            if not os.access(self.root, os.W_OK | os.X_OK):
                self._warn_unstored(ArchiveError(f"{self.root}: the archive folder is read-only"))
                return None
            assert self._catalog is not None
            self._catalog.close()
            self._catalog = Catalog.open(self.root, self.catalog_url)
            self._start_writer()
        return self._writer

    def _warn_unstored(self, exc: ArchiveError) -> None:
        if not self._warned:
            self._warned = True
            print(f"pagetrail: warning: change summaries not stored ({exc})", file=sys.stderr)

    def write_resource(self, target_uri: str, payload: bytes, content_type: str, *,
                       about: Capture | None = None, when: datetime | None = None) -> str:
        """A ``resource`` record (a screenshot, a rendered DOM...) in the WARC stream; returns its
        record id. ``about``: the capture it belongs to (``Pagetrail-Page-Record``). Use a URI of its
        own (``urn:pagetrail:screenshot:URL``), not the page's URL: indexers index resource
        records, and replay would serve it as the page. Its index line is added with the file's."""
        return self._writing().write_resource(target_uri, payload, content_type, about, when)

    def write_related(self, about: Capture,
                      build: Callable[[Callable[[str, str], str]], list[records.Record]]
                      ) -> list[Capture]:
        """Records derived from ``about`` (a rendering's DOM and screenshot: see rendered.py),
        written together in one step. ``build(free_timestamp)`` makes them; ``free_timestamp(uri,
        ts17)`` gives a timestamp no capture of ``uri`` has yet (picked under the catalog's write
        lock). Each record that makes a catalog row gets one, with ``refers_to`` = ``about.id``;
        those an indexer indexes (resources) get their index line. Returns the rows."""
        return self._writing().write_related(about, build)

    # -- reading ---------------------------------------------------------------------------------

    def previous(self, url: str) -> Capture | None:
        """The latest response or revisit capture of ``url`` (failed attempts are skipped)."""
        return self._reader.previous(url)

    def captures(self, url: str | None = None, *, seed: str | None = None,
                 since: str | datetime | None = None, kind: str | None = None) -> list[Capture]:
        """Captures, oldest first, filtered by URL, seed, time (``since`` inclusive) and kind."""
        return self._reader.captures(url, seed=seed, since=since, kind=kind)

    def get(self, capture_id: int) -> Capture:
        return self._reader.get(capture_id)

    def find(self, url: str, timestamp_prefix: str) -> Capture:
        """The latest capture of ``url`` whose timestamp starts with ``timestamp_prefix``."""
        return self._reader.find(url, timestamp_prefix)

    def read_payload(self, capture: Capture, *,
                     decode: bool = True) -> tuple[list[tuple[str, str]], bytes]:
        """HTTP response headers and body of a capture; a revisit gets its original's body."""
        return self._reader.read_payload(capture, decode=decode)

    def get_summary(self, capture_id: int) -> dict | None:
        return self._reader.get_summary(capture_id)

    # -- maintenance -----------------------------------------------------------------------------

    def finish_files(self) -> int:
        """Close the current file and every parked one no live writer holds (renamed, indexed);
        returns how many parked files were closed. With a shared catalog, only this host's: a
        parked file of another machine is that machine's to resume or close."""
        writer = self._writing()
        writer.close_files()
        return writer.files.finish_parked(own_host=self.catalog.shared)

    def reindex(self, progress: Callable[[str], None] | None = None,
                damaged: list[tuple[str, int, int]] | None = None) -> tuple[int, int]:
        """Rebuild the catalog and index from the WARC files: (files, records). ``damaged``
        gets (file, offset, length) of each unreadable span skipped."""
        from pagetrail.archive.reindex import rebuild

        with self._lock:
            self.finish_files()
            return rebuild(self.root, self.catalog, progress, damaged)

    def export_wacz(self, out: str | os.PathLike, urls: list[str] | None = None) -> Path:
        """A WACZ of every closed file (``urls`` None) or of those URLs' captures."""
        from pagetrail.archive.wacz import export

        if urls is None:
            self._finish_for_export()
        return export(self._reader, self.root, self.software, Path(out), urls)

    def _finish_for_export(self) -> None:
        """Close parked files first, so that an export of everything holds every capture."""
        if not self._read_only:
            with self._lock:
                self.finish_files()
            return
        if not names(self.root, ".", ".parked") or not os.access(self.root, os.W_OK | os.X_OK):
            return
        with Archive(self.root, prefix=self.prefix, hostname=self.hostname,
                     catalog=self.catalog_url) as writer:
            writer.finish_files()


def _without_time(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k != "computed"}
