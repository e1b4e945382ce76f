"""No byte sequence crashes segmentation or the diff: thousands of mutated pages (control bytes,
character references lxml cannot hold, deep nesting, broken markup and charsets), each segmented
and diffed against the one before. A body that is not text may raise SegmentError (one line);
anything else is a bug; a tenth of the diffs also go through the Atom feed, which must stay valid
XML. A longer run: bench/fuzz_segment.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pagetrail.diff import diff_snapshots
from pagetrail.diff.model import CaptureRef
from pagetrail.report import ReportDoc, render
from pagetrail.segment import segment
from pagetrail.segment.decode import SegmentError
from tests.support.fuzz import mutants


def run_fuzz(seed: int, count: int) -> tuple[int, list[str]]:
    """How many mutants segmented, and the failures (seed, index, exception)."""
    failures, done, previous = [], 0, None
    for i, body, ctype in mutants(seed, count):
        try:
            snap = segment(body, "https://example.org/post", content_type=ctype)
            if previous is not None:
                pd = diff_snapshots(previous, snap)
                if i % 10 == 0:  # and a tenth of them through the feed: still valid XML
                    pd.url = "https://example.org/post"
                    pd.to = CaptureRef(timestamp=f"2026120611{i % 60:02d}00000", record_id="<urn:x>")
                    ET.fromstring(render("atom", ReportDoc("report", "fuzz", [pd])).encode())
            previous = snap
            done += 1
        except SegmentError as exc:
            if "\n" in str(exc):
                failures.append(f"seed {seed} #{i}: SegmentError over several lines")
        except Exception as exc:  # noqa: BLE001 - every other exception is the finding
            failures.append(f"seed {seed} #{i}: {type(exc).__name__}: {exc}")
    return done, failures


def test_mutated_pages_never_crash_segment_or_diff():
    done, failures = run_fuzz(seed=12, count=1500)
    assert not failures, "\n".join(failures[:10])
    assert done > 1000  # most mutants are still pages, not binary

