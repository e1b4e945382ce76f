"""The sorted CDXJ index (``index.cdxj``) that pywb reads, in cdxj-indexer's line format.

Lines are ``SURT TIMESTAMP14 {json}`` with the JSON fields cdxj-indexer writes (url, mime, status,
digest, length, offset, filename; string values; ``warc/revisit`` as a revisit's mime). Only
response and revisit records are indexed: those are what replay needs. Several processes update
the index, so new lines are merged in under a lock file and the result replaces the index
atomically. Machines sharing the folder over a network file system may not see each other's
lock file locks, so writers with a shared catalog also pass a ``guard``: the catalog's index lock
(a PostgreSQL advisory lock, see catalogdb.py), taken before the file lock.
"""

from __future__ import annotations

import fcntl
import functools
import heapq
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from pagetrail.archive.naming import names
from pagetrail.archive.reader import Member, split_http, status_of
from pagetrail.archive.records import Record
from pagetrail.archive.timestamps import from_warc_date
from pagetrail.archive.warcfile import Written
from pagetrail.atomicfile import replaced

INDEX_NAME = "index.cdxj"
LOCK_NAME = ".index.lock"


@functools.lru_cache(maxsize=1 << 16)
def url_key(url: str) -> str:
    # Cached: SURT is the slowest part of an index line, and reindex meets each URL once per
    # capture. Imported here: surt brings tldextract and requests, which commands that only
    # read the archive do not need.
    import surt

    try:
        return surt.surt(url)
    except Exception:  # noqa: BLE001 - surt raises assorted errors on odd URLs; cdxj-indexer keeps the URL
        return url


_MIME_END = re.compile(r"[;\s]")


@dataclass(frozen=True)
class Entry:
    """What one index line says about a record, before the (slow) SURT key is computed."""

    url: str
    ts: str
    mime: str | None
    status: int | None
    digest: str | None
    length: int
    offset: int

    def line(self, filename: str) -> str:
        fields: dict[str, str] = {"url": self.url}
        if self.mime:
            fields["mime"] = self.mime
        if self.status is not None:
            fields["status"] = str(self.status)
        if self.digest:
            fields["digest"] = self.digest
        fields.update(length=str(self.length), offset=str(self.offset), filename=filename)
        return f"{url_key(self.url)} {self.ts[:14]} {json.dumps(fields)}"


def entry_for_member(member: Member) -> Entry | None:
    """The index entry of a record (None for records replay does not need)."""
    kind = member.warc_type
    if not _indexed(kind, member.get):
        return None
    http = split_http(member.block) if kind != "resource" else None
    return _entry(kind, member.get, http, member.offset, member.length)


def entry_for_record(rec: Record, written: Written) -> Entry | None:
    """The entry ``entry_for_member`` gives for ``rec`` read back, from the record at hand."""
    get, http = rec.as_read()
    if not _indexed(rec.warc_type, get):
        return None
    return _entry(rec.warc_type, get, http, written.offset, written.length)


def _indexed(kind: str | None, get: Callable[[str], str | None]) -> bool:
    """Responses, revisits and resources (``application/warc-fields`` resources aside), as
    cdxj-indexer. Metadata records are left out: pagetrail writes them as
    ``application/warc-fields``, which indexers skip."""
    if kind == "resource":
        return get("content-type") != "application/warc-fields"
    return kind in ("response", "revisit")


def _entry(kind: str, get: Callable[[str], str | None],
           http: tuple[str, list[tuple[str, str]], bytes] | None, offset: int,
           length: int) -> Entry:
    first, headers, _ = http or ("", [], b"")  # a 304 revisit has no HTTP head
    if kind == "revisit":
        mime = "warc/revisit"
    elif kind == "resource":
        mime = _MIME_END.split(get("content-type") or "", 1)[0].strip() or None
    else:
        # As cdxj-indexer: the first Content-Type, up to the first ';' or space, case kept.
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        mime = _MIME_END.split(content_type, 1)[0].strip() or None
    return Entry(get("warc-target-uri") or "", from_warc_date(get("warc-date") or ""), mime,
                 status_of(first), get("warc-payload-digest"), length, offset)


def line_for_member(member: Member, filename: str) -> str | None:
    entry = entry_for_member(member)
    return entry.line(filename) if entry else None


Guard = Callable[[], AbstractContextManager]


@contextmanager
def locked(folder: Path, guard: Guard | None = None) -> Iterator[None]:
    with guard() if guard is not None else nullcontext():
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _unique(lines: Iterable[str]) -> Iterator[str]:
    last = None
    for text in lines:
        if text != last:
            yield text
        last = text


