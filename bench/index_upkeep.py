"""Index upkeep and reindex against the number of WARC files (not a test; run by hand):

    .venv/bin/python bench/index_upkeep.py [--files 500 2000 5000] [--records 2]

For each N it writes N closed WARC files (each with ``--records`` fetches: response and request
records) through ``Archive``, so every file close adds its lines to the index as a crawl's would,
then runs ``reindex`` (catalog and index rebuilt from the files alone). It prints the time per
file of both: flat figures mean linear growth (the issue measured reindex at 0.9 s, 6.4 s and
49.7 s for 500, 2,000 and 5,000 files: quadratic, because the record id map was rebuilt per
file). Also how many index runs (index.cdxj + index-*.cdxj) the incremental upkeep left behind,
and that reindex gave the same index lines. CPU time (process) is printed beside wall time: the
machine is shared, and CPU time is what other load disturbs least.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pagetrail.archive import Archive, Exchange, cdxj  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)
BODY = b"<!doctype html><html><head><title>Page</title></head><body><p>%d</p></body></html>"


def fetch(n: int) -> Exchange:
    body = BODY % n
    return Exchange(url=f"http://example.test/page{n % 997}?v={n}", method="GET",
                    request_headers=[("User-Agent", "bench")], status=200,
                    response_headers=[("Content-Type", "text/html"),
                                      ("Content-Length", str(len(body)))],
                    body=body, started=T0 + timedelta(seconds=n))


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def run(files: int, per_file: int, folder: Path) -> dict:
    n = 0
    wall, cpu = clock()
    for _ in range(files):
        # one writer per file, as one crawl per file was before streams: each close indexes
        with Archive(folder, hostname="bench") as archive:
            for _ in range(per_file):
                archive.record(fetch(n))
                n += 1
    write = (time.perf_counter() - wall, time.process_time() - cpu)
    upkept = list(cdxj.iter_index(folder))
    index_runs = len(cdxj.runs(folder))
    wall, cpu = clock()
    with Archive(folder) as archive:
        counted, records = archive.reindex()
    rebuild = (time.perf_counter() - wall, time.process_time() - cpu)
    assert counted == files, (counted, files)
    assert list(cdxj.iter_index(folder)) == upkept, "reindex gave other index lines"
    return {"files": files, "records": records, "write": write, "reindex": rebuild,
            "runs": index_runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--records", type=int, default=2, help="fetches per WARC file")
    args = parser.parse_args()
    print(f"{'files':>6} {'records':>8} {'write+upkeep s':>15} {'ms/file':>8} {'cpu ms/file':>11}"
          f" {'reindex s':>10} {'ms/file':>8} {'cpu ms/file':>11} {'index runs':>10}")
    for files in args.files:
        with tempfile.TemporaryDirectory(prefix="pagetrail-index-bench-") as tmp:
            r = run(files, args.records, Path(tmp))
        (ww, wc), (rw, rc) = r["write"], r["reindex"]
        print(f"{files:>6} {r['records']:>8} {ww:>15.1f} {1000 * ww / files:>8.2f}"
              f" {1000 * wc / files:>11.2f} {rw:>10.1f} {1000 * rw / files:>8.2f}"
              f" {1000 * rc / files:>11.2f} {r['runs']:>10}", flush=True)


if __name__ == "__main__":
    main()
