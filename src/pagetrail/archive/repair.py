"""Crash repair: finish the ``.open`` files that a killed writer left behind.

A leftover ``NAME.warc.gz.open`` whose ``flock`` can be taken has no live writer. Its whole records
are kept, a torn last record is cut off, the file is renamed to ``NAME.warc.gz``, and any of its
records missing from the catalog or index are added. Files locked by a live process are left alone.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pagetrail.archive import cdxj, rows
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.model import Capture
from pagetrail.archive.naming import OPEN_SUFFIX
from pagetrail.archive.reader import Member, iter_members


@dataclass
class Repaired:
    name: str  # final file name
    kept: int  # whole records kept
    cut: int  # bytes cut off the end


def _try_lock(path: Path) -> int | None:
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


def catalog_members(catalog: Catalog, members: list[tuple[str, Member]]) -> list[Capture]:
    """Insert the captures of (file name, record) pairs that the catalog lacks.

    Call inside a transaction.
    """
    known = {name: catalog.record_ids_in(name) for name in {name for name, _ in members}}
    ids: dict[str, int] | None = None
    added: list[Capture] = []
    for filename, member in members:
        capture = rows.capture_from_member(member, filename)
        if capture is None or capture.record_id in known[filename]:
            continue
        holder = None
        target = rows.refers_to_record(capture)
        if target:
            if ids is None:
                ids = catalog.record_id_map()
            holder = _holder(catalog, ids.get(target))
        rows.finish(capture, holder)
        capture.timestamp = catalog.free_timestamp(capture.url, capture.timestamp)
        catalog.insert(capture)
        if ids is not None and capture.record_id:
            ids[capture.record_id] = capture.id
        added.append(capture)
    return added


def _holder(catalog: Catalog, capture_id: int | None) -> Capture | None:
    """The capture that holds the body for a revisit's target."""
    capture = catalog.get(capture_id) if capture_id is not None else None
    if capture is not None and capture.kind == "revisit":
        capture = catalog.get(capture.refers_to) if capture.refers_to is not None else None
    return capture


def repair_folder(folder: Path, catalog: Catalog,
                  progress: Callable[[str], None] | None = None) -> list[Repaired]:
    done = []
    for stale in folder.glob(".*.creating"):
        fd = _try_lock(stale)
        if fd is not None:
            stale.unlink(missing_ok=True)
            os.close(fd)
    for path in sorted(folder.glob("*" + OPEN_SUFFIX)):
        fd = _try_lock(path)
        if fd is None:
            continue
        try:
            done.append(_repair_one(folder, path, fd, catalog))
            if progress:
                progress(f"repaired {path.name}: {done[-1].kept} records kept, "
                         f"{done[-1].cut} bytes cut")
        finally:
            os.close(fd)
    return done


def _repair_one(folder: Path, path: Path, fd: int, catalog: Catalog) -> Repaired:
    name = path.name[: -len(".open")]
    members = []
    for member in iter_members(path):
        if not member.ok:
            break
        members.append(member)
    good_end = members[-1].offset + members[-1].length if members else 0
    size = os.fstat(fd).st_size
    os.ftruncate(fd, good_end)
    if not members:
        path.unlink()
        return Repaired(name, 0, size)
    with catalog.transaction():
        catalog.delete_beyond(name, good_end)
        catalog_members(catalog, [(name, m) for m in members])
    lines = [cdxj.line_for_member(m, name) for m in members]
    cdxj.merge(folder, [text for text in lines if text])
    os.rename(path, folder / name)
    return Repaired(name, len(members), size - good_end)
