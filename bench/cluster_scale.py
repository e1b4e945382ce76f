"""Scale-out figures, each against a baseline measured in the same run on this machine.

Throughput (``--part throughput``): pages per second through the whole pipeline (fetch, WARC,
index, segmentation, change summary) with one and with two `pagetrail worker`s, against the
daemon's own local crawls. Each mode crawls the same N seeds of a local HTTP server once
(`pagetrail run --once-per-seed`, batches of --batch-size seeds) into a fresh archive; with a
broker, a real Debian `redis-server` on a free loopback port queues the batches and the workers
(started before the daemon, one batch at a time each) crawl them. Pages per second = N / the
daemon's wall time. Two workers can at best double one worker's rate, and only with a core each:
the figure to compare is the ratio. ``--pg-catalog`` runs the worker modes again with the catalog
in a real PostgreSQL (fsync on), as several machines need it.

Scheduling lateness (``--part lateness``): the daemon's own scheduler (``jobs.make_scheduler``:
APScheduler's BackgroundScheduler, the daemon's job options and thread pool) with --jobs seeds on
interval triggers whose first runs are spread over one interval (added while paused, as the daemon
does, then measured for --seconds from one interval after the resume), in a real PostgreSQL job store
(Debian's server on loopback, fsync on, as in production) and, as the baseline, in the default
SQLite job store and in memory. Each job is the daemon's job function, ``jobs.crawl_seed``; the
crawl is stubbed by the submitter, which records the due run in the job store's database as the
daemon does and notes the time: lateness = that time - the run's scheduled time (``--due-share``:
PostgreSQL once more without that record, to show its cost).

    .venv/bin/python bench/cluster_scale.py                   # both parts
    .venv/bin/python bench/cluster_scale.py --part throughput --seeds 80 --batch-size 10 --pg-catalog
    .venv/bin/python bench/cluster_scale.py --part lateness --jobs 10000 --interval 30 --seconds 120
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.schedule_scale import Histogram  # noqa: E402 - after the path set-up above


def pagetrail(cwd: Path, log: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-m", "pagetrail", *args], cwd=cwd,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env)


def run_mode(tmp: Path, seeds: Path, workers: int, broker: str | None, batch: int,
             catalog: tuple[str, ...] = ()) -> float:
    """The daemon's wall time to crawl every seed once (``catalog``: ``--catalog URL`` or none)."""
    folder = tmp / (f"workers-{workers}" if broker else "local") / ("pg" if catalog else "sqlite")
    folder.mkdir(parents=True)
    shutil.copy(seeds, folder / "seeds.toml")
    procs = []
    for i in range(workers):
        procs.append(pagetrail(folder, folder / f"worker-{i}.log", "worker", "--broker", broker,
                               "--archive", "archive", "--name", f"w{i}", *catalog))
    for i in range(workers):  # connected and waiting before the clock starts
        log = folder / f"worker-{i}.log"
        while "pagetrail worker" not in log.read_text(errors="replace"):
            time.sleep(0.1)
    time.sleep(2.0)
    args = ["run", "seeds.toml", "--archive", "archive", "--once-per-seed", "--batch-window", "0.5s",
            "--batch-size", str(batch), *catalog]
    if broker:
        args += ["--broker", broker]
    started = time.monotonic()
    daemon = pagetrail(folder, folder / "daemon.log", *args)
    code = daemon.wait()
    took = time.monotonic() - started
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(120)
    if code != 0:
        raise SystemExit(f"daemon exited {code}: see {folder / 'daemon.log'}")
    return took


def lateness(url: str, args: argparse.Namespace, record: bool = True) -> tuple[Histogram, float, int]:
    """Run --jobs cheap jobs on the daemon's scheduler for --seconds: (lateness, add time, runs).
    ``record``: record each due run as the daemon does (schedule/handover.py)."""
    from apscheduler.events import EVENT_JOB_EXECUTED
    from apscheduler.triggers.interval import IntervalTrigger

    from pagetrail.schedule import jobs

    book = jobs.due_book(url, "bench") if record else None
    submitted: dict[str, float] = {}

    def submit(name: str) -> None:  # the daemon's _due, with the dispatcher stubbed
        if book is not None:
            book.due(name)
        submitted[name] = time.time()

    jobs.set_submitter(submit)
    scheduler = jobs.make_scheduler(url, "bench")
    measured = Histogram()
    warmup = [float("inf")]  # runs due before the scheduler was resumed are not counted

    def listener(event) -> None:  # noqa: ANN001 - an APScheduler JobExecutionEvent
        done = submitted.get(event.job_id)
        scheduled = event.scheduled_run_time.timestamp()
        if done is not None and scheduled >= warmup[0]:
            measured.add(done - scheduled)

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED)
    # As the daemon starts: paused while its seeds' jobs are added (adding 10,000 jobs to a
    # database takes a while), then resumed. Each job's first run is 5 s after it was added plus
    # its share of one interval; runs that came due while adding are caught up (coalesced) at the
    # resume, and only runs due one interval after it are measured: the steady state.
    scheduler.start(paused=True)
    t_add = time.monotonic()
    for i in range(args.jobs):
        first = datetime.now(UTC) + timedelta(seconds=5 + args.interval * i / args.jobs)
        trigger = IntervalTrigger(seconds=args.interval, start_date=first, timezone=UTC)
        scheduler.add_job(jobs.crawl_seed, trigger, args=(f"seed-{i:05d}",), id=f"seed-{i:05d}",
                          name=f"seed-{i:05d}", replace_existing=True)
    added = time.monotonic() - t_add
    scheduler.resume()
    warmup[0] = time.time() + 5 + args.interval
    time.sleep(5 + args.interval + args.seconds)
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)  # runs cut off by the shutdown
    scheduler.pause()
    scheduler.remove_all_jobs()
    scheduler.shutdown(wait=True)
    jobs.set_submitter(None)
    if book is not None:
        book.close()
    return measured, added, measured.count


