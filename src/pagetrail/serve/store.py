"""What the web app reads: the archive (payloads, captures), its catalog through a read-only
connection per thread (SQLite or PostgreSQL), and the seed files (names and tags).

Nothing here writes: the catalog connection is opened read-only, comparisons are computed in
memory without the on-disk Snapshot cache (``ReadOnlyArchive`` has no ``root``), and exports are
written to temporary files outside the archive.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pagetrail.archive import Archive, Capture
from pagetrail.archive.catalogconnect import connect
from pagetrail.archive.catalogdb import CatalogDB
from pagetrail.seeds import Seed
from pagetrail.serve.filters import Filters


class ReadOnlyArchive:
    """The reading half of an ``Archive``, for ``ChangeProcessor``: without ``root`` it keeps its
    Snapshots in memory instead of writing them to the archive's cache folder."""

    def __init__(self, archive: Archive):
        self._archive = archive

    def read_payload(self, capture: Capture, *, decode: bool = True):  # noqa: ANN201
        return self._archive.read_payload(capture, decode=decode)

    def get_summary(self, capture_id: int) -> dict | None:
        return self._archive.get_summary(capture_id)

    def captures(self, url: str | None = None, **kwargs) -> list[Capture]:  # noqa: ANN003
        return self._archive.captures(url, **kwargs)


@dataclass
class Store:
    root: Path
    archive: Archive
    seeds: Sequence[Seed] = ()
    _local: threading.local = field(default_factory=threading.local)
    _rows: dict = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)
    _by_name: dict | None = None
    _by_url: dict = field(default_factory=dict)

    @classmethod
    def open(cls, root: str | Path, seeds: Sequence[Seed] = (), catalog: str | None = None) -> Store:
        """Open an existing archive (``catalog``: as for ``Archive``). Opening runs the catalog's
        usual upgrade (the page-list indexes of an older catalog are added once); requests only
        ever read."""
        from pagetrail.archive import Archive

        return cls(Path(root), Archive.existing(root, catalog=catalog), seeds)

    def close(self) -> None:
        self.archive.close()

    @property
    def db(self) -> CatalogDB:
        """This thread's read-only connection to the catalog."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.root, self.archive.catalog_url, read_only=True)
            self._local.db = db
        return db

    def capture(self, capture_id: int) -> Capture | None:
        from pagetrail.errors import ArchiveError

        try:
            return self.archive.get(capture_id)
        except ArchiveError:
            return None

    def summary(self, capture_id: int) -> dict | None:
        return self.archive.get_summary(capture_id)

    def capture_at(self, url: str, timestamp: str) -> Capture | None:
        row = self.db.execute("SELECT id FROM captures WHERE url = ? AND timestamp = ?",
                              (url, timestamp)).fetchone()
        return self.capture(row[0]) if row else None

    def catalog_version(self) -> tuple:
        """Changes whenever any process commits to the catalog (see ``CatalogDB.version``)."""
        return self.db.version()

    def page_rows(self, since: str | None, until: str | None) -> list:
        """``pages.page_rows`` of the catalog as it is now, reused until the catalog changes (the
        list, its filters and its pages then cost no query)."""
        from pagetrail.archive import pages

        key = (since, until, self.catalog_version())
        with self._cache_lock:
            if key in self._rows:
                return self._rows[key]
        rows = pages.page_rows(self.db, since, until)
        with self._cache_lock:
            if len(self._rows) >= 8:
                self._rows.pop(next(iter(self._rows)))
            self._rows[key] = rows
        return rows

    def matching_pages(self, f: Filters) -> tuple[list, list[tuple]]:
        """Every page row of the filter's period, and those the filter keeps as
        ``(row, seed name, tags)``: what the page list shows and what the Atom feed covers."""
        from pagetrail.archive import pages

        since, until = f.bounds()
        rows = self.page_rows(since, until)
        if f.state:
            pages.fill_state(self.db, rows)
        kept = []
        for row in rows:
            seed = self.seed_for(row.url, row.seed)
            name = seed.name if seed else (row.seed or "")
            tags = seed.tags if seed else ()
            if f.keep(row, name, tags):
                kept.append((row, name, tags))
        return rows, kept

    # -- seeds ---------------------------------------------------------------------------------
    def seed_for(self, url: str, seed_name: str | None) -> Seed | None:
        """``seeds.find_seed`` through two dicts built once: the page list asks for every page."""
        if self._by_name is None:
            self._by_name = {s.name: s for s in reversed(self.seeds)}
            self._by_url = {s.url.rstrip("/"): s for s in reversed(self.seeds)}
        return (self._by_name.get(seed_name) if seed_name else None) or self._by_url.get(url.rstrip("/"))

    def tags(self) -> list[str]:
        return sorted({t for s in self.seeds for t in s.tags})

    def rules_for(self, capture: Capture):  # noqa: ANN201 - SiteRules | None
        from pagetrail.seeds import rules_for

        return rules_for(self.seeds, capture.url, capture.seed)
