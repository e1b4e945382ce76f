"""CPU a daemon spends per crawl (not a test; run by hand), e.g. before and after a change:

    .venv/bin/python bench/daemon_crawl_cpu.py --src OLD/src --src src [--crawls 10] [--rounds 3]
        [--plain]

Serves N one-page seeds from a local server and runs ``pagetrail run --once-per-seed --batch-size
1`` on them (N crawls, one seed each, then the daemon stops by itself) with each ``--src`` on
PYTHONPATH in turn, alternating (A B A B ...) so that other load hits both alike. ``--plain`` runs
N ``pagetrail crawl`` commands instead, one seed each, one after the other (a crawl started by
hand or cron: no launcher). CPU is user +
system of the whole process tree: this process is a child subreaper, so orphans (a crawl's archive
writer, the segment worker) are reaped and counted here too. Prints each run and, per source, the
median CPU per run and per crawl (the daemon's own start-up included in the first, spread over N in
the second).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_PR_SET_CHILD_SUBREAPER = 36


class _Pages(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        body = (f"<html><head><title>{self.path}</title></head><body><article><p>Page {self.path} "
                f"at {time.time()}.</p></article></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _tree_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_daemon(src: str, port: int, crawls: int, plain: bool = False) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, crawls done) of one daemon run (``plain``: of N crawl commands)."""
    folder = Path(tempfile.mkdtemp(prefix="daemon-crawl-cpu-"))
    try:
        (folder / "seeds.toml").write_text("".join(
            f'[[seed]]\nname = "s{i:03d}"\nurl = "http://127.0.0.1:{port}/s{i:03d}"\n'
            f'schedule = "1h"\nrobots = false\n\n' for i in range(crawls)), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=src, PAGETRAIL_CACHE_DIR=str(folder / "cache"))
        before, started = _tree_cpu(), time.monotonic()
        if plain:
            done = [subprocess.run(
                [sys.executable, "-m", "pagetrail", "crawl", "seeds.toml", "--archive", "archive",
                 "--only", f"s{i:03d}"], cwd=folder, env=env, capture_output=True, text=True)
                for i in range(crawls)]
        else:
            done = [subprocess.run(
                [sys.executable, "-m", "pagetrail", "run", "seeds.toml", "--archive", "archive",
                 "--batch-size", "1", "--batch-window", "0.1s", "--once-per-seed"],
                cwd=folder, env=env, capture_output=True, text=True)]
        while True:  # orphans reparented to us
            try:
                os.wait()
            except ChildProcessError:
                break
        cpu, wall = _tree_cpu() - before, time.monotonic() - started
        for run in done:
            if run.returncode != 0:
                raise SystemExit(f"{run.args[3]} failed ({run.returncode}):\n{run.stderr[-3000:]}")
        return cpu, wall, crawls if plain else (done[0].stdout + done[0].stderr).count(" done in ")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", action="append", required=True, help="a source folder to compare")
    parser.add_argument("--crawls", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--plain", action="store_true",
                        help="`pagetrail crawl` commands, not a daemon's crawls")
    args = parser.parse_args()
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    results: dict[str, list[float]] = {src: [] for src in args.src}
    print(f"load at start {os.getloadavg()[0]:.1f}")
    for round_ in range(args.rounds):
        for src in args.src:
            cpu, wall, done = run_daemon(src, port, args.crawls, args.plain)
            results[src].append(cpu)
            print(f"round {round_ + 1} {src}: {done} crawls, CPU {cpu:.2f} s ({cpu / done:.3f} s per "
                  f"crawl), wall {wall:.1f} s, load {os.getloadavg()[0]:.1f}", flush=True)
    base = args.src[0]
    for src, cpus in results.items():
        median = statistics.median(cpus)
        ratios = [cpu / old for cpu, old in zip(cpus, results[base], strict=True)]  # same round
        print(f"{src}: median CPU {median:.2f} s per run, {median / args.crawls:.3f} s per crawl, "
              f"{statistics.median(ratios):.3f}x {base}'s (median of per-round ratios)")
    server.shutdown()


if __name__ == "__main__":
    main()