def run_lateness(args: argparse.Namespace) -> None:
    from pagetrail.schedule.jobs import MEMORY, jobstore_url
    from tests.support.postgres import start_postgres

    tmp = Path(tempfile.mkdtemp(prefix="pagetrail-lateness-"))
    server = start_postgres(fsync=True)
    postgres = next(server)
    results = {}
    try:
        stores = [("memory", MEMORY, True), ("sqlite (default)", jobstore_url(tmp), True),
                  ("postgresql", postgres.create_database("bench"), True)]
        if args.due_share:
            stores.append(("postgresql, no due", postgres.create_database("nodue"), False))
        for name, url, record in stores:
            print(f"lateness: {args.jobs} jobs every {args.interval:g}s in {name}, "
                  f"{args.seconds:g}s (load {os.getloadavg()[0]:.1f})", flush=True)
            results[name] = lateness(url, args, record)
    finally:
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)
    base = results["sqlite (default)"][0].quantile(0.99)
    print(f"{args.jobs} jobs every {args.interval:g}s ({args.jobs / args.interval:.0f} runs/s), "
          f"{args.seconds:g}s each, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'job store':<18}{'add s':>7}{'runs':>8}{'median ms':>11}{'p99 ms':>8}{'max ms':>8}"
          f"{'p99 vs sqlite':>15}")
    for name, (hist, added, runs) in results.items():
        p99 = hist.quantile(0.99)
        print(f"{name:<18}{added:>7.1f}{runs:>8}{hist.quantile(0.5) * 1000:>11.0f}"
              f"{p99 * 1000:>8.0f}{hist.worst * 1000:>8.0f}{p99 / base if base else float('nan'):>14.2f}x")


def run_throughput(args: argparse.Namespace) -> None:
    from tests.support.daemon import RecordingSite, write_seeds
    from tests.support.postgres import start_postgres
    from tests.support.redis import Redis

    tmp = Path(tempfile.mkdtemp(prefix="pagetrail-cluster-"))
    site = RecordingSite(delay=0.05)
    seeds = tmp / "seeds.toml"
    write_seeds(seeds, [{"name": f"s{i:03d}", "url": site.url(f"/p{i}"), "schedule": "1h",
                         "robots": False} for i in range(args.seeds)])
    (tmp / "redis").mkdir()
    redis = Redis(tmp / "redis")
    redis.start()
    server = start_postgres(fsync=True) if args.pg_catalog else None
    load = os.getloadavg()[0]
    rows = []
    try:
        rows.append(("daemon, local crawls", run_mode(tmp, seeds, 0, None, args.batch_size)))
        for workers in (1, 2):
            rows.append((f"--broker, {workers} worker{'s' if workers > 1 else ''}",
                         run_mode(tmp, seeds, workers, redis.url, args.batch_size)))
        if server is not None:
            postgres = next(server)
            for workers in (1, 2):
                catalog = ("--catalog", postgres.create_database(f"catalog{workers}"))
                rows.append((f"--broker, {workers} worker{'s' if workers > 1 else ''}, PG catalog",
                             run_mode(tmp, seeds, workers, redis.url, args.batch_size, catalog)))
    finally:
        redis.stop()
        if server is not None:
            server.close()
        site.close()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    n = args.seeds
    one = rows[1][1]
    print(f"{n} seeds, batches of {args.batch_size}, {os.cpu_count()} cores, load "
          f"{load:.1f} at start, {os.getloadavg()[0]:.1f} at end")
    print(f"{'mode':<40}{'seconds':>9}{'pages/s':>9}{'vs 1 worker':>13}")
    for name, took in rows:
        print(f"{name:<40}{took:>9.1f}{n / took:>9.2f}{one / took:>12.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("throughput", "lateness", "all"), default="all")
    parser.add_argument("--seeds", type=int, default=40, help="throughput: seeds crawled once")
    parser.add_argument("--batch-size", type=int, default=5, help="throughput: seeds per batch")
    parser.add_argument("--keep", action="store_true", help="throughput: keep the temporary folder")
    parser.add_argument("--pg-catalog", action="store_true",
                        help="throughput: also 1 and 2 workers with the catalog in PostgreSQL")
    parser.add_argument("--jobs", type=int, default=10_000, help="lateness: jobs in the store")
    parser.add_argument("--interval", type=float, default=30.0, help="lateness: seconds between runs")
    parser.add_argument("--seconds", type=float, default=60.0, help="lateness: time per job store")
    parser.add_argument("--due-share", action="store_true",
                        help="lateness: PostgreSQL again without recording due runs (their cost)")
    args = parser.parse_args()
    if args.part in ("throughput", "all"):
        run_throughput(args)
    if args.part in ("lateness", "all"):
        run_lateness(args)


if __name__ == "__main__":
    main()
