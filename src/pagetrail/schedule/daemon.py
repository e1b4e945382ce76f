"""The scheduling daemon: APScheduler decides when, child processes crawl.

One :class:`~apscheduler.schedulers.background.BackgroundScheduler` holds a job per seed in a
persistent job store. A job only hands its seed name to the :class:`Dispatcher`, which batches due
seeds into one child ``pagetrail crawl`` process. The main thread ticks: it applies pause/resume
requests from ``pagetrail schedule``, re-reads changed seed files, and waits for SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from pagetrail.dburl import redact
from pagetrail.errors import ArchiveError
from pagetrail.schedule import jobs
from pagetrail.schedule.child import DEFAULT_COMMAND, ChildCrawl, CrawlRun, crawl_command
from pagetrail.schedule.control import ControlChannel, DaemonLock, schedule_dir
from pagetrail.schedule.dispatcher import Dispatcher
from pagetrail.schedule.handover import DueBook
from pagetrail.schedule.launched import Launcher
from pagetrail.schedule.leadership import DEFAULT_NAMESPACE, SchedulerLease
from pagetrail.schedule.notify import Notifications
from pagetrail.schedule.outcome import CaptureOutcome, outcomes
from pagetrail.schedule.queue import RemoteCrawl
from pagetrail.schedule.seedwatch import SeedEntry, SeedWatcher
from pagetrail.schedule.status import StatusBook
from pagetrail.schedule.triggers import schedule_key, schedule_label, trigger_for

log = logging.getLogger("pagetrail.schedule")


@dataclass
class DaemonConfig:
    archive: Path
    seed_paths: list[str] = field(default_factory=list)  # empty: seeds/*.toml, re-globbed
    jobstore: str | None = None  # SQLAlchemy URL or "memory"; default: SQLite in the archive
    namespace: str = DEFAULT_NAMESPACE  # a shared job store's part this daemon schedules
    misfire_grace: float = 3600.0  # a run later than this after its time is skipped
    batch_window: float = 1.0  # seeds due within this many seconds share one child crawl
    max_parallel: int = 1  # child crawls at once (one archive writer at a time by default)
    batch_size: int = 0  # seeds per crawl at most (0: all seeds due together)
    broker: str | None = None  # Celery broker URL: batches go to `pagetrail worker`s, see queue.py
    visibility_timeout: float = 3600.0  # the broker re-delivers an unacknowledged batch after this
    stop_timeout: float = 30.0  # after SIGTERM, how long running crawls get to finish
    seed_poll: float = 2.0  # how often seed files' mtimes are checked
    tick: float = 0.5  # how often control requests are read
    crawl_base: tuple[str, ...] = DEFAULT_COMMAND
    crawl_options: tuple[str, ...] = ()  # given to every child crawl: -s NAME=VALUE, --settings-module
    once_per_seed: bool = False  # stop once every seed has been crawled once
    seeds_folder: str = "seeds"
    lock_wait: float = 60.0  # wait this long for a previous daemon's orphaned crawl to end
    notify_retries: int = 4
    notify_backoff: float = 2.0


class Daemon:
    def __init__(self, config: DaemonConfig,
                 on_capture: Callable[[CaptureOutcome], None] | None = None):
        self.config = config
        self.archive = Path(config.archive)
        self.on_capture = on_capture
        self.capture_count = 0
        self.exit_code = 0
        self.runs = 0
        self._stop = threading.Event()
        self._signals = 0
        self._crawled: set[str] = set()
        self._entries: dict[str, SeedEntry] = {}
        self._lock = DaemonLock(self.archive)
        self._control = ControlChannel(self.archive)
        workdir = schedule_dir(self.archive)
        self._watcher = SeedWatcher(config.seed_paths, workdir / "seeds", config.seeds_folder)
        self._crawl_log = workdir / "crawl.log"
        self.launcher = Launcher()  # forks crawls with their imports done (started on the first)
        self.status = StatusBook(self.archive)
        self.notifications: Notifications | None = None
        self.scheduler: BackgroundScheduler | None = None
        self.dispatcher: Dispatcher | None = None
        self.queue = None  # queue.BatchQueue with a broker
        self.book: DueBook | None = None  # due runs not yet handed over, see handover.py
        self.lease = SchedulerLease(jobs.jobstore_url(self.archive, config.jobstore), config.namespace)

    # -- life cycle ---------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    def handle_signal(self, signum: int, frame: object = None) -> None:
        self._signals += 1
        if self._signals == 1:
            log.info("%s: stopping (running crawls get %gs to finish; signal again to kill them)",
                     signal.Signals(signum).name, self.config.stop_timeout)
            self.stop()
        elif self.dispatcher is not None:
            log.info("%s again: killing running crawls", signal.Signals(signum).name)
            self.config.stop_timeout = 0.0
            self.dispatcher.kill_all()

    def run(self, install_signals: bool = True) -> int:
        self.archive.mkdir(parents=True, exist_ok=True)
        if install_signals:
            signal.signal(signal.SIGTERM, self.handle_signal)
            signal.signal(signal.SIGINT, self.handle_signal)
        try:
            # The lease comes before the archive's daemon lock: a standby sharing the leader's
            # archive folder (one machine, or a folder every machine mounts) must wait, not fail on
            # the lock the leader holds. Its seed files are checked first, so that a broken one is
            # an error now rather than when it takes over.
            if self.lease.shared:
                self._check_seeds()
            if not self.lease.acquire(self._stop):
                return 0
            self._lock.acquire(wait=self.config.lock_wait)
            try:
                self._repair_archive()
                self._entries = self._watcher.load_initial()
                self._control.reset()
                self._start()
                try:
                    self._loop()
                finally:
                    self._shutdown()
            finally:
                self._lock.release()
        finally:
            self.lease.release()
            jobs.set_submitter(None)
            if install_signals:  # stopped: a late SIGTERM (as after --once-per-seed) must not
                signal.signal(signal.SIGTERM, signal.SIG_IGN)  # kill the exiting process (-15)
        return self.exit_code

    def _check_seeds(self) -> None:
        """Load the seed files as the daemon will, without touching the archive's snapshots."""
        with tempfile.TemporaryDirectory(prefix="pagetrail-seeds-") as scratch:
            SeedWatcher(self.config.seed_paths, Path(scratch), self.config.seeds_folder).load_initial()

    def _repair_archive(self) -> None:
        """Open the archive once before any crawl: it closes WARC files a killed crawl left open."""
        from pagetrail.archive import Archive

        try:
            Archive(self.archive).open().close()
        except ArchiveError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ArchiveError(f"{self.archive}: cannot open the archive: {exc}") from None

    def _close_archive_files(self) -> None:
        """Close the WARC files the crawls left parked for each other, so a stopped daemon
        leaves closed, indexed files only (a crawl still running keeps its own)."""
        from pagetrail.archive import Archive

        try:
            with Archive(self.archive) as archive:
                archive.finish_files()
        except Exception as exc:  # noqa: BLE001 - the next start or crawl resumes them anyway
            log.warning("%s: cannot close parked WARC files: %s", self.archive, exc)

    def _start(self) -> None:
        c = self.config
        self.notifications = Notifications(c.notify_retries, c.notify_backoff,
                                           schedule_dir(self.archive) / "notify-failed.jsonl")
        if c.broker:
            from pagetrail.schedule.queue import BatchQueue

            self.queue = BatchQueue(c.broker, c.visibility_timeout)
        self.dispatcher = Dispatcher(self._start_child, self._crawl_done, c.batch_window,
                                     c.max_parallel, c.batch_size)
        url = jobs.jobstore_url(self.archive, c.jobstore)
        self.book = jobs.due_book(url, c.namespace)
        self.scheduler = jobs.make_scheduler(url, c.namespace, c.misfire_grace)
        jobs.set_submitter(self._due)
        self.dispatcher.start()
        # Started paused: jobs left in the store by a previous run must not fire before the seeds
        # are synced (a removed seed's job would run once more).
        self.scheduler.start(paused=True)
        self._sync(self._entries)
        self._resume_left_over()
        self.scheduler.resume()
        shown = redact(url) if c.jobstore else str(self.archive / "jobs.sqlite3")
        if c.namespace != DEFAULT_NAMESPACE:
            shown += f" (namespace {c.namespace})"
        from pagetrail.archive.catalogdb import catalog_url

        catalog = catalog_url()  # --catalog reaches the daemon through $PAGETRAIL_CATALOG
        log.info("pagetrail daemon: %d seeds, archive %s%s, job store %s%s", len(self._entries),
                 self.archive, f" (catalog {redact(catalog)})" if catalog else "", shown,
                 f", broker {self.queue.shown}" if self.queue else "")

    def _due(self, name: str) -> None:
        """A job fired: recorded in the job store's database first, so that a daemon dying before
        the run is handed over leaves it to its successor."""
        if self.book is not None:
            self.book.due(name)
        if self.dispatcher is not None:
            self.dispatcher.submit(name)

    def _resume_left_over(self) -> None:
        """Run once what a previous daemon of this namespace left due and not handed over."""
        assert self.scheduler is not None and self.dispatcher is not None
        if self.book is None:
            return
        scheduler = self.scheduler
        left = self.book.left_over(lambda name: name in self._entries and getattr(
            scheduler.get_job(name), "next_run_time", None) is not None)
        if left:
            log.info("%d runs left due by the previous daemon: running them now (%s)", len(left),
                     ", ".join(left[:10]) + (", ..." if len(left) > 10 else ""))
        for name in left:
            self.dispatcher.submit(name)

    def _job_options(self) -> dict:
        return jobs.job_defaults(self.config.misfire_grace)

    def _loop(self) -> None:
        c = self.config
        next_poll = 0.0
        clock = 0.0
        while not self._stop.wait(c.tick):
            clock += c.tick
            if not self.lease.held():
                # Another daemon may hold the lease by now: scheduling on would run every job twice.
                log.error("lost the scheduler lease on %s (database gone?): stopping; a standby "
                          "daemon takes over", redact(self.lease.url))
                self.exit_code = 1
                break
            try:
                self._apply_control()
                if clock >= next_poll:
                    next_poll = clock + c.seed_poll
                    changed = self._watcher.poll()
                    if changed is not None:
                        self._entries = changed
                        self._sync(changed)
            except Exception:  # noqa: BLE001 - e.g. the job store's database restarting
                log.exception("daemon tick failed; retrying at the next one")
                next_poll = clock  # a failed sync is redone
                self._watcher.forget()
            if c.once_per_seed and self._entries and set(self._entries) <= self._crawled:
                log.info("every seed crawled once (--once-per-seed): stopping")
                break

    def _shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.dispatcher is not None:
            self.dispatcher.stop(self.config.stop_timeout)
        self.launcher.close()
        if self.notifications is not None:
            self.notifications.close()
        self._close_archive_files()
        if self.book is not None:
            self.book.close()
        log.info("pagetrail daemon stopped: %d crawls, %d captures", self.runs, self.capture_count)

    # -- jobs ---------------------------------------------------------------------------------

    def _sync(self, entries: dict[str, SeedEntry]) -> None:
        """Make the job store match the seeds: add new seeds' jobs (first run now), replace the
        trigger of a seed whose schedule changed (paused stays paused), remove removed seeds."""
        assert self.scheduler is not None
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        options = self._job_options()
        for name, entry in sorted(entries.items()):
            key = schedule_key(entry.seed.schedule)
            label = schedule_label(entry.seed.schedule)
            args = (name, entry.seed_file, str(self.archive), key, label)
            job = existing.get(name)
            if job is None:
                self.scheduler.add_job(
                    jobs.crawl_seed, trigger_for(entry.seed.schedule), args=args, id=name,
                    name=name, replace_existing=True, next_run_time=datetime.now(UTC),
                    **options)
                log.info("%s: scheduled %s (%s)", name, label, entry.seed.url)
            elif tuple(job.args[3:4]) != (key,):
                if job.next_run_time is None:
                    self.scheduler.modify_job(name, trigger=trigger_for(entry.seed.schedule),
                                              args=args, **options)
                else:
                    self.scheduler.reschedule_job(name, trigger=trigger_for(entry.seed.schedule))
                    self.scheduler.modify_job(name, args=args, **options)
                log.info("%s: rescheduled %s", name, label)
            elif tuple(job.args) != args or any(getattr(job, k) != v for k, v in options.items()):
                self.scheduler.modify_job(name, args=args, **options)
        self.status.keep_only(set(entries))
        for name in sorted(set(existing) - set(entries)):
            self.scheduler.remove_job(name)
            if self.dispatcher is not None:
                self.dispatcher.forget(name)
            if self.book is not None:
                self.book.handed_over([name])
            log.info("%s: removed from the schedule (no longer in the seed files)", name)

    def _apply_control(self) -> None:
        assert self.scheduler is not None
        for request in self._control.receive():
            try:
                if request.action == "pause":
                    self.scheduler.pause_job(request.name)
                    if self.dispatcher is not None:
                        self.dispatcher.forget(request.name)
                    if self.book is not None:
                        self.book.handed_over([request.name])
                else:
                    self.scheduler.resume_job(request.name)
            except JobLookupError:
                log.warning("%s %s: no such job", request.action, request.name)
                continue
            log.info("%s: %s", request.name, "paused" if request.action == "pause" else "resumed")

    # -- crawls -------------------------------------------------------------------------------

    def _start_child(self, names: list[str]) -> ChildCrawl | RemoteCrawl | None:
        entries = [self._entries[n] for n in names if n in self._entries]
        gone = sorted(set(names) - {e.seed.name for e in entries})
        if gone:
            log.info("%s: no longer in the seed files; not crawled", ", ".join(gone))
        if not entries:
            return None
        files = sorted({e.snapshot for e in entries})
        # The crawls append to one WARC stream (rotated by size and age, see crawl/settings.py)
        # instead of making a file each; -s options given to the daemon come after, and win.
        if self.queue is not None:  # the worker adds PAGETRAIL_WARC_APPEND itself
            batch = [e.seed.name for e in entries]
            since = time.time()
            book = self.book
            # Once queued, the broker owns the run: it survives this daemon.
            on_queued = (lambda: book.handed_over(batch, since)) if book is not None else None
            return self.queue.crawl(batch, files, self.config.crawl_options, on_queued)
        options = ("-s", "PAGETRAIL_WARC_APPEND=True", *self.config.crawl_options)
        command = crawl_command(files, [e.seed.name for e in entries], str(self.archive),
                                self.config.crawl_base, options)
        log.info("crawling %s", ", ".join(e.seed.name for e in entries))
        lock = (self._lock.fd,) if self._lock.fd is not None else ()
        return ChildCrawl(command, [e.seed.name for e in entries], self._crawl_log, lock, self.launcher)

    def _crawl_done(self, run: CrawlRun) -> None:
        if run.handed_off:
            log.info("crawl of %s left queued: the workers crawl it (daemon stopping)",
                     ", ".join(run.seeds))
            return
        if self.book is not None and self.queue is None:
            self.book.handed_over(run.seeds, run.started.timestamp())
        self.runs += 1
        took = (run.finished - run.started).total_seconds() if run.finished else 0.0
        if run.ok:
            log.info("crawl of %s done in %.1fs%s", ", ".join(run.seeds), took,
                     f" by {run.worker}" if run.worker else "")
        else:
            log.warning("crawl of %s %s after %.1fs (log: %s)", ", ".join(run.seeds),
                        run.describe(), took, self._crawl_log)
            for line in run.stderr_tail[-3:]:
                log.warning("  | %s", line[:300])
        urls = {name: e.seed.url for name, e in self._entries.items()}
        for item in outcomes(run, self.archive, urls):
            self.capture_count += 1
            self._crawled.add(item.seed)
            (log.info if item.ok else log.warning)("%s", item.line())
            entry = self._entries.get(item.seed)
            if entry is not None and not item.stopped:
                self._note_fetch_state(entry, item)
            if item.report is not None and entry is not None and self.notifications is not None:
                try:
                    self.notifications.notify(entry.seed, item.report)
                except Exception as exc:  # noqa: BLE001 - one seed's notifier never costs the others theirs
                    log.warning("%s: notification not sent: %s: %s", item.seed, type(exc).__name__, exc)
            if self.on_capture is not None:
                self.on_capture(item)
        self._crawled.update(run.seeds)
        self.status.save()

    def _note_fetch_state(self, entry: SeedEntry, item: CaptureOutcome) -> None:
        """Count the seed's failures in a row; notify "failing" and "back" once each."""
        result = item.result().removeprefix(f"{item.url} ")
        event = self.status.record(entry.seed, item.ok, result, item.error)
        if event is None:
            return
        if event["event"] == "down":
            log.warning("%s: failing: %d captures in a row failed (since %s)", entry.seed.name,
                        event["failures"], event["since"])
        else:
            log.info("%s: back: captured again after %d failed captures", entry.seed.name,
                     event["failures"])
        if self.notifications is not None:
            self.notifications.notify_fetch_state(entry.seed, event)
