"""The work queue: due crawl batches as Celery tasks, crawled by ``pagetrail worker`` processes.

The daemon keeps deciding *when* (APScheduler, one scheduler); with ``--broker`` its dispatcher
hands each batch to :class:`RemoteCrawl` instead of a local :class:`~pagetrail.schedule.child.ChildCrawl`.
The batch carries the text of its seed files, so a worker needs no copy of them, only the archive
folder. A worker crawls a batch as the daemon does, in a child ``pagetrail crawl`` process (the
reactor cannot restart), which archives and runs the change pipeline.

Tasks are acknowledged late (after the crawl ended) and rejected back to the queue when the worker
process is lost, with one task reserved per worker process at a time: a worker killed mid-batch
has its batch delivered again to another worker once the broker's visibility timeout has passed
(Redis) or at once (AMQP). A page of that batch may be fetched twice; each fetch is its own
capture with its own WARC record, never a second catalog row for one record.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pagetrail.atomicfile import replaced
from pagetrail.dburl import cluster_module, redact
from pagetrail.errors import UsageError
from pagetrail.schedule.child import DEFAULT_COMMAND, ChildCrawl, CrawlRun, crawl_command
from pagetrail.schedule.control import schedule_dir
from pagetrail.schedule.launched import Launcher

log = logging.getLogger("pagetrail.schedule")

TASK = "pagetrail.crawl_batch"
QUEUE = "pagetrail"
# Redis re-delivers a task nobody acknowledged this long after it was handed out: it bounds how long
# a killed worker's batch waits, and must exceed the longest batch, or a batch still crawling is
# handed to a second worker too. An hour fits batches of tens of seeds with slow sites.
DEFAULT_VISIBILITY = 3600.0
POLL = 0.5  # how often the daemon asks for a batch's result
RETRY = 2.0  # how often the daemon retries a broker it cannot reach


def celery_app(broker: str, visibility_timeout: float = DEFAULT_VISIBILITY,  # noqa: ANN201 - celery.Celery
               worker: bool = False):
    """The Celery application both sides use; a missing Celery is a one-line error."""
    if "://" not in broker:
        raise UsageError(f"--broker {redact(broker)}: not a broker URL (e.g. redis://host:6379/0)")
    Celery = cluster_module("celery", "--broker", broker).Celery  # noqa: N806 - the class
    scheme = broker.split("://", 1)[0]
    # Redis holds the results too; with AMQP they come back on the daemon's reply queue.
    backend = broker if scheme in ("redis", "rediss") else "rpc://"
    app = Celery("pagetrail", broker=broker, backend=backend, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        broker_transport_options={
            "visibility_timeout": int(visibility_timeout),
            # Workers sweep for batches past their visibility timeout every few seconds (kombu's
            # default is ~100 s), so a dead worker's batch waits about the timeout, not minutes.
            "unacked_restore_interval": max(1, min(10, int(visibility_timeout // 4))),
            "unacked_restore_throttle": 1,
            # A sweep holds a lock in Redis for its few milliseconds; a worker killed while
            # holding it (kill -9, a machine lost) would stop every other worker's sweeps until
            # the lock expires, 300 s by kombu's default: its batch then waited minutes past the
            # visibility timeout (seen once in the 50-seed scenario under load).
            "unacked_mutex_expire": max(5, min(60, int(visibility_timeout // 4))),
        },
        result_backend_transport_options={"visibility_timeout": int(visibility_timeout)},
        result_expires=7 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits out a broker restart
        task_track_started=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    if worker:
        # A batch that ends while Redis is away keeps trying to store its result until Redis is
        # back (every 2 s at most): given up, the daemon would wait for it until the batch was
        # redelivered, a whole visibility timeout later, its seeds held in flight meanwhile. Not
        # on the daemon's side: its polling must notice an outage and stay stoppable.
        app.conf.update(result_backend_always_retry=True,
                        result_backend_max_sleep_between_retries_ms=2000)
    app.task(name=TASK, bind=True)(_crawl_batch_task)
    return app


# -- the daemon's side ----------------------------------------------------------------------------


@dataclass
class BatchQueue:
    """What the daemon needs to send batches: the app and the crawl options every batch gets."""

    broker: str
    visibility_timeout: float = DEFAULT_VISIBILITY

    def __post_init__(self) -> None:
        self.app = celery_app(self.broker, self.visibility_timeout)
        self.shown = redact(self.broker)

    def crawl(self, names: list[str], seed_files: list[str], options: tuple[str, ...],
              on_queued: Callable[[], None] | None = None) -> RemoteCrawl:
        files = {Path(f).name: Path(f).read_text(encoding="utf-8") for f in seed_files}
        return RemoteCrawl(self, {"seeds": list(names), "files": files, "options": list(options)},
                           on_queued)


class RemoteCrawl:
    """A batch sent to the workers, with :class:`ChildCrawl`'s interface for the dispatcher.

    Sending waits out a broker that is down (the seeds stay in flight, so their runs due meanwhile
    are coalesced into one after it). ``terminate()`` (daemon stopping) stops waiting only: the
    batch stays queued and is crawled by the workers all the same."""

    def __init__(self, queue: BatchQueue, batch: dict, on_queued: Callable[[], None] | None = None):
        self.queue = queue
        self.batch = batch
        self.on_queued = on_queued  # called once the broker holds the batch
        self.run = CrawlRun(tuple(batch["seeds"]), [TASK, *batch["seeds"]], datetime.now(UTC))
        self.result = None
        self._stop = threading.Event()
        self._complained = False

    def start(self) -> None:
        while not self._stop.is_set():
            try:
                self.result = self.queue.app.send_task(TASK, args=[self.batch], queue=QUEUE)
                self._recovered()
                if self.on_queued is not None:
                    self.on_queued()
                log.info("queued the crawl of %s (task %s)", ", ".join(self.run.seeds), self.result.id)
                return
            except Exception as exc:  # noqa: BLE001 - any transport error: the broker is away
                self._unreachable(exc)
                self._stop.wait(RETRY)

    def wait(self) -> CrawlRun:
        while self.result is not None and not self._stop.is_set():
            try:
                ready = self.result.ready()
                # Said whether or not the batch is done: a batch that ended during the outage is
                # often ready at the first answer after it (seen, with crawls forked faster).
                self._recovered()
                if ready:
                    self._finish(self.result.get(propagate=False))
                    self.result.forget()  # read once: no need to keep it in the broker
                    return self.run
            except Exception as exc:  # noqa: BLE001
                self._unreachable(exc)
            self._stop.wait(POLL)
        self.run.handed_off = True
        self.run.finished = datetime.now(UTC)
        return self.run

    def terminate(self) -> None:
        self.run.stopped = True
        self._stop.set()

    kill = terminate

    def _finish(self, value: object) -> None:
        if not isinstance(value, dict):  # the task raised: the worker could not run the crawl
            self.run.error = f"the worker failed: {value}"
            self.run.finished = datetime.now(UTC)
            return
        self.run.returncode = value.get("returncode")
        self.run.summary = value.get("summary")
        self.run.stderr_tail = list(value.get("stderr_tail") or [])
        self.run.error = value.get("error")
        self.run.lost = bool(value.get("lost"))
        self.run.worker = value.get("worker")
        for key in ("started", "finished"):
            if value.get(key):
                setattr(self.run, key, datetime.fromisoformat(value[key]))

    def _unreachable(self, exc: Exception) -> None:
        if not self._complained:
            self._complained = True
            log.warning("broker %s unreachable (%s: %s); retrying every %gs", self.queue.shown,
                        type(exc).__name__, str(exc)[:200], RETRY)

    def _recovered(self) -> None:
        if self._complained:
            self._complained = False
            log.info("broker %s reachable again", self.queue.shown)


# -- the worker's side ----------------------------------------------------------------------------


@dataclass
class WorkerConfig:
    archive: Path
    crawl_base: tuple[str, ...] = DEFAULT_COMMAND
    hostname: str = ""
    launcher: Launcher | None = None  # forks the crawls (run_worker starts one)


_config: WorkerConfig | None = None  # set by run_worker before the worker takes tasks


def _crawl_batch_task(task, batch: dict) -> dict:  # noqa: ANN001 - the bound celery Task
    config = _config
    if config is None:
        raise RuntimeError("this process is not a pagetrail worker")
    return crawl_batch(config, batch, getattr(task.request, "hostname", None) or config.hostname)


def crawl_batch(config: WorkerConfig, batch: dict, worker: str) -> dict:
    """Crawl one batch in a child process; what the daemon gets back (JSON)."""
    names = [str(n) for n in batch["seeds"]]
    work = schedule_dir(config.archive)
    seeds_dir = work / "worker-seeds"
    seeds_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in sorted(batch["files"].items()):
        path = seeds_dir / Path(name).name  # the daemon's snapshot names carry the content hash
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            # several workers (processes or hosts) may share this folder: each writes its own temp file
            with replaced(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        paths.append(str(path))
    options = ("-s", "PAGETRAIL_WARC_APPEND=True", *batch.get("options", ()))
    command = crawl_command(paths, names, str(config.archive), config.crawl_base, options)
    log.info("crawling %s", ", ".join(names))
    child = ChildCrawl(command, names, work / f"crawl-{socket.gethostname()}.log",
                       launcher=config.launcher)
    child.start()
    run = child.wait()
    log.info("crawl of %s: %s", ", ".join(names), run.describe())
    return {"seeds": names, "returncode": run.returncode, "summary": run.summary,
            "stderr_tail": run.stderr_tail, "error": run.error, "lost": run.lost, "worker": worker,
            "started": run.started.isoformat(),
            "finished": (run.finished or datetime.now(UTC)).isoformat()}


def run_worker(broker: str, config: WorkerConfig, concurrency: int = 1,
               visibility_timeout: float = DEFAULT_VISIBILITY) -> int:
    """Run a Celery worker until SIGTERM/SIGINT (warm shutdown: running crawls finish first)."""
    global _config
    app = celery_app(broker, visibility_timeout, worker=True)
    _config = config
    if config.launcher is None:
        config.launcher = Launcher()
    config.archive.mkdir(parents=True, exist_ok=True)
    # Celery's NAME@HOST convention: the host shows which machine crawled a batch.
    name = config.hostname or f"pagetrail-{os.getpid()}"
    hostname = name if "@" in name else f"{name}@{socket.gethostname()}"
    from pagetrail.archive.catalogdb import catalog_url

    catalog = catalog_url()  # --catalog reaches the worker through $PAGETRAIL_CATALOG
    log.info("pagetrail worker %s: broker %s, archive %s%s, %d at a time", hostname, redact(broker),
             config.archive, f" (catalog {redact(catalog)})" if catalog else "", concurrency)
    # Threads: each batch's work happens in its own child process; a killed worker takes its
    # children down with it (they die with the thread that started them, see child.py).
    worker = app.Worker(hostname=hostname, pool="threads", concurrency=concurrency,
                        queues=[QUEUE], loglevel="WARNING", without_gossip=True,
                        without_mingle=True, quiet=True, optimization="fair")
    try:
        worker.start()
    finally:
        config.launcher.close()
        _close_parked(config.archive)
    log.info("pagetrail worker %s stopped", hostname)
    return int(worker.exitcode or 0)


def _close_parked(archive: Path) -> None:
    """Close the WARC files this worker's crawls parked for each other (as the daemon does)."""
    from pagetrail.archive import Archive

    try:
        with Archive(archive) as store:
            store.finish_files()
    except Exception as exc:  # noqa: BLE001 - the next crawl or start resumes them anyway
        log.warning("%s: cannot close parked WARC files: %s", archive, exc)
