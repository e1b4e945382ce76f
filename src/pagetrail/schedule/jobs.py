"""The scheduled job and the persistent job store.

APScheduler pickles a job as a reference to a module-level function plus its arguments, so the job
function lives here, takes only plain values (seed name, seed file, archive folder, schedule text),
and hands the seed to the dispatcher of the daemon process that loaded it. The job store is read
directly (without a running scheduler) by ``pagetrail schedule`` to list, pause and resume jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from pagetrail.dburl import engine_for, redact
from pagetrail.errors import UsageError
from pagetrail.schedule.handover import DueBook
from pagetrail.schedule.leadership import DEFAULT_NAMESPACE, table_for

log = logging.getLogger("pagetrail.schedule")

MEMORY = "memory"

# Set by the daemon: called with the seed name when its job fires.
_submit: Callable[[str], None] | None = None


def set_submitter(submit: Callable[[str], None] | None) -> None:
    global _submit
    _submit = submit


def crawl_seed(name: str, seed_file: str = "", archive: str = "", schedule: str = "",
               label: str = "") -> None:
    """Job function: the seed is due. Returns at once; the dispatcher batches and crawls."""
    if _submit is None:
        log.warning("job %s fired outside a pagetrail daemon; ignored", name)
        return
    _submit(name)


def jobstore_url(archive: str | Path, url: str | None = None) -> str:
    """The job store to use: ``url`` if given, else a SQLite file in the archive folder."""
    if url:
        return url
    return f"sqlite:///{Path(archive).resolve() / 'jobs.sqlite3'}"


def make_jobstore(url: str, namespace: str = DEFAULT_NAMESPACE) -> BaseJobStore:
    """A job store for a SQLAlchemy URL (one table per namespace), or an in-memory one for
    ``memory`` (the demo)."""
    if url == MEMORY:
        return MemoryJobStore()
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    engine = database(url)
    try:
        return SQLAlchemyJobStore(engine=engine, tablename=table_for(namespace))
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises many types for a bad URL
        raise UsageError(f"--jobstore {redact(url)}: cannot use this job store: {exc}") from None


def job_defaults(misfire_grace: float) -> dict:
    """The options every seed's job gets.

    coalesce: after downtime, all missed runs of a job become one run. max_instances=1:
    APScheduler never overlaps a job (the dispatcher also guards crawls)."""
    return {"coalesce": True, "max_instances": 1, "misfire_grace_time": int(misfire_grace) or None}


def make_scheduler(url: str, namespace: str = DEFAULT_NAMESPACE,
                   misfire_grace: float = 3600.0) -> BackgroundScheduler:
    """The daemon's scheduler on its job store (bench/cluster_scale.py measures this one)."""
    return BackgroundScheduler(
        jobstores={"default": make_jobstore(url, namespace)},
        executors={"default": {"type": "threadpool", "max_workers": 4}},
        job_defaults=job_defaults(misfire_grace),
        timezone=UTC,
    )


def database(url: str) -> Engine:
    """An engine on the job store's database (SQLite and PostgreSQL tuned as below)."""
    from sqlalchemy import event

    engine = engine_for(url, "--jobstore")
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_async_commit)
    return engine


def due_book(url: str, namespace: str = DEFAULT_NAMESPACE) -> DueBook | None:
    """Where the daemon records due runs until they are handed over (none for ``memory``)."""
    if url == MEMORY:
        return None
    try:
        return DueBook(database(url), url, namespace)
    except Exception as exc:  # noqa: BLE001 - as make_jobstore: many types for an unusable database
        raise UsageError(f"--jobstore {redact(url)}: cannot use this job store: {exc}") from None


def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    """Every run of every job rewrites its row: in SQLite's default rollback-journal mode each of
    those commits waits for an fsync, which caps a daemon at a few hundred runs a second. WAL with
    synchronous=NORMAL stays crash-safe (a power cut may lose the last commits, which only means a
    run is repeated) and readers such as `pagetrail schedule` never block the daemon."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _postgres_async_commit(connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    """The same trade-off on PostgreSQL: each run commits twice (its job row, its due record),
    and with every commit waiting for its WAL flush a server with fsync on fell far behind 333
    runs a second (bench/cluster_scale.py). With synchronous_commit off a commit returns before
    the flush (PostgreSQL's WAL writer does it within a fraction of a second): a server crash can
    lose the last commits, never corrupt the store, and a lost job update only repeats a run.
    Only this engine's sessions: the catalog keeps its durable commits."""
    cursor = connection.cursor()
    cursor.execute("SET synchronous_commit TO off")
    cursor.close()
    connection.commit()


@dataclass
class JobInfo:
    """One job as ``pagetrail schedule`` shows it."""

    name: str
    schedule: str
    next_run: datetime | None
    seed_file: str

    @property
    def paused(self) -> bool:
        return self.next_run is None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "schedule": self.schedule,
            "next_run": self.next_run.isoformat() if self.next_run else None,
            "paused": self.paused,
            "seed_file": self.seed_file,
        }


class StoreReader:
    """The job store opened without running a scheduler: list jobs, pause or resume one."""

    def __init__(self, url: str, namespace: str = DEFAULT_NAMESPACE):
        if url == MEMORY:
            raise UsageError("--jobstore memory: an in-memory job store cannot be read from another process")
        self.store = make_jobstore(url, namespace)
        try:
            self.store.start(BackgroundScheduler(timezone=UTC), "default")
        except Exception as exc:  # noqa: BLE001
            raise UsageError(f"job store {redact(url)}: cannot open: {exc}") from None

    def jobs(self) -> list[JobInfo]:
        out = []
        for job in self.store.get_all_jobs():
            kwargs = dict(zip(("name", "seed_file", "archive", "schedule", "label"), job.args,
                              strict=False)) | job.kwargs
            out.append(JobInfo(job.id, kwargs.get("label") or kwargs.get("schedule") or str(job.trigger),
                               job.next_run_time, kwargs.get("seed_file", "")))
        return sorted(out, key=lambda j: j.name)

    def set_paused(self, name: str, paused: bool) -> JobInfo:
        job = self.store.lookup_job(name)
        if job is None:
            raise UsageError(f"no scheduled job named {name!r} (see `pagetrail schedule`)")
        if paused:
            job.next_run_time = None
        elif job.next_run_time is None:
            now = datetime.now(job.trigger.timezone)
            job.next_run_time = job.trigger.get_next_fire_time(None, now)
        self.store.update_job(job)
        return next(j for j in self.jobs() if j.name == name)

    def close(self) -> None:
        self.store.shutdown()
