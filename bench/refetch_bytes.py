"""Bytes on disk per unchanged refetch, in total (not a test; run by hand):

    .venv/bin/python bench/refetch_bytes.py [--refetches 500]

What an unchanged page costs the archive each time the daemon refetches it: the bundled example
page is captured once, then refetched N times unchanged, each fetch going through what a daemon
crawl does with it (``Archive.record``, then the change step storing its summary), in one stream
of WARC files as the daemon writes them. Prints the growth per refetch of each part: the WARC
records (revisit, request, change summary), the catalog (row, summary JSON, their indexes; WAL
checkpointed first), the CDXJ index and the snapshot cache, and their sum. Sizes are measured
on disk, not estimated.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pagetrail.archive import Archive, Exchange  # noqa: E402
from pagetrail.archive.cdxj import runs  # noqa: E402
from pagetrail.changes import process_captures  # noqa: E402
from pagetrail.example import PAGE_PATH, render  # noqa: E402

URL = "http://127.0.0.1:8000" + PAGE_PATH
T0 = datetime(2026, 1, 1, tzinfo=UTC)
REQUEST = [("User-Agent", "pagetrail/0.1 (+https://github.com/pagetrail/pagetrail)"),
           ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
           ("Accept-Language", "en"), ("Accept-Encoding", "gzip, deflate, br, zstd")]


def fetch(n: int, body: bytes) -> Exchange:
    return Exchange(url=URL, method="GET", request_headers=list(REQUEST), status=200,
                    response_headers=[("Content-Type", "text/html; charset=utf-8"),
                                      ("Date", "Thu, 01 Jan 2026 00:00:00 GMT"),
                                      ("Server", "TwistedWeb/24.11.0"),
                                      ("Content-Length", str(len(body)))],
                    body=body, started=T0 + timedelta(seconds=10 * n), ip_address="127.0.0.1",
                    seed="example")


def sizes(folder: Path) -> dict[str, int]:
    db = sqlite3.connect(folder / "catalog.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    files = [p for p in folder.rglob("*") if p.is_file()]
    out = {
        "WARC": sum(p.stat().st_size for p in files if ".warc.gz" in p.name),
        "catalog": sum(p.stat().st_size for p in files if p.name.startswith("catalog.sqlite3")),
        "index": sum(p.stat().st_size for p in runs(folder)),
        "snapshots": sum(p.stat().st_size for p in files if "snapshots" in p.parts),
    }
    out["total"] = sum(p.stat().st_size for p in files)
    return out


def one_crawl(folder: Path, n: int, body: bytes) -> None:
    with Archive(folder, keep_open=True, hostname="bench") as archive:
        capture = archive.record(fetch(n, body))
        process_captures(archive, [], [capture])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refetches", type=int, default=500)
    args = parser.parse_args()
    body = render(0)
    with tempfile.TemporaryDirectory(prefix="pagetrail-refetch-bench-") as tmp:
        folder = Path(tmp)
        one_crawl(folder, 0, body)
        one_crawl(folder, 1, body)  # the first refetch also creates the catalog's pages
        before = sizes(folder)
        for n in range(2, 2 + args.refetches):
            one_crawl(folder, n, body)
        with Archive(folder) as archive:
            archive.finish_files()  # the daemon closes the stream when it stops: index written
            kinds = {c.kind for c in archive.captures()}
        after = sizes(folder)
    grown = {part: (after[part] - before[part]) / args.refetches for part in after}
    print(f"page: {len(body)} B, {args.refetches} unchanged refetches (capture kinds: "
          f"{', '.join(sorted(kinds))}), one WARC stream")
    print("bytes per unchanged refetch: " + ", ".join(
        f"{part} {grown[part]:.0f}" for part in ("WARC", "catalog", "index", "snapshots"))
        + f"; total on disk {grown['total']:.0f} B")


if __name__ == "__main__":
    main()
