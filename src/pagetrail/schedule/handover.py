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
import time
from collections.abc import Callable, Iterable

from sqlalchemy import Column, Float, MetaData, String, Table, delete, insert, select
from sqlalchemy.engine import Engine

from pagetrail.dburl import redact
from pagetrail.schedule.leadership import DEFAULT_NAMESPACE, check_namespace

log = logging.getLogger("pagetrail.schedule")

TABLE = "pagetrail_due"


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

    def due(self, name: str, when: float | None = None) -> None:
        """``name`` came due (again): its row now carries this due time."""
        when = time.time() if when is None else when
        self._safely("record a due run", lambda conn: self._upsert(conn, name, when))

    def handed_over(self, names: Iterable[str], since: float | None = None) -> None:
        """These seeds' runs are handed over; a seed that came due again after ``since`` (the
        moment the batch was handed out) keeps its row for that later run."""
        names = list(names)
        if not names:
            return
        query = delete(self.table).where(self.table.c.seed.in_(names))
        if since is not None:
            query = query.where(self.table.c.due <= since)
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
        self.engine.dispose()

    def _upsert(self, conn, name: str, when: float) -> None:  # noqa: ANN001 - a Connection
        dialect = self.engine.dialect.name
        if dialect in ("postgresql", "sqlite"):
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as dialect_insert
            else:
                from sqlalchemy.dialects.sqlite import insert as dialect_insert
            query = dialect_insert(self.table).values(seed=name, due=when)
            conn.execute(query.on_conflict_do_update(index_elements=[self.table.c.seed],
                                                     set_={"due": query.excluded.due}))
            return
        conn.execute(delete(self.table).where(self.table.c.seed == name))
        conn.execute(insert(self.table).values(seed=name, due=when))

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
