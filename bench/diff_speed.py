"""How fast is a change report? Pairs per second for pagetrail's segment+diff on real pages, beside
difflib over the whole page text and trafilatura-extract + difflib, in the same run; and the time of
``history`` over 1,000 stored captures of one page.

Each real page (Zyte article benchmark, ../shared/eval/articles) is paired with a lightly mutated
copy: one paragraph edited and one reader comment added.

    .venv/bin/python bench/diff_speed.py                 # 60 pages, 1,000-capture history
    .venv/bin/python bench/diff_speed.py --pages 181 --captures 2000

Target: a diff of two ~100 KB captures in under 2x the time trafilatura takes to extract one of
them; ``history`` over 1,000 captures within a second or two.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import re
import statistics
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_SRC = Path("/work/shared/eval/articles/html.tar.gz")
EVAL_DIR = ROOT / ".cache" / "eval"
PARAGRAPH = re.compile(rb"(<p[^>]*>)([^<]{80,}?)(</p>)", re.I)
COMMENT = (b'<section id="comments"><h2>1 thought on this</h2><ol class="commentlist">'
           b'<li id="comment-90210" class="comment"><article class="comment-body">'
           b'<footer class="comment-meta"><span class="fn">Bench Reader</span> '
           b'<time datetime="2026-11-25T10:00:00Z">November 25, 2026</time></footer>'
           b'<div class="comment-content"><p>A new reader comment added by the benchmark, long enough '
           b"to count as a real comment rather than chrome.</p></div></article></li></ol></section>")


def pages(limit: int) -> list[bytes]:
    html = EVAL_DIR / "html"
    if not html.is_dir():
        EVAL_DIR.mkdir(parents=True, exist_ok=True)
        with tarfile.open(EVAL_SRC) as tar:
            tar.extractall(EVAL_DIR, filter="data")
    files = sorted(html.glob("*.html.gz"))[:limit]
    return [gzip.decompress(f.read_bytes()) for f in files]


def mutate(page: bytes) -> bytes:
    """Edit one paragraph (a few words changed) and add a reader comment before </body>."""
    matches = list(PARAGRAPH.finditer(page))
    if matches:
        m = matches[len(matches) // 2]
        words = m.group(2).split(b" ")
        words[len(words) // 2] = b"EDITED-BY-BENCH"
        page = page[: m.start(2)] + b" ".join(words) + b" and one more sentence." + page[m.end(2):]
    at = page.lower().rfind(b"</body>")
    return page[:at] + COMMENT + page[at:] if at >= 0 else page + COMMENT


def page_text(page: bytes) -> str:
    import lxml.html

    try:
        return lxml.html.fromstring(page).text_content()
    except Exception:  # noqa: BLE001 - an unparsable page counts as empty text
        return ""


def timed(fn, *args):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def bench_pairs(limit: int) -> dict:
    import trafilatura

    from pagetrail.diff import diff_snapshots
    from pagetrail.segment import Snapshot, segment

    url = "http://example.com/article"
    rows = []
    extract = lambda a: trafilatura.extract(a, include_comments=True)  # noqa: E731
    for i, page in enumerate(pages(limit)):
        changed = mutate(page)
        # The first to touch a page pays for bringing it into the CPU's caches: on every other
        # page trafilatura's extraction goes first.
        if i % 2:
            t_extract, _ = timed(extract, page)
        t_seg_old, snap_old = timed(segment, page, url)
        t_seg_new, snap_new = timed(segment, changed, url)
        t_diff, _ = timed(diff_snapshots, snap_old, snap_new)
        t_ours = t_seg_old + t_seg_new + t_diff
        cached = (json.dumps(snap_old.to_dict()), json.dumps(snap_new.to_dict()))
        t_cached, _ = timed(lambda a, b: diff_snapshots(Snapshot.from_dict(json.loads(a)),
                                                        Snapshot.from_dict(json.loads(b))), *cached)
        t_plain, _ = timed(lambda a, b: list(difflib.unified_diff(
            page_text(a).splitlines(), page_text(b).splitlines(), lineterm="")), page, changed)
        if not i % 2:
            t_extract, _ = timed(extract, page)
        t_traf, _ = timed(lambda a, b: list(difflib.unified_diff(
            (trafilatura.extract(a, include_comments=True) or "").splitlines(),
            (trafilatura.extract(b, include_comments=True) or "").splitlines(), lineterm="")),
            page, changed)
        rows.append((len(page), t_ours, t_plain, t_traf, t_extract, t_seg_new + t_diff, t_cached))
    return {"rows": rows}


def report_pairs(rows: list[tuple]) -> None:
    n = len(rows)
    total = [sum(r[i] for r in rows) for i in range(1, 7)]
    print(f"pairs: {n} real pages + mutated copy (edit a paragraph, add a comment), "
          f"median size {statistics.median(r[0] for r in rows) / 1000:.0f} KB")
    names = ["pagetrail segment x2 + diff", "pagetrail segment + diff", "pagetrail cached: load + diff",
             "difflib over page text", "trafilatura x2 + difflib"]
    for name, t in zip(names, [total[0], total[4], total[5], total[1], total[2]], strict=True):
        print(f"  {name:<30} {n / t:8.1f} pairs/s  {1000 * t / n:8.1f} ms/pair")
    print(f"  {'trafilatura extract (one)':<30} {n / total[3]:8.1f} pages/s  {1000 * total[3] / n:8.1f} ms/page")
    print("  (cold: neither side parsed before; 'segment + diff': the pipeline's cost per new capture,")
    print("   the previous Snapshot cached; 'cached': a report on two stored captures, both Snapshots")
    print("   read back from the JSON cache and diffed)")
    print(f"  ratio cold pair / difflib:                 {total[0] / total[1]:.1f}x")
    print(f"  ratio cold pair / trafilatura x2+difflib:  {total[0] / total[2]:.2f}x")
    print(f"  ratio cold pair / trafilatura one:         {total[0] / total[3]:.2f}x  (target < 2)")
    print(f"  ratio pipeline  / trafilatura one:         {total[4] / total[3]:.2f}x  (target < 2)")
    print(f"  ratio cached    / trafilatura one:         {total[5] / total[3]:.2f}x  (target < 2)")
    near = [r for r in rows if 70_000 <= r[0] <= 140_000]
    if near:
        one = statistics.median(r[4] for r in near)
        cold = statistics.median(r[1] for r in near)
        warm = statistics.median(r[5] for r in near)
        hot = statistics.median(r[6] for r in near)
        print(f"  ~100 KB pages (70-140 KB, {len(near)}): median trafilatura one page {1000 * one:.1f} ms; "
              f"cold pair {1000 * cold:.1f} ms ({cold / one:.2f}x); pipeline {1000 * warm:.1f} ms "
              f"({warm / one:.2f}x); cached {1000 * hot:.1f} ms ({hot / one:.2f}x)")


def bench_history(count: int) -> None:
    from pagetrail.archive import Archive, Exchange
    from pagetrail.changes import history
    from pagetrail.diff.model import CaptureRef, Change, ChannelDiff, PageDiff
    from pagetrail.report import ReportDoc, render
    from pagetrail.report.jsonreport import diff_dict

    url = "http://example.com/busy-page"
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp, Archive(Path(tmp) / "archive") as archive:
        start = time.perf_counter()
        previous = None
        for i in range(count):
            body = f"<html><body><article><p>Version {i // 3}</p></article></body></html>".encode()
            c = archive.record(Exchange(url, "GET", [], 200, [("Content-Type", "text/html")], body,
                                        t0 + timedelta(minutes=10 * i), seed="busy", seed_url=url))
            ref = CaptureRef(c.timestamp, c.record_id or "", c.warc_file or "", c.offset or 0, 200, c.digest or "")
            if c.kind == "revisit" or previous is None:
                pd = PageDiff(url, previous, ref, notes=["identical payload (revisit)"])
            else:
                ch = ChannelDiff(True, [Change("edited", f"Version {i // 3 - 1}", f"Version {i // 3}",
                                               "paragraph", 0, 0)], 1, 1)
                pd = PageDiff(url, previous, ref, changed=True, article=ch)
            archive.set_summary(c.id, diff_dict(pd))
            previous = ref
        build = time.perf_counter() - start
        for fmt in ("text", "html", "json"):
            start = time.perf_counter()
            entries = history(archive, url)
            from pagetrail.changes import pagediff_from_summary

            doc = ReportDoc("history", "bench", [pagediff_from_summary(s) for _c, s in entries], url=url)
            out = render(fmt, doc)
            took = time.perf_counter() - start
            print(f"history over {len(entries)} stored captures + {fmt} report ({len(out) // 1000} KB): "
                  f"{took:.2f} s  (target: a second or two)")
        print(f"  (building the {count}-capture archive took {build:.1f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=60, help="real pages to pair (default 60, max 181)")
    parser.add_argument("--captures", type=int, default=1000, help="captures for the history timing")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    report_pairs(bench_pairs(args.pages)["rows"])
    bench_history(args.captures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
