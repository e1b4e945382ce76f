"""The SQLite catalog of captures (``catalog.sqlite3``), shared by several processes.

WAL mode with a busy timeout lets the daemon's crawl children write while readers read. A capture
is written inside ``BEGIN IMMEDIATE`` so choosing its timestamp, writing its WARC record and
inserting its row happen as one step across processes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pagetrail.archive.model import Capture
from pagetrail.archive.timestamps import bump
from pagetrail.errors import ArchiveError

SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    status INTEGER,
    kind TEXT NOT NULL,
    mime TEXT,
    digest TEXT,
    record_id TEXT,
    warc_file TEXT,
    offset INTEGER,
    length INTEGER,
    seed TEXT,
    refers_to INTEGER,
    error TEXT,
    etag TEXT,
    last_modified TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    summary TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS captures_url_ts ON captures (url, timestamp);
CREATE INDEX IF NOT EXISTS captures_seed ON captures (seed);
CREATE INDEX IF NOT EXISTS captures_record ON captures (record_id);
CREATE INDEX IF NOT EXISTS captures_file ON captures (warc_file, offset);
"""

COLUMNS = (
    "id", "url", "timestamp", "status", "kind", "mime", "digest", "record_id", "warc_file",
    "offset", "length", "seed", "refers_to", "error", "etag", "last_modified", "extra",
)
_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM captures"


def _row(row: tuple) -> Capture:
    values = dict(zip(COLUMNS, row, strict=True))
    values["extra"] = json.loads(values["extra"] or "{}")
    return Capture(**values)


class Catalog:
    def __init__(self, path: Path):
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout = 60000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            with self.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
        except sqlite3.Error as exc:
            raise ArchiveError(f"{path}: cannot open the catalog ({exc})") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds SQLite's write lock from the start."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- reading -------------------------------------------------------------------------------

    def get(self, capture_id: int) -> Capture | None:
        row = self.db.execute(_SELECT + " WHERE id = ?", (capture_id,)).fetchone()
        return _row(row) if row else None

    def by_record_id(self, record_id: str) -> Capture | None:
        row = self.db.execute(_SELECT + " WHERE record_id = ?", (record_id,)).fetchone()
        return _row(row) if row else None

    def latest(self, url: str, kinds: tuple[str, ...] = ("response", "revisit")) -> Capture | None:
        marks = ",".join("?" * len(kinds))
        row = self.db.execute(
            _SELECT + f" WHERE url = ? AND kind IN ({marks}) ORDER BY timestamp DESC, id DESC LIMIT 1",
            (url, *kinds),
        ).fetchone()
        return _row(row) if row else None

    def latest_with_validators(self, url: str) -> Capture | None:
        row = self.db.execute(
            _SELECT + " WHERE url = ? AND kind IN ('response', 'revisit')"
            " AND (etag IS NOT NULL OR last_modified IS NOT NULL)"
            " ORDER BY timestamp DESC, id DESC LIMIT 1",
            (url,),
        ).fetchone()
        return _row(row) if row else None

    def select(self, url: str | None = None, seed: str | None = None, since: str | None = None,
               kind: str | None = None, ts_prefix: str | None = None) -> list[Capture]:
        where, args = [], []
        for column, value in (("url", url), ("seed", seed), ("kind", kind)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("timestamp >= ?")
            args.append(since)
        if ts_prefix is not None:
            where.append("substr(timestamp, 1, ?) = ?")
            args += [len(ts_prefix), ts_prefix]
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        return [_row(r) for r in self.db.execute(sql + " ORDER BY timestamp, id", args)]

    def free_timestamp(self, url: str, ts: str) -> str:
        """``ts``, or the next free millisecond for this URL."""
        while self.db.execute(
            "SELECT 1 FROM captures WHERE url = ? AND timestamp = ?", (url, ts)
        ).fetchone():
            ts = bump(ts)
        return ts

    def record_ids_in(self, warc_file: str) -> set[str]:
        rows = self.db.execute("SELECT record_id FROM captures WHERE warc_file = ?", (warc_file,))
        return {r[0] for r in rows}

    # -- writing -------------------------------------------------------------------------------

    def insert(self, capture: Capture) -> int:
        values = [getattr(capture, c) for c in COLUMNS[1:]]
        values[-1] = json.dumps(capture.extra, sort_keys=True)
        cur = self.db.execute(
            f"INSERT INTO captures ({', '.join(COLUMNS[1:])}) VALUES ({','.join('?' * (len(COLUMNS) - 1))})",
            values,
        )
        capture.id = int(cur.lastrowid)
        return capture.id

    def delete_beyond(self, warc_file: str, size: int) -> None:
        self.db.execute("DELETE FROM captures WHERE warc_file = ? AND offset >= ?", (warc_file, size))

    def set_summary(self, capture_id: int, summary: dict | None) -> None:
        value = None if summary is None else json.dumps(summary, sort_keys=True)
        self.db.execute("UPDATE captures SET summary = ? WHERE id = ?", (value, capture_id))

    def get_summary(self, capture_id: int) -> dict | None:
        row = self.db.execute("SELECT summary FROM captures WHERE id = ?", (capture_id,)).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def summaries_by_record(self) -> dict[str, str]:
        rows = self.db.execute("SELECT record_id, summary FROM captures WHERE summary IS NOT NULL")
        return {r[0]: r[1] for r in rows if r[0]}

    def restore_summaries(self, by_record: dict[str, str]) -> None:
        self.db.executemany(
            "UPDATE captures SET summary = ? WHERE record_id = ?",
            [(v, k) for k, v in by_record.items()],
        )

    def clear(self) -> None:
        self.db.execute("DELETE FROM captures")
