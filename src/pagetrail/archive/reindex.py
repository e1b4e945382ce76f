"""Rebuilding the catalog and ``index.cdxj`` from the WARC files alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pagetrail.archive import cdxj
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.naming import OPEN_SUFFIX, SUFFIX
from pagetrail.archive.reader import iter_members
from pagetrail.archive.repair import catalog_members


def warc_files(folder: Path) -> list[Path]:
    """Closed files, and the .open files of live writers (their whole records count too)."""
    closed = [p for p in folder.glob("*" + SUFFIX) if p.is_file()]
    return sorted(closed + [p for p in folder.glob("*" + OPEN_SUFFIX) if p.is_file()])


def final_name(path: Path) -> str:
    return path.name[: -len(".open")] if path.name.endswith(OPEN_SUFFIX) else path.name


def rebuild(folder: Path, catalog: Catalog,
            progress: Callable[[str], None] | None = None) -> tuple[int, int]:
    """Returns (files, records read). Change summaries survive, keyed by record id.

    Run it when no crawl writes to the folder: a live writer's .open file is read as far as its
    records are whole, but records it writes meanwhile reach the index only when it closes.
    """
    files = warc_files(folder)
    members_by_file = []
    total = 0
    for path in files:
        members = []
        for member in iter_members(path):
            if not member.ok:
                if progress:
                    progress(f"{path.name}: unreadable record at offset {member.offset}, rest skipped")
                break
            members.append(member)
        total += len(members)
        members_by_file.append((final_name(path), members))
        if progress:
            progress(f"{path.name}: {len(members)} records")
    # Insert in capture-time order so ids follow time, and originals come before their revisits.
    ordered = sorted(
        ((m.get("WARC-Date") or "", name, m.offset, m) for name, ms in members_by_file for m in ms),
        key=lambda item: item[:3],
    )
    with catalog.transaction():
        summaries = catalog.summaries_by_record()
        catalog.clear()
        catalog_members(catalog, [(name, m) for _, name, _, m in ordered])
        catalog.restore_summaries(summaries)
    lines = [cdxj.line_for_member(m, name) for name, ms in members_by_file for m in ms]
    cdxj.merge(folder, [text for text in lines if text], replace_all=True)
    return len(files), total
