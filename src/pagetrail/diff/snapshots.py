"""``diff_snapshots(old, new) -> PageDiff``: each channel compared on its own."""

from __future__ import annotations

from pagetrail.diff.ads import diff_ads
from pagetrail.diff.article import diff_article
from pagetrail.diff.comments import diff_comments
from pagetrail.diff.fetch_problem import classify_snapshot
from pagetrail.diff.limits import DEFAULT_LIMITS, Limits
from pagetrail.diff.model import CaptureRef, PageDiff
from pagetrail.segment.model import Snapshot


def diff_snapshots(
    old: Snapshot,
    new: Snapshot,
    *,
    limits: Limits = DEFAULT_LIMITS,
    from_: CaptureRef | None = None,
    to: CaptureRef | None = None,
    fetch_problem: str | None = None,
) -> PageDiff:
    """What changed from ``old`` to ``new``, per channel. If ``fetch_problem`` is given, or the new
    snapshot is itself a problem (empty, bot wall, login page), nothing is diffed: the PageDiff
    carries the problem and ``changed`` stays False."""
    diff = PageDiff(url=new.url or old.url, from_=from_, to=to)
    problem = fetch_problem or classify_snapshot(new)
    if problem:
        diff.fetch_problem = problem
        return diff
    if classify_snapshot(old):
        diff.notes.append(f"previous capture was a fetch problem ({classify_snapshot(old)})")
    diff.article = diff_article(old.article, new.article, limits)
    diff.ads = diff_ads(old.ads, new.ads, limits)
    diff.comments = diff_comments(old.comments, new.comments, limits)
    diff.changed = any(ch.changed for ch in diff.channels().values())
    return diff
