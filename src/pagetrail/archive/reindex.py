"""Rebuilding the catalog and ``index.cdxj`` from the WARC files alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pagetrail.archive import cdxj
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.naming import OPEN_SUFFIX, SUFFIX
from pagetrail.archive.repair import insert_captures, scan


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
    scans = []
    for path in files:
        found = scan(path, final_name(path))
        scans.append(found)
        if progress:
            note = f", unreadable record at offset {found.torn}: rest skipped" if found.torn else ""
            progress(f"{path.name}: {found.records} records{note}")
    with catalog.transaction():
        summaries = catalog.summaries_by_record()
        catalog.clear()
        insert_captures(catalog, [c for found in scans for c in found.captures])
        catalog.restore_summaries(summaries)
    cdxj.merge(folder, [line for found in scans for line in found.lines()], replace_all=True)
    return len(files), sum(found.records for found in scans)
