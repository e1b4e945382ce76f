"""A longer fuzz run of segment + diff than the test suite's (not a test; run by hand):

    .venv/bin/python bench/fuzz_segment.py [--pages 50000] [--seed 1]

Same generator as tests/test_segment_fuzz.py (tests/support/fuzz.py), over several seeds. Prints
the pages run, how many were refused as binary (SegmentError), every other exception with the seed
and index that reproduce it, and the time per page against segmenting the unmutated pages (the
baseline, measured in the same run).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from pagetrail.segment import segment  # noqa: E402
from tests.support.fuzz import base_pages  # noqa: E402
from tests.test_segment_fuzz import run_fuzz  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1, help="first seed; 5,000 pages per seed")
    args = parser.parse_args()
    pages = base_pages()
    started = time.process_time()
    for _ in range(20):
        for body in pages:
            segment(body, "https://example.org/post")
    base = (time.process_time() - started) / (20 * len(pages))
    done = total = 0
    failures: list[str] = []
    started = time.process_time()
    seed = args.seed
    while total < args.pages:
        count = min(5_000, args.pages - total)
        ok, failed = run_fuzz(seed, count)
        done, total, seed = done + ok, total + count, seed + 1
        failures += failed
        print(f"  {total:,} pages: {len(failures)} failures", file=sys.stderr)
    per_page = (time.process_time() - started) / total
    print(f"{total:,} mutated pages (seeds {args.seed}..{seed - 1}): {done:,} segmented and diffed, "
          f"{total - done - len(failures):,} refused as binary, {len(failures)} failures")
    print(f"CPU per mutated page {per_page * 1000:.1f} ms (segment + diff) vs {base * 1000:.1f} ms "
          f"per unmutated page (segment only): {per_page / base:.2f}x")
    for line in failures[:20]:
        print("  " + line)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
