"""The catalog of captures: one row per WARC record a reader looks up, shared by several processes.

The database is ``catalog.sqlite3`` in the archive folder, or PostgreSQL for archives written by
several machines: ``catalogdb.py`` hides the difference. A capture is written inside a write
transaction that holds the catalog's write lock from the start (SQLite's ``BEGIN IMMEDIATE``,
PostgreSQL's advisory lock), so choosing its timestamp, writing its WARC record and inserting its
row happen as one step across processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pagetrail.archive.catalogconnect import connect
from pagetrail.archive.catalogdb import ERRORS, CatalogDB
from pagetrail.archive.model import Capture
from pagetrail.archive.pages import INDEX_NAMES, index_statements
from pagetrail.archive.timestamps import bump
from pagetrail.errors import ArchiveError


def schema_statements(db: CatalogDB) -> list[str]:
    """The tables and indexes, in ``db``'s dialect (``offset`` is quoted: PostgreSQL reserves it)."""
    return [
        f"CREATE TABLE IF NOT EXISTS files (id {db.id_column}, name TEXT NOT NULL UNIQUE)",
        f"""CREATE TABLE IF NOT EXISTS captures (
            id {db.id_column},
            url TEXT NOT NULL,
            timestamp TEXT NOT NULL,
            status INTEGER,
            kind TEXT NOT NULL,
            mime TEXT,
            digest TEXT,
            record_id TEXT,
            file_id {db.big_int} REFERENCES files (id),
            "offset" {db.big_int},
            length {db.big_int},
            seed TEXT,
            refers_to {db.big_int},
            error TEXT,
            etag TEXT,
            last_modified TEXT,
            extra TEXT,
            summary TEXT
        )""",
        "CREATE UNIQUE INDEX IF NOT EXISTS captures_url_ts ON captures (url, timestamp)",
        "CREATE INDEX IF NOT EXISTS captures_seed ON captures (seed)",
        *index_statements(db),  # the page list's (see pages.py)
    ]


# The WARC file name is stored once in `files` (it would otherwise be ~60 bytes of every row).
COLUMNS = (
    "id", "url", "timestamp", "status", "kind", "mime", "digest", "record_id", "warc_file",
    "offset", "length", "seed", "refers_to", "error", "etag", "last_modified", "extra",
)
_STORED = tuple("file_id" if c == "warc_file" else c for c in COLUMNS[1:])
_STORED_SQL = tuple(f'"{c}"' if c == "offset" else c for c in _STORED)
_SELECT = "SELECT " + ", ".join(
    "files.name" if c == "warc_file" else f'captures."{c}"' if c == "offset" else f"captures.{c}"
    for c in COLUMNS
) + " FROM captures LEFT JOIN files ON files.id = captures.file_id"


def _row(row: tuple) -> Capture:
    values = dict(zip(COLUMNS, row, strict=True))
    values["extra"] = json.loads(values["extra"] or "{}")
    return Capture(**values)


