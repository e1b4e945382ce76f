"""Throughput of the work queue: pages per second through the whole pipeline (fetch, WARC, index,
segmentation, change summary) with one and with two `pagetrail worker`s, against the daemon's own
local crawls, all in the same run on this machine.

Each mode crawls the same N seeds of a local HTTP server once (`pagetrail run --once-per-seed`,
batches of --batch-size seeds) into a fresh archive; with a broker, a real Debian `redis-server` on
a free loopback port queues the batches and the workers (started before the daemon, one batch at
a time each) crawl them. Pages per second = N / the daemon's wall time. Two workers can at best
double one worker's rate, and only with a core each: the figure to compare is the ratio.

    .venv/bin/python bench/cluster_scale.py                   # 40 seeds, batches of 5
    .venv/bin/python bench/cluster_scale.py --seeds 80 --batch-size 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def pagetrail(cwd: Path, log: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen([sys.executable, "-m", "pagetrail", *args], cwd=cwd,
                            stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env)


def run_mode(tmp: Path, seeds: Path, workers: int, broker: str | None, batch: int) -> float:
    """The daemon's wall time to crawl every seed once."""
    folder = tmp / (f"workers-{workers}" if broker else "local")
    folder.mkdir()
    shutil.copy(seeds, folder / "seeds.toml")
    procs = []
    for i in range(workers):
        procs.append(pagetrail(folder, folder / f"worker-{i}.log", "worker", "--broker", broker,
                               "--archive", "archive", "--name", f"w{i}"))
    for i in range(workers):  # connected and waiting before the clock starts
        log = folder / f"worker-{i}.log"
        while "pagetrail worker" not in log.read_text(errors="replace"):
            time.sleep(0.1)
    time.sleep(2.0)
    args = ["run", "seeds.toml", "--archive", "archive", "--once-per-seed", "--batch-window", "0.5s",
            "--batch-size", str(batch)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    from tests.support.daemon import RecordingSite, write_seeds
    from tests.support.redis import Redis

    tmp = Path(tempfile.mkdtemp(prefix="pagetrail-cluster-"))
    site = RecordingSite(delay=0.05)
    seeds = tmp / "seeds.toml"
    write_seeds(seeds, [{"name": f"s{i:03d}", "url": site.url(f"/p{i}"), "schedule": "1h",
                         "robots": False} for i in range(args.seeds)])
    (tmp / "redis").mkdir()
    redis = Redis(tmp / "redis")
    redis.start()
    try:
        local = run_mode(tmp, seeds, 0, None, args.batch_size)
        one = run_mode(tmp, seeds, 1, redis.url, args.batch_size)
        two = run_mode(tmp, seeds, 2, redis.url, args.batch_size)
    finally:
        redis.stop()
        site.close()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    n = args.seeds
    print(f"{n} seeds, batches of {args.batch_size}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'mode':<28}{'seconds':>9}{'pages/s':>9}{'vs 1 worker':>13}")
    for name, took in (("daemon, local crawls", local), ("--broker, 1 worker", one),
                       ("--broker, 2 workers", two)):
        print(f"{name:<28}{took:>9.1f}{n / took:>9.2f}{one / took:>12.2f}x")


if __name__ == "__main__":
    main()
