"""What archiving costs a crawl (not a test; run by hand):

    .venv/bin/python bench/archive_overhead.py [--pages 2000] [--rounds 1] [--concurrency 16]

Serves N small HTML pages from a twisted.web server in a child process, then crawls them in child
processes (one crawl per process: the reactor cannot restart) with the same settings:

1. bare Scrapy: PAGETRAIL_ARCHIVE_ENABLED = False;
2. with archiving into a fresh archive (every page a new response record);
3. with archiving again into the same archive (every page unchanged: revisit records);
4. with archiving and bare, N/4 pages, to compare peak memory with (1) and (2).

Prints pages/s for (1) and (2) and their ratio (target: archiving costs at most 10%), the crawl
process's CPU time per page (less disturbed by other load on the machine than wall time), bytes on disk
per unchanged refetch from (3) (target: under 1.5 KB), and the peak RSS of (2) and (4). Rates are
measured between the first and the last page outcome, so process start-up is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ("<!doctype html><html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
        "<p>{filler}</p></article><aside class=ad>Buy now</aside></body></html>")


# -- child: the web server -------------------------------------------------------------------------
def serve() -> None:
    from twisted.internet import reactor
    from twisted.web import resource as web
    from twisted.web import server

    class Pages(web.Resource):
        isLeaf = True

        def render_GET(self, request):  # noqa: ANN001, ANN202, N802 - twisted API
            request.setHeader(b"Content-Type", b"text/html; charset=utf-8")
            if request.path == b"/robots.txt":
                request.setHeader(b"Content-Type", b"text/plain")
                return b"User-agent: *\nDisallow: /private/\n"
            return PAGE.format(n=request.path.decode(), filler="lorem ipsum " * 40).encode()

    port = reactor.listenTCP(0, server.Site(Pages()), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run()


# -- child: one crawl ------------------------------------------------------------------------------
def crawl_child(args: argparse.Namespace) -> None:
    from pagetrail.crawl.runner import run_crawl
    from pagetrail.seeds import build_seed

    seeds = [build_seed({"url": f"http://127.0.0.1:{args.port}/p/{i}", "name": f"p{i}",
                         "schedule": "1h"}) for i in range(args.pages)]
    stamps: list[float] = []
    cpu: list[float] = []

    def tick(outcome, done, total) -> None:  # noqa: ANN001
        usage = resource.getrusage(resource.RUSAGE_SELF)
        if not stamps:
            cpu.append(usage.ru_utime + usage.ru_stime)
        stamps.append(time.perf_counter())
        cpu[1:] = [usage.ru_utime + usage.ru_stime]

    settings = {
        "PAGETRAIL_ARCHIVE_ENABLED": args.child != "bare",
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "LOG_LEVEL": "ERROR",
        "PAGETRAIL_ARCHIVE_THREAD": args.archive_thread == "on",
    }
    summary = run_crawl(seeds, args.archive, settings=settings, progress=tick)
    seconds = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    print(json.dumps({
        "pages": len(summary.pages),
        "failed": len(summary.failed),
        "kinds": {k: summary.count(k) for k in ("new", "revisit")},
        "rate": (len(stamps) - 1) / seconds,
        "cpu_ms_per_page": 1000 * (cpu[-1] - cpu[0]) / max(1, len(stamps) - 1),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


# -- parent ----------------------------------------------------------------------------------------
def run_child(mode: str, port: int, pages: int, archive: Path, concurrency: int,
              thread: str = "off") -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--port", str(port), "--pages", str(pages),
         "--archive", str(archive), "--concurrency", str(concurrency), "--archive-thread", thread],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def warc_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.warc.gz"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1, help="repeat bare/archived, keep the best")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--archive-thread", choices=["on", "off"], default="off",
                        help="PAGETRAIL_ARCHIVE_THREAD: write records from a thread (default off)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["bare", "archive"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve()
    if args.child:
        return crawl_child(args)

    n, small = args.pages, max(10, args.pages // 4)
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE,
                              text=True)
    tmp = Path(tempfile.mkdtemp(prefix="pagetrail-bench-"))
    try:
        port = int(server.stdout.readline())
        bare_rates, archived_rates, bare_cpu, archived_cpu = [], [], [], []
        for r in range(args.rounds):
            bare = run_child("bare", port, n, tmp / f"bare{r}", args.concurrency)
            bare_rates.append(bare["rate"])
            bare_cpu.append(bare["cpu_ms_per_page"])
            shutil.rmtree(tmp / "arch", ignore_errors=True)
            first = run_child("archive", port, n, tmp / "arch", args.concurrency,
                              args.archive_thread)
            archived_rates.append(first["rate"])
            archived_cpu.append(first["cpu_ms_per_page"])
        before, before_warc = folder_bytes(tmp / "arch"), warc_bytes(tmp / "arch")
        second = run_child("archive", port, n, tmp / "arch", args.concurrency, args.archive_thread)
        per_refetch = (folder_bytes(tmp / "arch") - before) / n
        per_refetch_warc = (warc_bytes(tmp / "arch") - before_warc) / n
        smaller = run_child("archive", port, small, tmp / "arch-small", args.concurrency,
                            args.archive_thread)
        bare_small = run_child("bare", port, small, tmp / "bare-small", args.concurrency)

        best_bare, best_arch = max(bare_rates), max(archived_rates)
        print(f"pages per crawl:            {n} (concurrency {args.concurrency}, "
              f"{args.rounds} round(s), best kept, archive thread {args.archive_thread})")
        print(f"bare Scrapy:                {best_bare:8.0f} pages/s")
        print(f"with archiving:             {best_arch:8.0f} pages/s   "
              f"(new responses: {first['kinds']['new']})")
        print(f"archived / bare:            {best_arch / best_bare:8.2f}   "
              f"(cost {100 * (1 - best_arch / best_bare):.1f}%, target <= 10%)")
        cpu_bare, cpu_arch = min(bare_cpu), min(archived_cpu)
        print(f"CPU per page (crawler):     {cpu_bare:8.2f} ms bare, {cpu_arch:.2f} ms archiving "
              f"(+{100 * (cpu_arch / cpu_bare - 1):.0f}%)")
        print(f"unchanged refetch:          {second['rate']:8.0f} pages/s   "
              f"(revisits: {second['kinds']['revisit']})")
        print(f"bytes per unchanged refetch: {per_refetch:7.0f} B on disk "
              f"({per_refetch_warc:.0f} B of WARC), target < 1536 B")
        print(f"peak RSS, archiving:        {smaller['max_rss_mb']:8.1f} MB at N={small}, "
              f"{first['max_rss_mb']:.1f} MB at N={n}")
        print(f"peak RSS, bare:             {bare_small['max_rss_mb']:8.1f} MB at N={small}, "
              f"{bare['max_rss_mb']:.1f} MB at N={n}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
