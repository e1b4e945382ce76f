"""What archiving costs a crawl (not a test; run by hand):

    .venv/bin/python bench/archive_overhead.py [--pages 2000] [--rounds 4] [--concurrency 16]

Serves N small HTML pages from a twisted.web server in a child process, then crawls them in child
processes (one crawl per process: the reactor cannot restart) with the same settings:

1. R rounds of one bare Scrapy crawl (PAGETRAIL_ARCHIVE_ENABLED = False) and one crawl with
   archiving into a fresh archive (every page a new response record), interleaved and
   counterbalanced (bare-archive, archive-bare, ...) so that load from other processes and any
   drift hit both sides alike;
2. with archiving again into the last archive (every page unchanged: revisit records);
3. with archiving and bare at N/4 pages, to compare peak memory with (1).

The machine this runs on is shared, so single rates are noisy. It prints the median of the
per-round ratios (archived rate / bare rate; target: archiving costs at most 10%), and the crawl
process's CPU time per page, which other load disturbs much less than wall time: both while pages
are crawled (between the first and the last page outcome) and for the whole child process
(start-up, crawl and close, where the index is written), counting the archive worker process
(PAGETRAIL_ARCHIVE_WRITER = "process", the default) in both. Python's full garbage collections are
the largest noise left: identical crawls run 4 or 16 of them (0.2 or 0.8 ms per page), so the
CPU ratio is also printed without the time spent in the collector. Rates are measured between the first
and the last page outcome, so process start-up is not counted. Also: bytes on disk per unchanged
refetch from (2) (target: under 1.5 KB) and peak RSS at N/4 and N (must not grow with N).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GC_FREEZE = False  # --gc-freeze, passed on to every crawl process
RAW_HTTP = True  # --scrapy-client: archive through Scrapy's own client (records rebuilt)
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
class NullArchive:
    """A recorder that stores nothing (``--null``): what the middleware alone costs."""

    def __init__(self, root, **options) -> None:  # noqa: ANN001, ANN003
        from pagetrail.archive.model import Capture

        self.capture = Capture(0, "", "", 200, "response", None, None, None, None, None, None)

    def __enter__(self) -> NullArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def conditional_headers(self, url: str) -> dict[str, str]:
        return {}

    def conditional_headers_for(self, urls: list[str]) -> dict[str, dict[str, str]]:
        return {}

    def record(self, exchange):  # noqa: ANN001, ANN201
        return self.capture

    def record_failure(self, failed):  # noqa: ANN001, ANN201
        return self.capture


def crawl_child(args: argparse.Namespace) -> None:
    from pagetrail.crawl.runner import run_crawl
    from pagetrail.seeds import build_seed

    seeds = [build_seed({"url": f"http://127.0.0.1:{args.port}/p/{i}", "name": f"p{i}",
                         "schedule": "1h"}) for i in range(args.pages)]
    stamps: list[float] = []
    cpu: list[float] = []
    gc_time = [0.0, 0.0, 0, 0]  # seconds in the collector, start of this pass, full passes, freed

    def gc_clock(phase: str, info: dict) -> None:
        if phase == "start":
            gc_time[1] = time.process_time()
        elif stamps:
            gc_time[0] += time.process_time() - gc_time[1]
            gc_time[2] += info["generation"] == 2
            gc_time[3] += info["collected"]

    gc.callbacks.append(gc_clock)

    def tick(outcome, done, total) -> None:  # noqa: ANN001
        usage = resource.getrusage(resource.RUSAGE_SELF)
        if not stamps:
            cpu.append(usage.ru_utime + usage.ru_stime)
        stamps.append(time.perf_counter())
        cpu[1:] = [usage.ru_utime + usage.ru_stime]

    settings = {
        "PAGETRAIL_ARCHIVE_ENABLED": args.child != "bare",
        # bare Scrapy is Scrapy's own download handler too: the archived crawl pays for
        # pagetrail's byte-keeping HTTP client (PAGETRAIL_RAW_HTTP) as part of its overhead
        "PAGETRAIL_RAW_HTTP": args.child != "bare" and RAW_HTTP,
        # by module name, so a worker process can import it (the bench's folder is on sys.path)
        "PAGETRAIL_ARCHIVE_CLASS": ("archive_overhead.NullArchive" if args.child == "null"
                                    else "pagetrail.archive.Archive"),
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "LOG_LEVEL": "ERROR",
        "PAGETRAIL_ARCHIVE_WRITER": args.writer,
    }
    if args.gc_freeze:
        gc.collect()
        gc.freeze()  # what is alive now (modules, seeds) is never walked again by the collector
    summary = run_crawl(seeds, args.archive, settings=settings, progress=tick)
    seconds = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    print(json.dumps({
        "pages": len(summary.pages),
        "failed": len(summary.failed),
        "kinds": {k: summary.count(k) for k in ("new", "revisit")},
        "rate": (len(stamps) - 1) / seconds,
        "cpu_ms_per_page": 1000 * (cpu[-1] - cpu[0]) / max(1, len(stamps) - 1),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # the archive worker process (PAGETRAIL_ARCHIVE_WRITER = "process"), start to end
        "writer_cpu_ms_per_page": 1000 * (lambda u: u.ru_utime + u.ru_stime)(
            resource.getrusage(resource.RUSAGE_CHILDREN)) / max(1, len(stamps)),
        "gc_ms_per_page": 1000 * gc_time[0] / max(1, len(stamps) - 1),
        "full_gcs": gc_time[2],
        "cyclic_garbage_per_page": gc_time[3] / max(1, len(stamps) - 1),
    }))


# -- parent ----------------------------------------------------------------------------------------
def run_child(mode: str, port: int, pages: int, archive: Path, concurrency: int,
              writer: str = "process") -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--port", str(port), "--pages", str(pages),
         "--archive", str(archive), "--concurrency", str(concurrency), "--writer", writer,
         *(["--gc-freeze"] if GC_FREEZE else []), *([] if RAW_HTTP else ["--scrapy-client"])],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["pages"] != pages or result["failed"]:
        raise SystemExit(f"crawl {mode}: {result['failed']} of {result['pages']} pages failed")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["process_cpu_ms_per_page"] = 1000 * cpu / pages
    return result


def folder_bytes(folder: Path, pattern: str = "*") -> int:
    return sum(p.stat().st_size for p in folder.glob(pattern) if p.is_file())


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def cpu_line(label: str, rounds: list[tuple[dict, dict]], key: str, ratios: list[float]) -> None:
    """One CPU figure: the median of each side, and the median of the per-round ratios."""
    bare = median([b[key] for b, _ in rounds])
    archiving = median([a[key] for _, a in rounds])
    print(f"{label:28} {bare:7.2f} ms bare, {archiving:.2f} ms archiving; "
          f"ratio {median(ratios):.3f} median ({spread(ratios)})  "
          f"cost {100 * (median(ratios) - 1):+.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4,
                        help="bare/archived pairs, interleaved; the median ratio is reported")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--writer", choices=["process", "thread", "inline"], default="process",
                        help="PAGETRAIL_ARCHIVE_WRITER: where the archive runs (default process)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() in every crawl process before crawling (both kinds)")
    parser.add_argument("--scrapy-client", action="store_true",
                        help="archive through Scrapy's own HTTP client (PAGETRAIL_RAW_HTTP off)")
    parser.add_argument("--null", action="store_true",
                        help="also crawl with a recorder that stores nothing, each round")
    parser.add_argument("--child", choices=["bare", "archive", "null"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve()
    global GC_FREEZE, RAW_HTTP
    RAW_HTTP = not args.scrapy_client
    if args.child:
        return crawl_child(args)

    GC_FREEZE = args.gc_freeze
    n, small = args.pages, max(10, args.pages // 4)
    writer = args.writer
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE,
                              text=True)
    tmp = Path(tempfile.mkdtemp(prefix="pagetrail-bench-"))
    load = os.getloadavg()[0]
    try:
        port = int(server.stdout.readline())
        rounds: list[tuple[dict, dict]] = []
        nulls: list[float] = []
        for r in range(args.rounds):
            arch_dir = tmp / f"arch{r}"
            modes = ["bare", "archive"] + (["null"] if args.null else [])
            order = modes[r % len(modes):] + modes[:r % len(modes)]
            order = order if r % 2 == 0 else order[::-1]
            got = {}
            for mode in order:
                folder = arch_dir if mode == "archive" else tmp / f"{mode}{r}"
                got[mode] = run_child(mode, port, n, folder, args.concurrency, writer)
            rounds.append((got["bare"], got["archive"]))
            if args.null:
                nulls.append(got["null"]["cpu_ms_per_page"] / got["bare"]["cpu_ms_per_page"])
            ratio = got["archive"]["rate"] / got["bare"]["rate"]
            print(f"round {r + 1}/{args.rounds}: bare {got['bare']['rate']:.0f} pages/s, "
                  f"archiving {got['archive']['rate']:.0f} pages/s, ratio {ratio:.2f}; "
                  f"CPU/page {got['bare']['cpu_ms_per_page']:.2f} / "
                  f"{got['archive']['cpu_ms_per_page']:.2f} ms"
                  + (f" (null recorder {got['null']['cpu_ms_per_page']:.2f} ms)" if args.null
                     else ""), file=sys.stderr, flush=True)
            if r < args.rounds - 1:
                shutil.rmtree(arch_dir, ignore_errors=True)
        last = tmp / f"arch{args.rounds - 1}"
        before = {pat: folder_bytes(last, pat) for pat in ("*", "*.warc.gz", "catalog.*",
                                                            "index.cdxj")}
        second = run_child("archive", port, n, last, args.concurrency, writer)
        grown = {pat: (folder_bytes(last, pat) - size) / n for pat, size in before.items()}
        smaller = run_child("archive", port, small, tmp / "arch-small", args.concurrency, writer)
        bare_small = run_child("bare", port, small, tmp / "bare-small", args.concurrency)
        load_after = os.getloadavg()[0]

        ratios = [a["rate"] / b["rate"] for b, a in rounds]
        cpu_ratios = [a["cpu_ms_per_page"] / b["cpu_ms_per_page"] for b, a in rounds]
        proc_ratios = [a["process_cpu_ms_per_page"] / b["process_cpu_ms_per_page"]
                       for b, a in rounds]
        bare_rates = [b["rate"] for b, _ in rounds]
        arch_rates = [a["rate"] for _, a in rounds]
        first = rounds[-1][1]
        print(f"pages per crawl:             {n} (concurrency {args.concurrency}, {args.rounds} "
              f"interleaved rounds, archive writer {writer}, load {load:.1f} -> {load_after:.1f})")
        print(f"bare Scrapy:                 {median(bare_rates):7.0f} pages/s median "
              f"({min(bare_rates):.0f}-{max(bare_rates):.0f})")
        print(f"with archiving:              {median(arch_rates):7.0f} pages/s median "
              f"({min(arch_rates):.0f}-{max(arch_rates):.0f}; new responses: "
              f"{first['kinds']['new']})")
        print(f"archived / bare, per round:  {median(ratios):7.2f} median ({spread(ratios)})  "
              f"cost {100 * (1 - median(ratios)):.1f}%, target <= 10%")
        cpu_line("CPU per page while crawling:", rounds, "cpu_ms_per_page", cpu_ratios)
        nogc = [(a["cpu_ms_per_page"] - a["gc_ms_per_page"])
                / (b["cpu_ms_per_page"] - b["gc_ms_per_page"]) for b, a in rounds]
        gcs = [f"{b['full_gcs']}/{a['full_gcs']}" for b, a in rounds]
        print(f"  same, less time in GC:     ratio {median(nogc):.3f} median ({spread(nogc)})  "
              f"cost {100 * (median(nogc) - 1):+.1f}%; full collections per round, bare/archiving: "
              f"{' '.join(gcs)}")
        cpu_line("CPU per page, all processes:", rounds, "process_cpu_ms_per_page", proc_ratios)
        writer_cpu = median([a["writer_cpu_ms_per_page"] for _, a in rounds])
        if writer_cpu > 0.01:
            print(f"  of which the archive worker process: {writer_cpu:.2f} ms per page, on "
                  f"another core")
        if nulls:
            print(f"CPU, null recorder / bare:   {median(nulls):7.3f} median ({spread(nulls)})  "
                  f"what the middleware alone costs")
        print(f"unchanged refetch:           {second['rate']:7.0f} pages/s   "
              f"(revisits: {second['kinds']['revisit']}), CPU {second['cpu_ms_per_page']:.2f} "
              f"ms/page")
        print(f"bytes per unchanged refetch: {grown['*']:7.0f} B on disk: "
              f"{grown['*.warc.gz']:.0f} WARC + {grown['catalog.*']:.0f} catalog + "
              f"{grown['index.cdxj']:.0f} index; target < 1536 B")
        print(f"peak RSS, archiving:         {smaller['max_rss_mb']:7.1f} MB at N={small}, "
              f"{max(a['max_rss_mb'] for _, a in rounds):.1f} MB at N={n}")
        print(f"peak RSS, bare:              {bare_small['max_rss_mb']:7.1f} MB at N={small}, "
              f"{max(b['max_rss_mb'] for b, _ in rounds):.1f} MB at N={n}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
