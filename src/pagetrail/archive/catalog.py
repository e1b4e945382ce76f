"""The SQLite catalog of captures (``catalog.sqlite3``), shared by several processes.

WAL mode with a busy timeout lets the daemon's crawl children write while readers read. A capture
is written inside ``BEGIN IMMEDIATE`` so choosing its timestamp, writing its WARC record and
inserting its row happen as one step across processes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pagetrail.archive.model import Capture
from pagetrail.archive.pages import INDEX_NAMES, INDEXES
from pagetrail.archive.timestamps import bump
from pagetrail.errors import ArchiveError

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS captures (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    status INTEGER,
    kind TEXT NOT NULL,
    mime TEXT,
    digest TEXT,
    record_id TEXT,
    file_id INTEGER REFERENCES files (id),
    offset INTEGER,
    length INTEGER,
    seed TEXT,
    refers_to INTEGER,
    error TEXT,
    etag TEXT,
    last_modified TEXT,
    extra TEXT,
    summary TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS captures_url_ts ON captures (url, timestamp);
CREATE INDEX IF NOT EXISTS captures_seed ON captures (seed);
""" + "".join(f"{statement};\n" for statement in INDEXES)  # the page list's (see pages.py)

# The WARC file name is stored once in `files` (it would otherwise be ~60 bytes of every row).
COLUMNS = (
    "id", "url", "timestamp", "status", "kind", "mime", "digest", "record_id", "warc_file",
    "offset", "length", "seed", "refers_to", "error", "etag", "last_modified", "extra",
)
_STORED = tuple("file_id" if c == "warc_file" else c for c in COLUMNS[1:])
_SELECT = "SELECT " + ", ".join(
    "files.name" if c == "warc_file" else f"captures.{c}" for c in COLUMNS
) + " FROM captures LEFT JOIN files ON files.id = captures.file_id"


BUSY_TIMEOUT_S = 60


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _row(row: tuple) -> Capture:
    values = dict(zip(COLUMNS, row, strict=True))
    values["extra"] = json.loads(values["extra"] or "{}")
    return Capture(**values)


class Catalog:
    def __init__(self, path: Path):
        self.path = path
        self.outdated_summaries: dict[str, str] | None = None  # set when an old layout was dropped
        self._file_ids: dict[str, int] = {}
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self.db = self._connect()
                return
            except sqlite3.OperationalError as exc:
                # Turning a new database to WAL, or opening it while another connection runs
                # WAL recovery, can answer SQLITE_BUSY without waiting on the busy handler, so
                # two processes creating one archive at once need this retry; the patience is
                # the same as the busy timeout's.
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise ArchiveError(f"{path}: cannot open the catalog ({exc})") from None
                time.sleep(0.05)
            except sqlite3.Error as exc:
                raise ArchiveError(f"{path}: cannot open the catalog ({exc})") from None

    @classmethod
    def for_reading(cls, path: Path) -> Catalog:
        """A connection that writes nothing (no schema set up, no journal mode change); on a
        read-only folder, where SQLite cannot create the WAL's shared-memory file, the catalog
        is opened as immutable (nobody can write it there either)."""
        self = cls.__new__(cls)
        self.path = path
        self.outdated_summaries = None
        self._file_ids = {}
        writable = os.access(path.parent, os.W_OK | os.X_OK) and os.access(path, os.W_OK)
        uri = path.resolve().as_uri() + ("?mode=ro" if writable else "?immutable=1")
        try:
            self.db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S,
                                      isolation_level=None, check_same_thread=False)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            self.current = self._current_layout()
        except sqlite3.Error as exc:
            raise ArchiveError(f"{path}: cannot open the catalog ({exc})") from None
        return self

    current = True  # False: an older layout, to be rebuilt by a writer

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            self.db = db
            # Only a new or outdated catalog needs the write lock (which a crawl may hold for
            # a batch of captures) to set up its tables.
            if not self._current_layout():
                with self.transaction():
                    self._drop_outdated()
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            db.execute(statement)
        except BaseException:
            db.close()
            raise
        return db

    def _current_layout(self) -> bool:
        names = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        if not {"files", "captures", "captures_url_ts", "captures_seed", *INDEX_NAMES} <= names:
            return False
        return "file_id" in {r[1] for r in self.db.execute("PRAGMA table_info(captures)")}

    def _drop_outdated(self) -> None:
        """A catalog from before the `files` table: keep its summaries, rebuild the rest."""
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(captures)")}
        if columns and "file_id" not in columns:
            self.outdated_summaries = self.summaries_by_record()
            self.db.execute("DROP TABLE captures")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds SQLite's write lock from the start."""
        self.db.execute("BEGIN IMMEDIATE")
        self.forget_file_ids()
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

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
            found = int(self.db.execute("INSERT INTO files (name) VALUES (?)", (name,)).lastrowid)
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
        cur = self.db.execute(
            f"INSERT INTO captures ({', '.join(_STORED)}) VALUES ({','.join('?' * len(_STORED))})",
            values,
        )
        capture.id = int(cur.lastrowid)
        return capture.id

    def update(self, capture: Capture) -> None:
        values = [getattr(capture, c) for c in COLUMNS[1:]]
        values[COLUMNS.index("warc_file") - 1] = (
            self.file_id(capture.warc_file) if capture.warc_file else None)
        values[-1] = json.dumps(capture.extra, sort_keys=True) if capture.extra else None
        self.db.execute(
            f"UPDATE captures SET {', '.join(c + ' = ?' for c in _STORED)} WHERE id = ?",
            [*values, capture.id],
        )

    def unresolved_revisits(self) -> list[Capture]:
        """Revisits whose original was not in the catalog when they were added."""
        return [_row(r) for r in self.db.execute(
            _SELECT + " WHERE captures.kind = 'revisit' AND captures.refers_to IS NULL")]

    def delete_beyond(self, warc_file: str, size: int) -> None:
        self.db.execute(
            "DELETE FROM captures WHERE offset >= ?"
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
