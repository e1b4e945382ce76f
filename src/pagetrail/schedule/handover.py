"""Runs that came due but were not handed over yet, kept in the job store's database.

APScheduler moves a job's next run time forward the moment the job fires, but the daemon only
hands the seed over a little later: the dispatcher batches it after a window, waits for a free slot
(``--parallel``), or waits for a broker that is down. A daemon that died in between (SIGKILL, a
lost machine) took those runs with it, and an hourly seed then waited an hour, however many seeds
that was. So each due seed gets a row here when its job fires, removed once its run is handed
over: queued in the broker (which then owns it) or, for local crawls, crawled. The next daemon of
the namespace (a restart, or a standby taking over) runs what is left, once.

A seed that comes due again while its run is in flight gets a newer due time, so handing over the
earlier run does not remove it. A daemon killed between queueing a batch and removing its rows
leaves them behind, and the batch runs twice: a window of one database round trip.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from sqlalchemy import Column, Float, MetaData, String, Table, delete, insert, select
from sqlalchemy.engine import Engine

from pagetrail.dburl import redact
from pagetrail.schedule.leadership import DEFAULT_NAMESPACE, check_namespace

log = logging.getLogger("pagetrail.schedule")

TABLE = "pagetrail_due"
FLUSH = 0.05  # seconds between writes of the due runs recorded meanwhile


def table_for(namespace: str) -> str:
    check_namespace(namespace)
    return TABLE if namespace == DEFAULT_NAMESPACE else f"{TABLE}_{namespace}"


class DueBook:
    """The due-but-not-handed-over seeds of one namespace; database errors are logged, never
    raised: the book only narrows what a crash can lose, scheduling goes on without it."""

    def __init__(self, engine: Engine, url: str, namespace: str = DEFAULT_NAMESPACE):
        self.engine = engine
        self.shown = redact(url)
        self.table = Table(table_for(namespace), MetaData(),
                           Column("seed", String(191), primary_key=True),
                           Column("due", Float, nullable=False))
        self.table.create(engine, checkfirst=True)
        self._failing = False
        self._buffer: dict[str, float] = {}  # recorded, not yet written
        self._buffer_lock = threading.Lock()
        self._write_lock = threading.Lock()  # a flush and a clear never interleave
        self._closed = threading.Event()
        self._recorded = threading.Event()  # set by due(): the flusher wakes only for work
        self._flusher = threading.Thread(target=self._flush_often, name="pagetrail-due",
                                         daemon=True)
        self._flusher.start()

    def due(self, name: str, when: float | None = None) -> None:
        """``name`` came due (again): its row will carry this due time within ``FLUSH`` seconds.

        Written in batches: one transaction per run doubled the job store's commits and, on
        PostgreSQL, its scheduling lateness (bench/cluster_scale.py --due-share). A run is mostly
        handed over a batch window (1 s by default) or more after it fired, so the batch is
        written first; handed_over() flushes first for a full batch that goes out at once."""
        with self._buffer_lock:
            self._buffer[name] = time.time() if when is None else when
        self._recorded.set()

    def flush(self) -> None:
        with self._write_lock:
            with self._buffer_lock:
                rows, self._buffer = self._buffer, {}
            if rows:
                self._safely("record due runs", lambda conn: self._upsert(conn, rows))

    def handed_over(self, names: Iterable[str], since: float | None = None) -> None:
        """These seeds' runs are handed over; a seed that came due again after ``since`` (the
        moment the batch was handed out) keeps its row for that later run."""
        names = list(names)
        if not names:
            return
        query = delete(self.table).where(self.table.c.seed.in_(names))
        if since is not None:
            query = query.where(self.table.c.due <= since)
        self.flush()  # their due records are written before they are cleared, never after
        with self._write_lock:
            self._safely("clear handed-over runs", lambda conn: conn.execute(query))

    def pending(self) -> list[str]:
        """Seeds left due by a previous daemon of this namespace, oldest first."""
        rows = self._safely("read due runs", lambda conn: conn.execute(
            select(self.table.c.seed).order_by(self.table.c.due, self.table.c.seed)).all())
        return [row[0] for row in rows or ()]

    def left_over(self, active: Callable[[str], bool]) -> list[str]:
        """The pending seeds still ``active`` (scheduled, not paused); the others' rows go."""
        pending = self.pending()
        self.handed_over([name for name in pending if not active(name)])
        return [name for name in pending if active(name)]

    def close(self) -> None:
        self._closed.set()
        self._recorded.set()
        self._flusher.join(10)
        self.flush()
        self.engine.dispose()

    def _flush_often(self) -> None:
        # Asleep until a run is recorded, then the FLUSH window's records are written at once.
        # Waking every FLUSH seconds to find nothing cost an idle daemon 4 ms of CPU a second.
        while True:
            self._recorded.wait()
            if self._closed.wait(FLUSH):
                return  # close() writes what is left
            self._recorded.clear()  # before the flush: a record made during it sets it again
            self.flush()

    def _upsert(self, conn, rows: dict[str, float]) -> None:  # noqa: ANN001 - a Connection
        values = [{"seed": name, "due": when} for name, when in sorted(rows.items())]
        dialect = self.engine.dialect.name
        if dialect in ("postgresql", "sqlite"):
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as dialect_insert
            else:
                from sqlalchemy.dialects.sqlite import insert as dialect_insert
            # Each seed once (a dict), so no row is updated twice by one statement; chunks stay
            # under old SQLite versions' 999 parameters per statement.
            for start in range(0, len(values), 400):
                query = dialect_insert(self.table).values(values[start:start + 400])
                conn.execute(query.on_conflict_do_update(index_elements=[self.table.c.seed],
                                                         set_={"due": query.excluded.due}))
            return
        conn.execute(delete(self.table).where(self.table.c.seed.in_(list(rows))))
        conn.execute(insert(self.table), values)

    def _safely(self, what: str, work):  # noqa: ANN001, ANN202 - a callable on a Connection
        try:
            with self.engine.begin() as conn:
                result = work(conn)
        except Exception as exc:  # noqa: BLE001 - e.g. the database restarting
            if not self._failing:
                self._failing = True
                log.warning("job store %s: cannot %s (a crash now could delay those runs to their "
                            "next time): %s", self.shown, what,
                            str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return None
        if self._failing:
            self._failing = False
            log.info("job store %s: due runs recorded again", self.shown)
        return result
