"""Who schedules: one daemon per job-store namespace holds the lease, others wait as standby.

APScheduler 3 does not support two schedulers on one job store: each would run and rewrite the
other's jobs, and a daemon that syncs the store with its own seed files removes every job it does
not know. So a daemon first takes a lease on its namespace of the job store, and only the holder
starts its scheduler. On PostgreSQL the lease is a session-level advisory lock held by one open
connection: when the holder dies (even by SIGKILL or a lost machine), the server ends its session
and releases the lock, and a standby takes over at its next try. Other databases (SQLite, the
default) are reachable from one machine only, where the archive's daemon lock already keeps one
daemon per archive, so they need no lease.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from pagetrail.dburl import DEFAULT_NAMESPACE, check_namespace, engine_for, redact
from pagetrail.dburl import lock_key as _lock_key

log = logging.getLogger("pagetrail.schedule")

__all__ = ["DEFAULT_NAMESPACE", "SchedulerLease", "check_namespace", "lock_key", "table_for"]

TABLE = "pagetrail_jobs"


def table_for(namespace: str) -> str:
    """The job table of a namespace: the default keeps the table earlier versions wrote."""
    check_namespace(namespace)
    return TABLE if namespace == DEFAULT_NAMESPACE else f"{TABLE}_{namespace}"


def lock_key(namespace: str) -> int:
    """A stable signed 64-bit advisory-lock key for this namespace."""
    return _lock_key("pagetrail-scheduler", namespace)


class SchedulerLease:
    """The right to schedule one namespace of a shared job store."""

    def __init__(self, url: str, namespace: str):
        self.url = url
        self.namespace = check_namespace(namespace)
        self._engine: Engine | None = None
        self._conn: Connection | None = None

    @property
    def shared(self) -> bool:
        return self.url.startswith("postgresql")

    def acquire(self, stop: threading.Event, retry: float = 1.0) -> bool:
        """Block until the lease is ours (True) or ``stop`` is set (False)."""
        if not self.shared:
            return True
        self._engine = engine_for(self.url, "--jobstore")
        said = False
        while not stop.is_set():
            try:
                if self._try():
                    if said:
                        log.info("namespace %r of %s: the lease is ours; taking over the schedule",
                                 self.namespace, redact(self.url))
                    return True
            except Exception as exc:  # noqa: BLE001 - the database may be restarting
                log.warning("job store %s: cannot take the scheduler lease: %s", redact(self.url),
                            str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                self._drop()
            if not said:
                log.info("namespace %r of %s is scheduled by another daemon: waiting as standby "
                         "(give independent daemons their own --namespace)", self.namespace,
                         redact(self.url))
                said = True
            stop.wait(retry)
        return False

    def _try(self) -> bool:
        if self._conn is None:
            assert self._engine is not None
            self._conn = self._engine.connect()
        got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                 {"k": lock_key(self.namespace)}).scalar()
        self._conn.commit()
        return bool(got)

    def held(self) -> bool:
        """Still ours? False once the connection that holds the lock is gone."""
        if not self.shared:
            return True
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
            return True
        except Exception:  # noqa: BLE001 - any failure means the session, and the lock, may be gone
            return False

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001
                pass
            self._conn = None

    def release(self) -> None:
        self._drop()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
