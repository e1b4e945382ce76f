"""Crash repair: finish the ``.open`` files that a killed writer left behind.

A leftover ``NAME.warc.gz.open`` whose ``flock`` can be taken has no live writer. Its whole records
are kept, a torn last record is cut off, the file is renamed to ``NAME.warc.gz``, and any of its
records missing from the catalog or index are added. Files locked by a live process are left alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pagetrail.archive import cdxj, records, rows
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.model import Capture
from pagetrail.archive.naming import OPEN_SUFFIX, names
from pagetrail.archive.reader import Member, iter_members
from pagetrail.archive.warcfile import is_parked, lines_path, parked_path, try_lock


@dataclass
class Repaired:
    name: str  # final file name
    kept: int  # whole records kept
    cut: int  # bytes cut off the end
    skipped: list[tuple[int, int]] = field(default_factory=list)  # damaged (offset, length) kept

    def describe(self) -> str:
        text = f"repaired {self.name}: {self.kept} records kept, {self.cut} bytes cut"
        return text + describe_damage(self.skipped)


def describe_damage(skipped: list[tuple[int, int]]) -> str:
    """``, N damaged bytes skipped at offsets ...`` (empty without damage)."""
    if not skipped:
        return ""
    where = ", ".join(str(offset) for offset, _ in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
    return (f", {sum(n for _, n in skipped)} damaged bytes skipped at offset{'s' if len(skipped) > 1 else ''}"
            f" {where} (the whole records after them are kept)")


@dataclass
class Scanned:
    """What the catalog and index need from one file, without keeping any record's body."""

    name: str  # final file name
    records: int = 0
    end: int = 0  # end of the last whole record
    torn: int | None = None  # offset of a torn last record (unreadable up to the end), if any
    skipped: list[tuple[int, int]] = field(default_factory=list)  # damage between whole records
    captures: list[Capture] = field(default_factory=list)
    entries: list[cdxj.Entry] = field(default_factory=list)
    # change summaries on record: capture record id -> (WARC-Date, summary JSON), latest kept
    summaries: dict[str, tuple[str, str]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [entry.line(self.name) for entry in self.entries]


def scan(path: Path, name: str) -> Scanned:
    """Read a WARC file's whole records once: their captures (unresolved) and index entries."""
    out = Scanned(name)
    for member in iter_members(path, resync=True):
        if not member.ok:
            if member.offset + member.length >= path.stat().st_size:
                out.torn = member.offset
            else:
                out.skipped.append((member.offset, member.length))
            continue
        out.records += 1
        out.end = member.offset + member.length
        capture = rows.capture_from_member(member, name)
        if capture is not None:
            out.captures.append(capture)
        entry = cdxj.entry_for_member(member)
        if entry is not None:
            out.entries.append(entry)
        elif member.get(records.KIND_FIELD) == records.KIND_SUMMARY:
            _keep_summary(out.summaries, member)
    return out


def _keep_summary(found: dict[str, tuple[str, str]], member: Member) -> None:
    about, date = member.get("WARC-Refers-To"), member.get("WARC-Date") or ""
    summary = records.summary_of(member.block)
    if about and summary is not None and date >= found.get(about, ("", ""))[0]:
        found[about] = (date, json.dumps(summary, sort_keys=True, separators=(",", ":")))


def insert_captures(catalog: Catalog, captures: list[Capture],
                    ids: dict[str, int] | None = None, *, fresh: bool = False) -> list[Capture]:
    """Insert the captures the catalog lacks (call inside a transaction), oldest first so that
    originals are in before the revisits that point at them. ``ids``: record id -> capture id
    of the catalog, kept up to date here (built when needed if None); ``fresh``: the catalog
    holds none of these captures yet (a rebuild), so nothing is looked up."""
    known: dict[str, set[str]] = {}
    added: list[Capture] = []
    for capture in sorted(captures, key=lambda c: (c.timestamp, c.warc_file or "", c.offset or 0)):
        name = capture.warc_file or ""
        if not fresh:
            if name not in known:
                known[name] = catalog.record_ids_in(name)
            if capture.record_id in known[name]:
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


def resolve_late(catalog: Catalog, ids: dict[str, int] | None = None) -> int:
    """Point revisits added before their originals at them; returns how many were resolved."""
    pending = [c for c in catalog.unresolved_revisits() if rows.refers_to_record(c)]
    if not pending:
        return 0
    ids = catalog.record_id_map() if ids is None else ids
    resolved = 0
    for capture in pending:
        holder = _holder(catalog, ids.get(rows.refers_to_record(capture) or ""))
        if holder is not None:
            rows.finish(capture, holder)
            catalog.update(capture)
            resolved += 1
    return resolved


def _holder(catalog: Catalog, capture_id: int | None) -> Capture | None:
    """The capture that holds the body for a revisit's target."""
    capture = catalog.get(capture_id) if capture_id is not None else None
    if capture is not None and capture.kind == "revisit":
        capture = catalog.get(capture.refers_to) if capture.refers_to is not None else None
    return capture


def repair_folder(folder: Path, catalog: Catalog,
                  progress: Callable[[str], None] | None = None,
                  host: str | None = None) -> list[Repaired]:
    """Close every ``.open`` file whose writer died, except parked ones (left whole for the next
    writer of their stream). ``host``: only files of that host's writers (the name's last part)."""
    done = []
    listing = names(folder)
    if host is not None:
        listing = [n for n in listing if f"-{host}.warc.gz" in n]
    for stale in (folder / n for n in listing if n.startswith(".") and n.endswith(".creating")):
        fd = try_lock(stale)
        if fd is not None:
            stale.unlink(missing_ok=True)
            os.close(fd)
    for path in (folder / n for n in listing if n.endswith(OPEN_SUFFIX)):
        fd = try_lock(path)
        if fd is None:
            continue
        try:
            name = path.name[: -len(".open")]
            if is_parked(folder, name, os.fstat(fd).st_size):
                continue
            done.append(_repair_one(folder, path, fd, catalog))
            for sidecar in (parked_path(folder, name), lines_path(folder, name)):
                sidecar.unlink(missing_ok=True)  # repair indexed every record itself
            if progress:
                progress(done[-1].describe())
        finally:
            os.close(fd)
    sidecars = [n for n in listing if n.startswith(".") and n.endswith((".parked", ".lines"))]
    for sidecar in (folder / n for n in sidecars):
        name = sidecar.name[1:].rsplit(".", 1)[0]
        if not (folder / (name + ".open")).exists():
            sidecar.unlink(missing_ok=True)  # its file was closed just before a crash
    return done


def _repair_one(folder: Path, path: Path, fd: int, catalog: Catalog) -> Repaired:
    name = path.name[: -len(".open")]
    found = scan(path, name)
    size = os.fstat(fd).st_size
    os.ftruncate(fd, found.end)
    if not found.records:
        path.unlink()
        return Repaired(name, 0, size, found.skipped)
    with catalog.transaction():
        catalog.delete_beyond(name, found.end)
        insert_captures(catalog, found.captures)
        resolve_late(catalog)
        catalog.restore_summaries({k: v for k, (_, v) in found.summaries.items()},
                                  only_missing=True)
    cdxj.merge(folder, found.lines(), guard=catalog.db.index_lock)
    os.rename(path, folder / name)
    return Repaired(name, found.records, size - found.end, found.skipped)
