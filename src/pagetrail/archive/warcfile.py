"""Writing WARC files: exclusive ``.open`` files, one gzip member per record, rotation by size.

A file is written as ``NAME.warc.gz.open`` under an exclusive ``flock`` (so crash repair can tell a
live writer from a dead one) and renamed to ``NAME.warc.gz`` when closed. The records of one fetch
go to the kernel with one ``os.write`` as soon as they are built, so a killed process loses at most
the fetch being written; a failed write (disk full) is cut back to the fetch's first record. The
file is fsynced before it is renamed (and after every write when ``sync`` is set): a killed
process loses nothing the kernel has, only a machine crash can lose unsynced data.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pagetrail.archive import naming, records
from pagetrail.archive.timestamps import now17
from pagetrail.errors import ArchiveError


@dataclass
class Written:
    """Where one record landed."""

    warc_file: str  # final name (without .open), relative to the archive folder
    offset: int
    length: int
    record_id: str


def _describe(exc: OSError, path: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"{path}: no space left for WARC data ({os.strerror(exc.errno)})"
    return f"{path}: cannot write WARC data ({exc.strerror or exc})"


class WarcFile:
    """One WARC file being written."""

    def __init__(self, folder: Path, name: str, fd: int, info: dict[str, str], sync: bool = False):
        self.folder = folder
        self.name = name
        self.fd = fd
        self.pos = 0
        self.sync = sync
        # Set when catalog rows of records in this file were lost (a failed commit): the file is
        # then left .open at close, and repair adds the rows when the archive is next opened.
        self.needs_repair = False
        self.write([records.warcinfo(name, now17(), info)])

    @property
    def open_path(self) -> Path:
        return self.folder / (self.name + ".open")

    @classmethod
    def create(cls, folder: Path, prefix: str, serial: int, tag: str, host: str,
               info: dict[str, str], sync: bool = False) -> WarcFile:
        """Create a new file exclusively: a name clash with another writer picks the next serial."""
        for attempt in range(1000):
            name = naming.file_name(prefix, datetime.now(UTC), serial + attempt, tag, host)
            final = folder / name
            staging = folder / f".{name}.creating"
            try:
                fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            except OSError as exc:
                raise ArchiveError(_describe(exc, folder)) from None
            # Lock before the file is visible as .open, so repair never mistakes it for a dead one.
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if final.exists():
                    raise FileExistsError(final)
                os.link(staging, folder / (name + ".open"))
            except FileExistsError:
                os.close(fd)
                os.unlink(staging)
                continue
            except OSError as exc:
                os.close(fd)
                os.unlink(staging)
                raise ArchiveError(_describe(exc, folder)) from None
            os.unlink(staging)
            try:
                return cls(folder, name, fd, info, sync)
            except ArchiveError:
                os.close(fd)
                os.unlink(folder / (name + ".open"))
                raise
        raise ArchiveError(f"{folder}: cannot find a free WARC file name")

    def write(self, recs: list[records.Record]) -> list[Written]:
        """Write records back to back, in one system call; all or nothing."""
        start = self.pos
        out = []
        members = []
        for rec in recs:
            data = rec.to_gzip()
            out.append(Written(self.name, start + sum(map(len, members)), len(data), rec.record_id))
            members.append(data)
        try:
            view = memoryview(b"".join(members))
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
            if self.sync:
                os.fsync(self.fd)
        except OSError as exc:
            self.truncate_to(start)
            raise ArchiveError(_describe(exc, self.open_path)) from None
        self.pos = start + sum(map(len, members))
        return out

    def truncate_to(self, size: int) -> None:
        """Cut the file back to ``size`` bytes (the start of a record that failed)."""
        self.pos = size
        try:
            os.ftruncate(self.fd, size)
            os.lseek(self.fd, size, os.SEEK_SET)
        except OSError:
            pass

    def close(self) -> str:
        """Flush to disk, rename to the final name and release the lock; returns the name."""
        if self.needs_repair:
            return self.abandon()
        try:
            os.fsync(self.fd)
        except OSError:
            pass  # nothing more to do about it here: the records were written
        final = self.folder / self.name
        os.rename(self.open_path, final)
        os.close(self.fd)
        self.fd = -1
        return self.name

    def abandon(self) -> str:
        """Release the file as a crash would: still .open, for repair at the next open."""
        os.close(self.fd)
        self.fd = -1
        return self.name


class RotatingWriter:
    """Keeps one current file and starts a new one once it passes ``max_file_size``."""

    def __init__(self, folder: Path, prefix: str, host: str, max_file_size: int,
                 info: dict[str, str], on_closed: Callable[[WarcFile], None], sync: bool = False):
        self.folder = folder
        self.prefix = prefix
        self.host = host
        self.max_file_size = max_file_size
        self.info = info
        self.on_closed = on_closed
        self.sync = sync
        self.tag = naming.new_writer_tag()
        self.serial = 0
        self.current: WarcFile | None = None

    def file_for_next(self) -> WarcFile:
        if self.current is not None and self.current.pos >= self.max_file_size:
            self.close()
        if self.current is None:
            info = dict(self.info, isPartOf=self.prefix)
            self.current = WarcFile.create(self.folder, self.prefix, self.serial, self.tag,
                                           self.host, info, self.sync)
            self.serial += 1
        return self.current

    def close(self) -> None:
        if self.current is not None:
            current, self.current = self.current, None
            # Catalog and index first, then rename: a crash in between leaves an .open file that
            # repair re-catalogs and re-indexes (both idempotent), never a closed file missing
            # from either.
            self.on_closed(current)
            current.close()
