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
import json
import os
import time
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
    """One WARC file being written (new, or resumed after an earlier writer parked it)."""

    def __init__(self, folder: Path, name: str, fd: int, info: dict[str, str], sync: bool = False,
                 *, resumed_at: int | None = None, started: float | None = None):
        self.folder = folder
        self.name = name
        self.fd = fd
        self.pos = 0
        self.sync = sync
        self.started = time.time() if started is None else started
        # Set when catalog rows of records in this file were lost (a failed commit): the file is
        # then left .open at close, and repair adds the rows when the archive is next opened.
        self.needs_repair = False
        if resumed_at is None:
            self.write([records.warcinfo(name, now17(), info)])
        else:
            self.pos = resumed_at
            os.lseek(fd, resumed_at, os.SEEK_SET)

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
            except FileNotFoundError:
                # Another process's repair removed the staging file between our create and our
                # lock (it looked like a dead writer's): try again under the next serial.
                os.close(fd)
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
        for sidecar in (parked_path(self.folder, self.name), lines_path(self.folder, self.name)):
            sidecar.unlink(missing_ok=True)
        return self.name

    def park(self, lines: list[str]) -> str:
        """Leave the file ``.open`` for the next writer of the stream, whole: synced, its index
        lines kept beside it (``.NAME.lines``), then the marker ``.NAME.parked`` that says up to
        where it is whole, then the lock released. Without the marker (a crash before it), the
        file is an ordinary leftover that repair closes."""
        if self.needs_repair:
            return self.abandon()
        try:
            os.fsync(self.fd)
            if lines:
                with open(lines_path(self.folder, self.name), "a", encoding="utf-8") as out:
                    out.writelines(line + "\n" for line in lines)
                    out.flush()
                    os.fsync(out.fileno())
            marker = parked_path(self.folder, self.name)
            tmp = marker.with_name(marker.name + ".tmp")
            tmp.write_text(json.dumps({"size": self.pos, "started": self.started}))
            os.replace(tmp, marker)
        except OSError:
            return self.abandon()  # repair will finish it
        return self.abandon()

    def parked_lines(self) -> list[str]:
        """Index lines of the records earlier writers put in this file."""
        try:
            text = lines_path(self.folder, self.name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [line for line in text.splitlines() if line.strip()]

    @classmethod
    def resume(cls, folder: Path, name: str, sync: bool = False,
               limits: tuple[int, float | None] | None = None) -> WarcFile | None:
        """Take over a parked file of this folder: None if a live writer holds it or it is not
        parked (then it is a crashed writer's, for repair). ``limits`` (size, max age): a file
        at or past either is returned with ``full`` set, for the caller to close."""
        path = folder / (name + ".open")
        fd = try_lock(path)
        if fd is None:
            return None
        try:
            marker = parked_path(folder, name)
            state = json.loads(marker.read_text())
            size, started = int(state["size"]), float(state["started"])
            if os.fstat(fd).st_size != size:
                raise ValueError("written past its marker")
            marker.unlink()
        except (OSError, ValueError, KeyError, TypeError):
            os.close(fd)
            return None
        warc = cls(folder, name, fd, {}, sync, resumed_at=size, started=started)
        if limits is not None:
            max_size, max_age = limits
            warc.full = size >= max_size or (max_age is not None
                                             and time.time() - started >= max_age)
        return warc

    full = False

    def abandon(self) -> str:
        """Release the file as a crash would: still .open, for repair at the next open."""
        os.close(self.fd)
        self.fd = -1
        return self.name


def parked_path(folder: Path, name: str) -> Path:
    return folder / f".{name}.parked"


def lines_path(folder: Path, name: str) -> Path:
    return folder / f".{name}.lines"


def is_parked(folder: Path, name: str, size: int) -> bool:
    """Whether ``NAME.open`` of ``size`` bytes is parked whole (not a crashed writer's)."""
    try:
        return int(json.loads(parked_path(folder, name).read_text())["size"]) == size
    except (OSError, ValueError, KeyError, TypeError):
        return False


def try_lock(path: Path) -> int | None:
    """An fd holding the exclusive lock of ``path``, or None if a live writer holds it."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # The writer may have renamed the file between our listing and our lock.
        if os.fstat(fd).st_ino != os.stat(path).st_ino:
            raise FileNotFoundError(path)
    except (BlockingIOError, FileNotFoundError):
        os.close(fd)
        return None
    return fd


class RotatingWriter:
    """One stream of WARC files: appends to the current file and starts a new one once it passes
    ``max_file_size`` bytes or ``max_age`` seconds.

    With ``keep_open``, ``close()`` parks the current file instead of closing it, and the next
    writer of the same stream (same folder, prefix and host: the next crawl of a daemon, in
    another process) resumes it, so a day of short crawls makes a few files, not thousands. A
    writer resumes a parked file of its stream whether or not it parks itself.
    """

    def __init__(self, folder: Path, prefix: str, host: str, max_file_size: int,
                 info: dict[str, str], on_closed: Callable[[WarcFile, bool], list[str]],
                 sync: bool = False, max_age: float | None = None, keep_open: bool = False):
        self.folder = folder
        self.prefix = prefix
        self.host = host
        self.max_file_size = max_file_size
        self.max_age = max_age
        self.keep_open = keep_open
        self.info = info
        self.on_closed = on_closed  # (file, parked) -> index lines to keep with a parked file
        self.sync = sync
        self.tag = naming.new_writer_tag()
        self.serial = 0
        self.current: WarcFile | None = None

    def _full(self, warc: WarcFile) -> bool:
        return warc.pos >= self.max_file_size or (
            self.max_age is not None and time.time() - warc.started >= self.max_age)

    def file_for_next(self) -> WarcFile:
        if self.current is not None and self._full(self.current):
            self.close(finish=True)
        if self.current is None:
            self.current = self._resume()
        if self.current is None:
            info = dict(self.info, isPartOf=self.prefix)
            self.current = WarcFile.create(self.folder, self.prefix, self.serial, self.tag,
                                           self.host, info, self.sync)
            self.serial += 1
        return self.current

    def _resume(self) -> WarcFile | None:
        """The newest parked file of this stream that has room, closing full ones met on the way."""
        head, tail = f"{self.prefix}-", f"-{self.host}{naming.OPEN_SUFFIX}"
        found = [n[: -len(".open")] for n in naming.names(self.folder, head, tail)]
        for name in reversed(found):
            if not parked_path(self.folder, name).exists():
                continue
            warc = WarcFile.resume(self.folder, name, self.sync,
                                   (self.max_file_size, self.max_age))
            if warc is None:
                continue
            if not warc.full:
                return warc
            self._finish(warc)
        return None

    def _finish(self, warc: WarcFile) -> None:
        # Catalog and index first, then rename: a crash in between leaves an .open file that
        # repair re-catalogs and re-indexes (both idempotent), never a closed file missing
        # from either.
        self.on_closed(warc, False)
        warc.close()

    def close(self, *, finish: bool = False) -> None:
        """Close the current file (park it, with ``keep_open`` and unless ``finish``)."""
        if self.current is None:
            return
        current, self.current = self.current, None
        if self.keep_open and not finish and not current.needs_repair:
            current.park(self.on_closed(current, True))
        else:
            self._finish(current)

    def finish_parked(self, own_host: bool = False) -> int:
        """Close every parked file of the folder (any stream) that no live writer holds;
        ``own_host``: only this host's (another machine's lock may not be visible here)."""
        done = 0
        suffix = f"-{self.host}{naming.OPEN_SUFFIX}" if own_host else naming.OPEN_SUFFIX
        for open_name in naming.names(self.folder, suffix=suffix):
            name = open_name[: -len(".open")]
            if not parked_path(self.folder, name).exists():
                continue
            warc = WarcFile.resume(self.folder, name, self.sync)
            if warc is not None:
                self._finish(warc)
                done += 1
        return done