class Catalog:
    """The catalog's queries over one connection (``db``); ``Catalog.open`` sets up the tables,
    ``Catalog.for_reading`` writes nothing."""

    current = True  # False: an older layout, to be rebuilt by a writer
    created = False  # open() made the tables: the catalog was new (or outdated)

    def __init__(self, db: CatalogDB):
        self.db = db
        self.where = db.where
        self.shared = db.shared
        self.outdated_summaries: dict[str, str] | None = None  # set when an old layout was dropped
        self._file_ids: dict[str, int] = {}

    @classmethod
    def open(cls, root: Path, url: str | None = None) -> Catalog:
        """The catalog of the archive in ``root`` (``url``: PostgreSQL), ready to write."""
        self = cls(connect(root, url))
        try:
            # Only a new or outdated catalog needs the write lock (which a crawl may hold for a
            # batch of captures) to set up its tables.
            if not self._current_layout():
                with self.transaction():
                    self.db.prepare_schema()
                    if not self._current_layout():  # another process may have just done it
                        self._drop_outdated()
                        for statement in schema_statements(self.db):
                            self.db.execute(statement)
                        self.created = True
        except ERRORS as exc:
            self.db.close()
            raise ArchiveError(f"{self.where}: cannot open the catalog ({exc})") from None
        except BaseException:
            self.db.close()
            raise
        return self

    @classmethod
    def for_reading(cls, root: Path, url: str | None = None) -> Catalog:
        """A connection that writes nothing (no tables set up, no journal mode change)."""
        self = cls(connect(root, url, read_only=True))
        try:
            self.current = self._current_layout()
        except ERRORS as exc:
            self.db.close()
            raise ArchiveError(f"{self.where}: cannot open the catalog ({exc})") from None
        return self

    def _current_layout(self) -> bool:
        names = self.db.names()
        if not {"files", "captures", "captures_url_ts", "captures_seed", *INDEX_NAMES} <= names:
            return False
        return "file_id" in self.db.columns("captures")

    def _drop_outdated(self) -> None:
        """A catalog from before the `files` table: keep its summaries, rebuild the rest."""
        columns = self.db.columns("captures")
        if columns and "file_id" not in columns:
            self.outdated_summaries = self.summaries_by_record()
            self.db.execute("DROP TABLE captures")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[CatalogDB]:
        """A write transaction that holds the catalog's write lock from the start."""
        self.db.begin_write()
        self.forget_file_ids()
        try:
            yield self.db
        except BaseException:
            if self.db.in_transaction:
                self.db.rollback()
            raise
        self.db.commit()

    # -- reading -------------------------------------------------------------------------------

    def get(self, capture_id: int) -> Capture | None:
        row = self.db.execute(_SELECT + " WHERE captures.id = ?", (capture_id,)).fetchone()
        return _row(row) if row else None

    def record_id_map(self) -> dict[str, int]:
        """record id -> capture id, in one scan (no index on record_id: it would cost every
        capture ~60 bytes, and only repair and reindex need this lookup)."""
        return {r[0]: r[1] for r in self.db.execute("SELECT record_id, id FROM captures")
                if r[0]}

    def latest(self, url: str, kinds: tuple[str, ...] = ("response", "revisit")) -> Capture | None:
        marks = ",".join("?" * len(kinds))
        row = self.db.execute(
            _SELECT + f" WHERE url = ? AND kind IN ({marks})"
            " ORDER BY captures.timestamp DESC, captures.id DESC LIMIT 1",
            (url, *kinds),
        ).fetchone()
        return _row(row) if row else None

    def latest_and_free_timestamp(self, url: str, ts: str) -> tuple[Capture | None, str]:
        """``latest(url)`` and ``free_timestamp(url, ts)``, usually in one query: when the
        newest row of the URL is a response or revisit older than ``ts``, it answers both."""
        row = self.db.execute(
            _SELECT + " WHERE url = ? ORDER BY captures.timestamp DESC, captures.id DESC LIMIT 1",
            (url,),
        ).fetchone()
        if row is None:
            return None, ts
        top = _row(row)
        latest = top if top.kind in ("response", "revisit") else self.latest(url)
        return latest, (ts if top.timestamp < ts else self.free_timestamp(url, ts))

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(etag, last_modified) of ``latest_with_validators(url)``, without building a row."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM captures WHERE url = ?"
            " AND kind IN ('response', 'revisit')"
            " AND (etag IS NOT NULL OR last_modified IS NOT NULL)"
            " ORDER BY timestamp DESC, id DESC LIMIT 1",
            (url,),
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def latest_with_validators(self, url: str) -> Capture | None:
        row = self.db.execute(
            _SELECT + " WHERE url = ? AND kind IN ('response', 'revisit')"
            " AND (etag IS NOT NULL OR last_modified IS NOT NULL)"
            " ORDER BY captures.timestamp DESC, captures.id DESC LIMIT 1",
            (url,),
        ).fetchone()
        return _row(row) if row else None

    def select(self, url: str | None = None, seed: str | None = None, since: str | None = None,
               kind: str | None = None, ts_prefix: str | None = None) -> list[Capture]:
        where, args = [], []
        for column, value in (("url", url), ("seed", seed), ("kind", kind)):
            if value is not None:
                where.append(f"captures.{column} = ?")
                args.append(value)
        if since is not None:
            where.append("captures.timestamp >= ?")
            args.append(since)
        if ts_prefix is not None:
            where.append("substr(captures.timestamp, 1, ?) = ?")
            args += [len(ts_prefix), ts_prefix]
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        return [_row(r) for r in self.db.execute(sql + " ORDER BY captures.timestamp, captures.id", args)]

    def free_timestamp(self, url: str, ts: str) -> str:
        """``ts``, or the next free millisecond for this URL."""
        while self.db.execute(
            "SELECT 1 FROM captures WHERE url = ? AND timestamp = ?", (url, ts)
        ).fetchone():
            ts = bump(ts)
        return ts

    def file_id(self, name: str) -> int:
        # Cached only within one write transaction (see forget_file_ids): a rolled-back
        # transaction or a reindex elsewhere would make a longer-lived cache lie.
        known = self._file_ids.get(name)
        if known is not None:
            return known
        row = self.db.execute("SELECT id FROM files WHERE name = ?", (name,)).fetchone()
        if row:
            found = int(row[0])
        else:
            found = self.db.insert("INSERT INTO files (name) VALUES (?)", (name,))
        if self.db.in_transaction:
            self._file_ids[name] = found
        return found

    def forget_file_ids(self) -> None:
        """Call when a write transaction starts: ids cached before it may be stale."""
        self._file_ids.clear()

    def record_ids_in(self, warc_file: str) -> set[str]:
        rows = self.db.execute(
            "SELECT record_id FROM captures JOIN files ON files.id = captures.file_id"
            " WHERE files.name = ?", (warc_file,))
        return {r[0] for r in rows}

    # -- writing -------------------------------------------------------------------------------

    def insert(self, capture: Capture) -> int:
        values = [getattr(capture, c) for c in COLUMNS[1:]]
        values[COLUMNS.index("warc_file") - 1] = (
            self.file_id(capture.warc_file) if capture.warc_file else None)
        values[-1] = json.dumps(capture.extra, sort_keys=True) if capture.extra else None
        capture.id = self.db.insert(
            f"INSERT INTO captures ({', '.join(_STORED_SQL)}) VALUES ({','.join('?' * len(_STORED))})",
            values,
        )
        return capture.id

    def update(self, capture: Capture) -> None:
        values = [getattr(capture, c) for c in COLUMNS[1:]]
        values[COLUMNS.index("warc_file") - 1] = (
            self.file_id(capture.warc_file) if capture.warc_file else None)
        values[-1] = json.dumps(capture.extra, sort_keys=True) if capture.extra else None
        self.db.execute(
            f"UPDATE captures SET {', '.join(c + ' = ?' for c in _STORED_SQL)} WHERE id = ?",
            [*values, capture.id],
        )

    def unresolved_revisits(self) -> list[Capture]:
        """Revisits whose original was not in the catalog when they were added."""
        return [_row(r) for r in self.db.execute(
            _SELECT + " WHERE captures.kind = 'revisit' AND captures.refers_to IS NULL")]

    def delete_beyond(self, warc_file: str, size: int) -> None:
        self.db.execute(
            'DELETE FROM captures WHERE "offset" >= ?'
            " AND file_id = (SELECT id FROM files WHERE name = ?)", (size, warc_file))

    def set_summary(self, capture_id: int, summary: dict | None) -> None:
        value = None if summary is None else json.dumps(summary, sort_keys=True, separators=(",", ":"))
        self.db.execute("UPDATE captures SET summary = ? WHERE id = ?", (value, capture_id))

    def get_summary(self, capture_id: int) -> dict | None:
        row = self.db.execute("SELECT summary FROM captures WHERE id = ?", (capture_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def summaries_by_record(self) -> dict[str, str]:
        rows = self.db.execute("SELECT record_id, summary FROM captures WHERE summary IS NOT NULL")
        return {r[0]: r[1] for r in rows if r[0]}

    def restore_summaries(self, by_record: dict[str, str], *, only_missing: bool = False,
                          ids: dict[str, int] | None = None) -> None:
        """Set summaries by capture record id (``ids``: a ``record_id_map()`` at hand)."""
        if not by_record:
            return
        ids = self.record_id_map() if ids is None else ids
        where = " AND summary IS NULL" if only_missing else ""
        self.db.executemany(
            "UPDATE captures SET summary = ? WHERE id = ?" + where,
            [(v, ids[k]) for k, v in by_record.items() if k in ids],
        )

    def clear(self) -> None:
        self._file_ids.clear()
        self.db.execute("DELETE FROM captures")
        self.db.execute("DELETE FROM files")
