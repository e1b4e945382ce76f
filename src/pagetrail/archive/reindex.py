"""Rebuilding the catalog and ``index.cdxj`` from the WARC files alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pagetrail.archive import cdxj
from pagetrail.archive.catalog import Catalog
from pagetrail.archive.naming import OPEN_SUFFIX, SUFFIX
from pagetrail.archive.repair import describe_damage, insert_captures, resolve_late, scan


def warc_files(folder: Path) -> list[Path]:
    """Closed files, and the .open files of live writers (their whole records count too)."""
    closed = [p for p in folder.glob("*" + SUFFIX) if p.is_file()]
    return sorted(closed + [p for p in folder.glob("*" + OPEN_SUFFIX) if p.is_file()])


def final_name(path: Path) -> str:
    return path.name[: -len(".open")] if path.name.endswith(OPEN_SUFFIX) else path.name


def rebuild(folder: Path, catalog: Catalog,
            progress: Callable[[str], None] | None = None,
            damaged: list[tuple[str, int, int]] | None = None) -> tuple[int, int]:
    """Returns (files, records read); ``damaged`` gets (file, offset, length) of every span of
    unreadable bytes skipped (reading resumes at the next whole record). Change summaries survive: those in the catalog, keyed by
    record id, and those on record in the WARC files (the catalog's win).

    Linear in records: each file is read once, and the record id -> capture id map that revisits
    need is built as captures are inserted, not queried per file.

    Run it when no crawl writes to the folder: a live writer's .open file is read as far as its
    records are whole, but records it writes meanwhile reach the index only when it closes.
    """
    files = warc_files(folder)
    total = 0
    on_record: dict[str, tuple[str, str]] = {}
    ids: dict[str, int] = {}
    # One transaction, so readers see the old catalog or the new one, never half of it; files are
    # read one at a time so memory does not grow with the archive.
    with catalog.transaction(), cdxj.Rebuilder(folder, catalog.db.index_lock) as index:
        kept = catalog.summaries_by_record()
        catalog.clear()
        for path in files:
            found = scan(path, final_name(path))
            insert_captures(catalog, found.captures, ids, fresh=True)
            index.add(found.lines())
            for about, (date, text) in found.summaries.items():
                if date >= on_record.get(about, ("", ""))[0]:
                    on_record[about] = (date, text)
            total += found.records
            spans = found.skipped + ([(found.torn, path.stat().st_size - found.torn)]
                                     if found.torn is not None else [])
            if damaged is not None:
                damaged += [(path.name, offset, length) for offset, length in spans]
            if progress:
                progress(f"{path.name}: {found.records} records{describe_damage(spans)}")
        resolve_late(catalog, ids)  # revisits read before the file holding their original
        summaries = {about: text for about, (_, text) in on_record.items()}
        summaries.update(kept)
        catalog.restore_summaries(summaries, ids=ids)
    return len(files), total


def index_missing(folder: Path, guard: cdxj.Guard | None = None) -> None:
    """``index.cdxj`` where there is none, from the WARC files (the catalog is left as it is).
    What the files hold is merged in, never put in place of the index: the files are read
    before the index lock is taken, and a writer that opened the archive at the same moment
    may have indexed a file it closed since (a replacement lost those lines)."""
    with cdxj.Rebuilder(folder, guard, replace=False) as index:
        for path in warc_files(folder):
            index.add(scan(path, final_name(path)).lines())