# The index is index.cdxj plus, once it is big, a few sorted runs index-NNNNNNNN.cdxj (a set of
# sorted CDXJ files that pywb reads as one collection when pointed at the folder). A closed file's
# lines become a new run; a run is merged into the one before it whenever that one is at most
# RUN_FACTOR times bigger (runs halve in size from index.cdxj down, so there are O(log n) of
# them), so each line is rewritten O(log n) times in all, instead of the whole index at every
# close. Below MIN_SPLIT bytes index.cdxj is simply rewritten (one file, as cdxj-indexer writes).
RUN_FACTOR = 2
MIN_SPLIT = 256 << 10


def runs(folder: Path) -> list[Path]:
    """index.cdxj (if any) then the runs, oldest first: together, the index."""
    main = folder / INDEX_NAME
    return ([main] if main.exists() else []) + _deltas(folder)


def _deltas(folder: Path) -> list[Path]:
    return [folder / n for n in names(folder, "index-", ".cdxj")]


def iter_index(folder: Path) -> Iterator[str]:
    """Every index line, sorted, from index.cdxj and its runs (without newlines)."""
    handles = [open(path, encoding="utf-8") for path in runs(folder)]
    try:
        yield from _unique(heapq.merge(*[(t.rstrip("\n") for t in fh if t.strip())
                                         for fh in handles]))
    finally:
        for fh in handles:
            fh.close()


def _write_sorted(target: Path, lines: Iterable[str]) -> None:
    """Write ``lines`` (sorted) to a temporary file beside ``target`` that then replaces it."""
    with replaced(target, "w", encoding="utf-8", prefix=".index.") as out:
        for text in _unique(lines):
            out.write(text + "\n")


def _merged(paths: list[Path], extra: Iterable[str] = ()) -> Iterator[str]:
    handles = [open(path, encoding="utf-8") for path in paths if path.exists()]
    try:
        yield from heapq.merge(*[(t.rstrip("\n") for t in fh if t.strip()) for fh in handles],
                               extra)
    finally:
        for fh in handles:
            fh.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def merge(folder: Path, new_lines: Iterable[str], *, replace_all: bool = False,
          presorted: bool = False, guard: Guard | None = None) -> None:
    """Add ``new_lines`` to the index (``replace_all``: they are the whole new index, written
    to index.cdxj alone), sorted, duplicates dropped; ``guard``: see the module's docstring."""
    new_sorted = new_lines if presorted else sorted(text.rstrip("\n") for text in new_lines)
    main = folder / INDEX_NAME
    with locked(folder, guard):
        deltas = _deltas(folder)
        if replace_all:
            _write_sorted(main, new_sorted)
            for path in deltas:
                path.unlink(missing_ok=True)
            return
        if not deltas and _size(main) < MIN_SPLIT:
            _write_sorted(main, _merged([main], new_sorted))
            return
        number = int(deltas[-1].stem.split("-")[1]) + 1 if deltas else 1
        newest = folder / f"index-{number:08d}.cdxj"
        _write_sorted(newest, new_sorted)
        deltas.append(newest)
        while deltas:
            last = deltas[-1]
            before = deltas[-2] if len(deltas) > 1 else main
            if _size(before) > RUN_FACTOR * _size(last) and \
                    (before != main or _size(main) >= MIN_SPLIT):
                break
            # A crash between the replace and the unlink leaves lines in both: readers drop
            # duplicates (iter_index), and the next merge of these runs removes them.
            _write_sorted(before, _merged([before, last]))
            last.unlink()
            deltas.pop()


class Rebuilder:
    """A new index from scratch, for any number of lines: sorted runs spill to temporary files
    and are merged at the end, replacing the index only if everything went well (``replace``;
    otherwise merged into what the index holds by then)."""

    RUN_LINES = 100_000

    def __init__(self, folder: Path, guard: Guard | None = None, replace: bool = True):
        self.folder = folder
        self.guard = guard
        self.replace = replace
        self.run: list[str] = []
        self.spilled: list[str] = []

    def __enter__(self) -> Rebuilder:
        return self

    def add(self, lines: Iterable[str]) -> None:
        self.run.extend(lines)
        if len(self.run) >= self.RUN_LINES:
            self._spill()

    def _spill(self) -> None:
        fd, path = tempfile.mkstemp(dir=self.folder, prefix=".index-run.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(text + "\n" for text in sorted(self.run))
        self.spilled.append(path)
        self.run = []

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._finish()
        finally:
            for path in self.spilled:
                if os.path.exists(path):
                    os.unlink(path)

    def _finish(self) -> None:
        handles = [open(path, encoding="utf-8") for path in self.spilled]
        try:
            runs = [(text.rstrip("\n") for text in fh) for fh in handles]
            merge(self.folder, heapq.merge(*runs, sorted(self.run)), replace_all=self.replace,
                  presorted=True, guard=self.guard)
        finally:
            for fh in handles:
                fh.close()
