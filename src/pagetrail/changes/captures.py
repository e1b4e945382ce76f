"""Which captures make a page's timeline, and what each says about itself before any parsing:
a seed page's capture (not a redirect hop, requisite or robots.txt), which try of its crawl it
was, whether its body is whole, and where it lives (``CaptureRef``)."""

from __future__ import annotations

from collections.abc import Sequence

from pagetrail.archive.model import Capture
from pagetrail.diff.model import CaptureRef

PAGE_KINDS = ("response", "revisit", "failed")
TRUNCATION_WORDS = {
    "length": "cut at the size limit", "time": "cut at the time limit",
    "disconnect": "connection closed mid-body",
}


def capture_ref(capture: Capture) -> CaptureRef:
    """Where a capture lives, for the provenance of a diff."""
    return CaptureRef(
        timestamp=capture.timestamp,
        record_id=capture.record_id or "",
        warc_file=capture.warc_file or "",
        offset=capture.offset or 0,
        status=capture.status,
        digest=capture.digest or "",
        error=capture.error,
    )


def is_page_capture(capture: Capture) -> bool:
    """A capture of a seed page itself (not a redirect hop, a requisite or robots.txt). The archive
    records a role only when it is not "page"."""
    return capture.kind in PAGE_KINDS and (capture.extra or {}).get("role", "page") == "page"


def truncation_problem(capture: Capture) -> str | None:
    """A capture whose body is not whole (WARC-Truncated) is a fetch problem: diffing part of a
    page against the whole of it would report the rest as removed, then added again."""
    reason = (capture.extra or {}).get("truncated")
    if not reason:
        return None
    return f"truncated capture ({TRUNCATION_WORDS.get(reason, reason)})"


def attempt_of(capture: Capture) -> int:
    """Which try of its request in one crawl a capture was (1, or 2, 3 ... for retries)."""
    try:
        return int((capture.extra or {}).get("attempt", 1))
    except (TypeError, ValueError):
        return 1


def crawl_entries(captures: Sequence[Capture]) -> list[tuple[Capture, list[Capture]]]:
    """One page's captures (oldest first) as one entry per crawl: its last attempt, with the
    earlier attempts it retried (a 500 or a refused connection that Scrapy tried again)."""
    entries: list[tuple[Capture, list[Capture]]] = []
    for capture in captures:
        n = attempt_of(capture)
        if n > 1 and entries and attempt_of(entries[-1][0]) == n - 1:
            last, earlier = entries[-1]
            entries[-1] = (capture, [*earlier, last])
        else:
            entries.append((capture, []))
    return entries
