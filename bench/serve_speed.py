"""How fast does ``pagetrail serve`` answer on a big archive? Response times of the page list and of
a page's timeline over HTTP with 1,000 pages and 100,000 summarised captures, beside two baselines
measured in the same run: the app's smallest response (``/favicon.ico``: the HTTP and framework
cost alone) and reading every stored summary once (what a list without indexes would have to do).

The catalog is synthetic: each capture gets a copy of a real stored summary (the example page's
version-3 change, ~2.4 KB of JSON) with about one capture in ten changing each channel and one in
fifty a fetch problem, and one seed per page (name and two tags). No WARC files are needed for
these screens.

    .venv/bin/python bench/serve_speed.py                          # 1,000 pages x 100 captures
    .venv/bin/python bench/serve_speed.py --pages 200 --per-page 50 --rounds 10

Target: the page list and a timeline well under a second at 100,000 captures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def template_summary(home: Path) -> dict:
    """A real stored summary: the example page's comments change, through the change pipeline."""
    from tests.support.serve_pages import build_archive

    build_archive(home / "template")
    db = sqlite3.connect(home / "template" / "catalog.sqlite3")
    row = db.execute("SELECT summary FROM captures WHERE json_extract(summary, '$.changed')"
                     " ORDER BY length(summary) DESC LIMIT 1").fetchone()
    db.close()
    return json.loads(row[0])


def build_catalog(root: Path, pages: int, per_page: int, template: dict) -> int:
    from pagetrail.archive.catalog import Catalog

    root.mkdir(parents=True)
    catalog = Catalog.open(root)
    rng = random.Random(7)
    file_id = catalog.file_id("pagetrail-bench.warc.gz")
    rows = []
    for p in range(pages):
        url = f"http://site{p % 97}.example/{p}/post/"
        for i in range(per_page):
            ts = f"2026{1 + i // 28 % 12:02d}{1 + i % 28:02d}{p % 24:02d}{p // 24 % 60:02d}00{p % 1000:03d}"
            s = dict(template, url=url)
            s["channels"] = {ch: dict(v, changed=rng.random() < 0.1) for ch, v in template["channels"].items()}
            s["changed"] = any(v["changed"] for v in s["channels"].values())
            s["fetch_problem"] = "HTTP 503" if rng.random() < 0.02 else None
            rows.append((url, ts, 200, "response", "sha1:BENCH", f"<urn:uuid:{p}-{i}>", file_id,
                         i * 10_000, 9_000, f"seed-{p}", json.dumps(s, sort_keys=True)))
    catalog.db.execute("BEGIN")
    catalog.db.executemany(
        "INSERT INTO captures (url, timestamp, status, kind, digest, record_id, file_id, offset,"
        " length, seed, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    catalog.db.execute("COMMIT")
    catalog.close()
    return len(rows)


def write_seeds(path: Path, pages: int) -> Path:
    """One seed per page, with a name and two tags each (the list shows them and filters by tag)."""
    lines = []
    for p in range(pages):
        lines += ["[[seed]]", f'url = "http://site{p % 97}.example/{p}/post/"', 'schedule = "6h"',
                  f'name = "page-{p}"', f'tags = ["topic-{p % 10}", "site-{p % 97}"]', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def start_serve(archive: Path, seeds: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "pagetrail", "serve", "--archive", str(archive),
                             "--seeds", str(seeds), "--port", "0", "--no-replay"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    line = proc.stdout.readline()
    if " at http" not in line:
        proc.kill()
        raise SystemExit(f"serve did not start: {line}{proc.stdout.read()}")
    return proc, line.split(" at ", 1)[1].strip()


def touch(catalog: Path) -> None:
    """A commit to the catalog, as a crawl's would be: the app's cached page list is then stale."""
    db = sqlite3.connect(catalog)
    db.execute("UPDATE captures SET summary = summary WHERE id = 1")
    db.commit()
    db.close()


def timed(url: str, rounds: int, before=None) -> list[float]:  # noqa: ANN001
    times = []
    for _ in range(rounds):
        if before:
            before()
        t0 = time.perf_counter()
        with urllib.request.urlopen(url) as resp:
            resp.read()
        times.append(time.perf_counter() - t0)
    return times


def scan_every_summary(catalog: Path) -> float:
    t0 = time.perf_counter()
    db = sqlite3.connect(catalog)
    for (text,) in db.execute("SELECT summary FROM captures WHERE summary IS NOT NULL"):
        json.loads(text)
    db.close()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--per-page", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        home = Path(tmp)
        t0 = time.perf_counter()
        n = build_catalog(home / "archive", args.pages, args.per_page, template_summary(home))
        size = (home / "archive" / "catalog.sqlite3").stat().st_size
        print(f"catalog: {args.pages} pages, {n} summarised captures, {size / 1e6:.0f} MB "
              f"(built in {time.perf_counter() - t0:.1f}s)")
        t0 = time.perf_counter()
        proc, base = start_serve(home / "archive", write_seeds(home / "seeds.toml", args.pages))
        print(f"serve started in {time.perf_counter() - t0:.1f}s (opening adds the indexes once)")
        try:
            page = quote("http://site3.example/3/post/")
            catalog = home / "archive" / "catalog.sqlite3"
            cases = [
                ("baseline: /favicon.ico", "favicon.ico"),
                ("page list, after a crawl wrote (no cache)", "?fresh"),
                ("page list, newest change first", ""),
                ("page list, page 10", "?page=10"),
                ("page list, ads changed in March", "?channel=ads&since=2026-03-01&until=2026-03-31"),
                ("page list, text filter", "?q=site42"),
                ("page list, tag filter", "?tag=topic-3"),
                ("timeline (100 of its captures)", f"page?url={page}"),
                ("comparison from the stored summary", "compare?b=301"),
                ("Atom feed of one page", f"feed.atom?url={page}"),
            ]
            timed(base, 2)  # warm the connection pool, the templates and SQLite's page cache
            results = {}
            print(f"\n{'request':42} {'median':>9} {'p95':>9} {'x baseline':>11}")
            for label, path in cases:
                fresh = path == "?fresh"
                times = sorted(timed(base + ("" if fresh else path), args.rounds,
                                     (lambda: touch(catalog)) if fresh else None))
                med, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
                results[label] = med
                ratio = med / results["baseline: /favicon.ico"]
                print(f"{label:42} {med * 1000:7.1f}ms {p95 * 1000:7.1f}ms {ratio:10.1f}x")
            scan = scan_every_summary(catalog)
            print(f"\nbaseline: reading every stored summary once: {scan * 1000:.0f}ms; the page "
                  f"list takes {results['page list, after a crawl wrote (no cache)'] / scan:.3f}x of that "
                  "when the catalog has just changed")
        finally:
            proc.terminate()
            proc.wait()
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"serve process CPU: {cpu.ru_utime + cpu.ru_stime:.1f}s")


if __name__ == "__main__":
    main()
