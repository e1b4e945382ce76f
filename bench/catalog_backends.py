"""The catalog in PostgreSQL against SQLite, same run: captures written per second by one writer and
by several writer processes at once, and the read queries the commands and the page list use.

SQLite (the embedded default) is the baseline; PostgreSQL runs on loopback (Debian's server,
started in a temporary folder as tests/support/postgres.py does, fsync off as in the tests, so
this compares the catalogs' work, not two disks). Each writer records ``--captures`` fetches of
small pages into its own WARC files, as crawl children do.

    python bench/catalog_backends.py [--captures 2000] [--writers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from pagetrail.archive import Archive, pages  # noqa: E402
from pagetrail.archive.catalogconnect import connect  # noqa: E402
from tests.support.postgres import start_postgres  # noqa: E402
from tests.support.warcs import PAGE_HTML, exchange, later  # noqa: E402


def write(folder: str, catalog: str | None, captures: int, tag: str) -> None:
    with Archive(folder, catalog=catalog, hostname=tag) as archive:
        for i in range(captures):
            body = PAGE_HTML + (b"v%d" % (i // 7))  # a new version now and then, revisits between
            archive.record(exchange(f"http://example.test/{tag}/p{i % 50}", body=body,
                                    at=later(i // 50)))


def timed_writers(folder: Path, catalog: str | None, captures: int, writers: int) -> float:
    """Captures per second with ``writers`` processes at once."""
    started = time.perf_counter()
    procs = [multiprocessing.Process(target=write, args=(str(folder), catalog, captures, f"w{n}"))
             for n in range(writers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
        if proc.exitcode:
            raise SystemExit(f"a writer failed (exit {proc.exitcode})")
    return captures * writers / (time.perf_counter() - started)


def timed_reads(folder: Path, catalog: str | None, rounds: int = 20) -> float:
    """Milliseconds per round of the read side: every capture listed, one page's lookups, the
    page list and one timeline."""
    archive = Archive.existing(folder, catalog=catalog)
    db = connect(folder, catalog, read_only=True)
    try:
        started = time.perf_counter()
        for _ in range(rounds):
            archive.captures()
            archive.previous("http://example.test/w0/p7")
            archive.captures("http://example.test/w0/p7")
            pages.page_rows(db)
            pages.timeline(db, "http://example.test/w0/p7")
        return (time.perf_counter() - started) * 1000 / rounds
    finally:
        db.close()
        archive.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captures", type=int, default=2000, help="per writer (default 2000)")
    parser.add_argument("--writers", type=int, default=2, help="writer processes at once (default 2)")
    args = parser.parse_args()
    server = start_postgres()
    pg = next(server)
    try:
        results = {}
        with tempfile.TemporaryDirectory(prefix="pagetrail-catalog-bench-") as tmp:
            for name, catalog in (("sqlite", None), ("postgresql", None)):
                if name == "postgresql":
                    catalog = pg.fresh_database()
                one = timed_writers(Path(tmp) / f"{name}-1", catalog, args.captures, 1)
                many = timed_writers(Path(tmp) / f"{name}-n", catalog + "?namespace=many"
                                     if catalog else None, args.captures, args.writers)
                reads = timed_reads(Path(tmp) / f"{name}-1", catalog)
                results[name] = (one, many, reads)
                print(f"{name:>10}: 1 writer {one:7.0f} captures/s, {args.writers} writers "
                      f"{many:7.0f} captures/s, reads {reads:6.1f} ms/round")
        (s1, sn, sr), (p1, pn, pr) = results["sqlite"], results["postgresql"]
        print(f"postgresql / sqlite: 1 writer {p1 / s1:.2f}x, {args.writers} writers "
              f"{pn / sn:.2f}x throughput; reads {pr / sr:.2f}x the time")
    finally:
        for _ in server:
            pass


if __name__ == "__main__":
    main()
