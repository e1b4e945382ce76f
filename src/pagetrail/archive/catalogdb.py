"""Where the catalog lives: the connection layer under ``catalog.py`` and ``pages.py``.

Two back ends answer the same SQL: SQLite (``catalog.sqlite3`` in the archive folder, the
embedded default) and PostgreSQL (``--catalog postgresql://...`` or ``$PAGETRAIL_CATALOG``), which
machines that write into one shared archive folder need, since SQLite must not be shared over a
network file system. Queries are written once, for SQLite, with ``?`` placeholders; what differs
is here: placeholders, the id column, JSON expressions, how a write transaction takes the
archive-wide write lock, and how the layout is inspected.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from pagetrail.errors import ArchiveError

CATALOG_NAME = "catalog.sqlite3"
CATALOG_ENV = "PAGETRAIL_CATALOG"
BUSY_TIMEOUT_S = 60


class DBError(Exception):
    """A catalog query failed (the driver's error, as one line)."""


# What a catalog query may raise: execute() turns driver errors into DBError, but SQLite steps a
# cursor lazily, so iterating one can still raise sqlite3.Error (PostgreSQL's cursors hold their
# whole result once executed).
ERRORS: tuple[type[Exception], ...] = (DBError, sqlite3.Error)


def catalog_url(explicit: str | None = None) -> str | None:
    """The catalog asked for: ``explicit`` (``--catalog``), else ``$PAGETRAIL_CATALOG``, else None
    (SQLite in the archive folder)."""
    return explicit or os.environ.get(CATALOG_ENV) or None


def is_postgres(url: str | None) -> bool:
    return bool(url) and str(url).split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def check_url(url: str | None) -> None:
    """A catalog URL this version can use, else a one-line error (the password never shown)."""
    if url and not is_postgres(url):
        from pagetrail.dburl import redact
        from pagetrail.errors import UsageError

        raise UsageError(f"--catalog {redact(url)}: not a PostgreSQL URL (postgresql://user@host/db); "
                         f"leave it out for the SQLite catalog in the archive folder")


class CatalogDB:
    """One connection to a catalog. ``where`` names it in messages; ``key`` is the same for every
    connection to the same catalog (batch.py groups this process's writers by it)."""

    where: str
    key: str
    shared = False  # several machines may write it (PostgreSQL)
    id_column = "INTEGER PRIMARY KEY"
    big_int = "INTEGER"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:  # noqa: ANN401 - a cursor
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT; the new row's id."""
        row = self.execute(sql + " RETURNING id", params).fetchone()
        return int(row[0])

    def begin_write(self) -> None:
        """Start a transaction that holds the catalog's write lock (one writer at a time across
        processes and machines) until commit or rollback."""
        raise NotImplementedError

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def prepare_schema(self) -> None:
        """In a write transaction, before the tables are created (PostgreSQL: the schema)."""

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    @property
    def aborted(self) -> bool:
        """The transaction failed and lost its work (PostgreSQL aborts it on any error)."""
        return False

    def names(self) -> set[str]:
        """Names of the catalog's tables and indexes."""
        raise NotImplementedError

    def columns(self, table: str) -> set[str]:
        raise NotImplementedError

    def json_text(self, column: str, path: str) -> str:
        """SQL for the value at ``path`` (``$.a.b``) of a JSON text column, as text or number."""
        return f"json_extract({column}, '{path}')"

    def json_true(self, column: str, path: str) -> str:
        """SQL true when the value at ``path`` is JSON true (the page list's indexed form)."""
        return f"json_extract({column}, '{path}')"

    def index_lock(self) -> AbstractContextManager:
        """Held while index.cdxj is merged: nothing more than the folder's lock file for SQLite,
        whose writers are all on one machine (see cdxj.py)."""
        return nullcontext()

    def durable(self) -> None:
        """Make every commit reach the disk before it returns."""

    def checkpoint(self) -> None:
        """Push committed rows to the disk now (at a WARC file's close)."""

    def version(self) -> tuple:
        """Changes whenever anyone commits (serve's page-list cache key)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SQLiteDB(CatalogDB):
    """``catalog.sqlite3``: WAL mode with a busy timeout lets the daemon's crawl children write
    while readers read; ``BEGIN IMMEDIATE`` is the write lock."""

    def __init__(self, path: Path, *, read_only: bool = False):
        self.path = path
        self.where = str(path)
        self.key = str(path.resolve())
        self.conn = self._open_read_only() if read_only else self._open()

    def _open(self) -> sqlite3.Connection:
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                       check_same_thread=False)
                try:
                    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute("PRAGMA synchronous = NORMAL")
                except BaseException:
                    conn.close()
                    raise
                return conn
            except sqlite3.OperationalError as exc:
                # Turning a new database to WAL, or opening it while another connection runs
                # WAL recovery, can answer SQLITE_BUSY without waiting on the busy handler, so
                # two processes creating one archive at once need this retry; the patience is
                # the same as the busy timeout's.
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise ArchiveError(f"{self.path}: cannot open the catalog ({exc})") from None
                time.sleep(0.05)
            except sqlite3.Error as exc:
                raise ArchiveError(f"{self.path}: cannot open the catalog ({exc})") from None

    def _open_read_only(self) -> sqlite3.Connection:
        """No schema set up, no journal mode change; on a read-only folder, where SQLite cannot
        create the WAL's shared-memory file, the catalog is opened as immutable (nobody can write
        it there either)."""
        path = self.path
        writable = os.access(path.parent, os.W_OK | os.X_OK) and os.access(path, os.W_OK)
        uri = path.resolve().as_uri() + ("?mode=ro" if writable else "?immutable=1")
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        except sqlite3.Error as exc:
            raise ArchiveError(f"{path}: cannot open the catalog ({exc})") from None
        return conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise DBError(str(exc)) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise DBError(str(exc)) from None

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        # lastrowid, not RETURNING: the SQLite a Python 3.11 links to may predate 3.35.
        return int(self.execute(sql, params).lastrowid)

    def begin_write(self) -> None:
        self.execute("BEGIN IMMEDIATE")

    @property
    def in_transaction(self) -> bool:
        try:
            return self.conn.in_transaction
        except sqlite3.ProgrammingError:  # the connection was closed under us
            return False

    def names(self) -> set[str]:
        return {r[0] for r in self.execute("SELECT name FROM sqlite_master")}

    def columns(self, table: str) -> set[str]:
        return {r[1] for r in self.execute(f"PRAGMA table_info({table})")}

    def durable(self) -> None:
        self.execute("PRAGMA synchronous = FULL")

    def checkpoint(self) -> None:
        self.execute("PRAGMA wal_checkpoint(PASSIVE)")  # syncs the commits

    def version(self) -> tuple:
        """Every commit grows or rewrites the WAL file, and a checkpoint rewrites the database
        file: their sizes and times change with any process's commit, at the cost of two stats."""
        out: list[int] = []
        for name in (self.path.name, self.path.name + "-wal"):
            try:
                st = (self.path.parent / name).stat()
                out += [st.st_mtime_ns, st.st_size]
            except FileNotFoundError:
                out += [0, 0]
        return tuple(out)

    def close(self) -> None:
        self.conn.close()


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)
