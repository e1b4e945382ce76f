"""Reading captures back: catalog queries, and a capture's HTTP headers and body from its WARC
record (a revisit's body from the capture it refers to)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from pagetrail.archive.catalog import Catalog
from pagetrail.archive.catalogdb import CATALOG_NAME, ERRORS
from pagetrail.archive.encoding import decode_body
from pagetrail.archive.httpblock import header_value
from pagetrail.archive.model import Capture
from pagetrail.archive.naming import timestamp17
from pagetrail.archive.chunked import payload_of
from pagetrail.archive.reader import Member, read_member, split_http
from pagetrail.errors import ArchiveError

_DIGITS = re.compile(r"\d{4,17}")


class CaptureReader:
    """Reads through ``catalog`` under ``lock``; ``before_read`` runs first (the writer uses it
    to commit other archive objects' pending rows, so reads see them)."""

    def __init__(self, root: Path, catalog: Callable[[], Catalog], lock: threading.RLock,
                 before_read: Callable[[], None] = lambda: None):
        self.root = root
        self._catalog = catalog
        self._lock = lock
        self._before_read = before_read

    def query(self, fn: Callable[[Catalog], object]):  # noqa: ANN202 - fn's result
        self._before_read()
        with self._lock:
            catalog = self._catalog()
            try:
                return fn(catalog)
            except ERRORS as exc:
                raise ArchiveError(f"{catalog.where}: cannot read the catalog ({exc})") from None

    def previous(self, url: str) -> Capture | None:
        return self.query(lambda c: c.latest(url))

    def body_holder(self, capture: Capture | None) -> Capture | None:
        """The capture that holds ``capture``'s body (itself, or what a revisit refers to)."""
        if capture is None or capture.kind == "response":
            return capture
        if capture.refers_to is not None:
            target = capture.refers_to
            return self.query(lambda c: c.get(target))
        return None

    def captures(self, url: str | None = None, *, seed: str | None = None,
                 since: str | datetime | None = None, kind: str | None = None) -> list[Capture]:
        if isinstance(since, datetime):
            since = timestamp17(since)
        elif since is not None:
            since = "".join(ch for ch in str(since) if ch.isdigit())
        return self.query(lambda c: c.select(url=url, seed=seed, since=since, kind=kind))

    def get(self, capture_id: int) -> Capture:
        capture = self.query(lambda c: c.get(int(capture_id)))
        if capture is None:
            raise ArchiveError(f"{self._catalog().where}: no capture with id {capture_id}")
        return capture

    def find(self, url: str, timestamp_prefix: str) -> Capture:
        if not _DIGITS.fullmatch(timestamp_prefix or ""):
            raise ArchiveError(f"{url}@{timestamp_prefix}: the timestamp must be 4 to 17 digits")
        found = [c for c in self.captures(url) if c.timestamp.startswith(timestamp_prefix)
                 and c.kind in ("response", "revisit")]
        if not found:
            raise ArchiveError(f"{url}@{timestamp_prefix}: no capture of this URL at that time")
        return found[-1]

    def get_summary(self, capture_id: int) -> dict | None:
        return self.query(lambda c: c.get_summary(capture_id))

    def read_payload(self, capture: Capture, *,
                     decode: bool = True) -> tuple[list[tuple[str, str]], bytes]:
        if capture.kind == "failed" or not capture.warc_file:
            raise ArchiveError(f"{capture.url}: capture {capture.id} is a failed fetch, it has no body")
        if capture.kind in ("conversion", "resource"):  # a rendering: the block is the payload
            return [("Content-Type", capture.mime or "application/octet-stream")], \
                self.member(capture).block
        _, headers, body = split_http(self.member(capture).block)
        if capture.kind == "revisit":
            holder = self.body_holder(capture)
            if holder is None:
                raise ArchiveError(f"{capture.url}: revisit {capture.id} refers to no capture in the catalog")
            _, holder_headers, body = split_http(self.member(holder).block)
            body = payload_of(holder_headers, body)
            if capture.status == 304:
                headers = holder_headers  # a 304 revisit has no head: the original describes the body
            encoding = header_value(holder_headers, "content-encoding")
        else:
            encoding = header_value(headers, "content-encoding")
            body = payload_of(headers, body)  # stored as received: a chunked body is framed
        if decode:
            body = decode_body(body, encoding)
        return headers, body

    def member(self, capture: Capture) -> Member:
        path = self.root / (capture.warc_file or "")
        # A file being written is NAME.open until its writer closes it and renames it to NAME,
        # which can happen between two looks: trying NAME, NAME.open, then NAME again always
        # finds a file renamed once (a look-then-open lost the race to a writer closing).
        missing: OSError | None = None
        for candidate in (path, path.with_name(path.name + ".open"), path):
            try:
                return read_member(candidate, capture.offset or 0)
            except FileNotFoundError as exc:
                missing = exc
            except (OSError, ValueError) as exc:
                raise ArchiveError(f"{candidate}: cannot read capture {capture.id} ({exc})") from None
        raise ArchiveError(f"{path}: cannot read capture {capture.id} ({missing})")
