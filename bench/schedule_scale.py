"""How well the scheduler keeps time with many seeds: lateness of runs and memory over time.

Default mode (``jobs``): the daemon's scheduler set-up (BackgroundScheduler, persistent SQLite job
store in a temporary archive folder, coalesce, max_instances=1, a thread pool) with N jobs on
interval triggers whose first runs are spread over one interval. Each job is cheap: it returns the
time it started, and a listener compares that with the run's scheduled (already jittered) time, so
lateness is measured beyond jitter. RSS is sampled every few seconds.

``--crawl`` mode: the real daemon (``pagetrail run`` machinery, child ``pagetrail crawl``
processes, batching) on N seeds of a local HTTP server; reports each seed's gaps between fetches
against its interval, and the daemon process's RSS.

    .venv/bin/python bench/schedule_scale.py                  # 10,000 jobs, 60 s
    .venv/bin/python bench/schedule_scale.py --full           # 10,000 jobs, 5 minutes
    .venv/bin/python bench/schedule_scale.py --crawl --seeds 50 --interval 20 --seconds 120
    .venv/bin/python bench/schedule_scale.py --crawl --seeds 20 --interval 10 --seconds 90 --huge

``--huge`` adds a seed whose page has 200,000 paragraphs (a new version on every fetch, so every
capture is segmented): the gaps printed are the other seeds', to compare with the same run
without ``--huge``. PAGETRAIL_SEGMENT_MAX_ELEMENTS=0 in the environment leaves the time bound
alone to stop it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Histogram:
    """Lateness in 1 ms buckets, preallocated: recording must not grow the memory we measure."""

    def __init__(self, max_seconds: float = 120.0):
        self.buckets = [0] * (int(max_seconds * 1000) + 1)
        self.count = 0
        self.worst = 0.0

    def add(self, seconds: float) -> None:
        ms = min(len(self.buckets) - 1, max(0, int(seconds * 1000)))
        self.buckets[ms] += 1
        self.count += 1
        self.worst = max(self.worst, seconds)

    def quantile(self, q: float) -> float:
        target, seen = q * self.count, 0
        for ms, n in enumerate(self.buckets):
            seen += n
            if seen >= target and n:
                return ms / 1000
        return float("nan")


def bench_job() -> float:
    """The cheap job: when it actually started."""
    return time.time()


class Sampler(threading.Thread):
    def __init__(self, every: float, pid: int | str = "self"):
        super().__init__(daemon=True)
        self.every, self.pid = every, pid
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.t0 = time.monotonic()

    def run(self) -> None:
        while not self.stop.wait(self.every):
            try:
                self.samples.append((time.monotonic() - self.t0, rss_mb(self.pid)))
            except OSError:
                return


def print_memory(samples: list[tuple[float, float]]) -> None:
    if not samples:
        return
    step = max(1, len(samples) // 8)
    shown = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
    print("RSS over time: " + ", ".join(f"{t:.0f}s {mb:.0f} MB" for t, mb in shown))
    half = len(samples) // 2
    if half:
        first = statistics.mean(mb for _, mb in samples[:half])
        second = statistics.mean(mb for _, mb in samples[half:])
        print(f"RSS mean first half {first:.1f} MB, second half {second:.1f} MB "
              f"(growth {second - first:+.1f} MB)")


def run_jobs(args: argparse.Namespace) -> None:
    from apscheduler.events import EVENT_JOB_EXECUTED
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    from pagetrail.schedule.jobs import jobstore_url, make_jobstore

    folder = Path(tempfile.mkdtemp(prefix="pagetrail-bench-"))
    url = "memory" if args.jobstore == "memory" else jobstore_url(folder)
    scheduler = BackgroundScheduler(
        jobstores={"default": make_jobstore(url)},
        executors={"default": {"type": "threadpool", "max_workers": 4}},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=UTC,
    )
    lateness = Histogram()
    warmup = [float("inf")]  # runs due before the scheduler was resumed are not counted

    def listener(event) -> None:  # noqa: ANN001
        if event.code == EVENT_JOB_EXECUTED and event.retval is not None:
            scheduled = event.scheduled_run_time.timestamp()
            if scheduled >= warmup[0]:
                lateness.add(event.retval - scheduled)

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED)
    print(f"{args.seeds} jobs every {args.interval:g}s (jitter {args.jitter:g}s) for {args.seconds:g}s; "
          f"job store {'memory' if url == 'memory' else 'sqlite ' + url.split('///')[-1]}", flush=True)
    t_add = time.monotonic()
    scheduler.start(paused=True)
    now = datetime.now(UTC) + timedelta(seconds=5)
    for i in range(args.seeds):
        start = now + timedelta(seconds=args.interval * i / args.seeds)
        trigger = IntervalTrigger(seconds=args.interval, start_date=start,
                                  jitter=args.jitter or None, timezone=UTC)
        scheduler.add_job(bench_job, trigger, id=f"seed-{i}", name=f"seed-{i}",
                          replace_existing=True)
    print(f"added in {time.monotonic() - t_add:.1f}s; RSS {rss_mb():.0f} MB", flush=True)
    sampler = Sampler(max(1.0, args.seconds / 30))
    sampler.start()
    warmup[0] = time.time() + 1.0
    scheduler.resume()
    time.sleep(args.seconds + 5)
    import logging

    # Runs being submitted while the pool shuts down log a traceback each; they are not measured.
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)
    scheduler.pause()
    time.sleep(0.5)
    scheduler.shutdown(wait=True)
    sampler.stop.set()
    expected = args.seeds * (args.seconds + 5) / args.interval
    print(f"runs measured: {lateness.count} (about {expected:.0f} due in the whole run)")
    print(f"lateness beyond jitter: median {lateness.quantile(0.5) * 1000:.0f} ms, "
          f"p99 {lateness.quantile(0.99) * 1000:.0f} ms, max {lateness.worst * 1000:.0f} ms")
    print_memory(sampler.samples)


def run_crawl(args: argparse.Namespace) -> None:
    import signal
    import subprocess

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.support.daemon import RecordingSite, write_seeds

    site = RecordingSite(delay=0.0)
    times: dict[str, list[float]] = {}
    handler_cls = site.server.RequestHandlerClass
    original = handler_cls.do_GET

    huge_serial = [0]

    def do_get(self) -> None:  # noqa: ANN001
        times.setdefault(self.path, []).append(time.time())
        if self.path == "/huge":  # 200,000 paragraphs (4 MB), a new version on every fetch
            huge_serial[0] += 1
            body = (f"<html><body><article><h1>Huge {huge_serial[0]}</h1>".encode()
                    + b"<p>One of many paragraphs.</p>" * 200_000 + b"</article></body></html>")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        original(self)

    handler_cls.do_GET = do_get
    folder = Path(tempfile.mkdtemp(prefix="pagetrail-bench-crawl-"))
    seeds = [{"name": f"s{i}", "url": site.url(f"/s{i}"), "schedule": f"{args.interval:g}s",
              "robots": False} for i in range(args.seeds)]
    if args.huge:
        seeds.append({"name": "huge", "url": site.url("/huge"), "schedule": f"{args.interval:g}s",
                      "robots": False})
        print("plus one seed of 200,000 paragraphs (over the segmentation bounds)")
    write_seeds(folder / "seeds.toml", seeds)
    print(f"{args.seeds} seeds every {args.interval:g}s for {args.seconds:g}s with child crawls "
          f"(folder {folder})", flush=True)
    log = open(folder / "daemon.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "pagetrail", "run", "seeds.toml", "--archive",
                             "archive"], cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    sampler = Sampler(max(1.0, args.seconds / 30), proc.pid)
    sampler.start()
    time.sleep(args.seconds)
    proc.send_signal(signal.SIGTERM)
    proc.wait(120)
    sampler.stop.set()
    site.close()
    gaps = [b - a - args.interval for path, ts in times.items() if path != "/huge"
            for a, b in zip(ts, ts[1:], strict=False)]
    fetched = sum(len(ts) for ts in times.values())
    crawls = (folder / "daemon.log").read_text().count(" done in ")
    print(f"fetches {fetched} in {crawls} child crawls (seeds per crawl {fetched / max(crawls, 1):.1f})")
    if gaps:
        print(f"gap between fetches of a seed beyond its interval: median {statistics.median(gaps):.2f}s, "
              f"p99 {percentile(gaps, 0.99):.2f}s")
    print_memory(sampler.samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between runs of a seed")
    parser.add_argument("--jitter", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to measure")
    parser.add_argument("--full", action="store_true", help="the full run: 5 minutes")
    parser.add_argument("--jobstore", choices=("sqlite", "memory"), default="sqlite")
    parser.add_argument("--crawl", action="store_true", help="real daemon and child crawls")
    parser.add_argument("--huge", action="store_true",
                        help="--crawl: add a seed of 200,000 paragraphs; gaps are the others'")
    args = parser.parse_args()
    if args.full:
        args.seconds = 300.0
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    (run_crawl if args.crawl else run_jobs)(args)


if __name__ == "__main__":
    main()
