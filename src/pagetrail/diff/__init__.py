"""Compare two Snapshots channel by channel: ``diff_snapshots(old, new) -> PageDiff``."""

from pagetrail.diff.fetch_problem import classify_fetch, classify_snapshot
from pagetrail.diff.limits import DEFAULT_LIMITS, Limits
from pagetrail.diff.model import SCHEMA, CaptureRef, Change, ChannelDiff, PageDiff, WordOp
from pagetrail.diff.snapshots import diff_snapshots
from pagetrail.diff.summary import channel_summary, summary_line

__all__ = [
    "DEFAULT_LIMITS", "SCHEMA", "CaptureRef", "Change", "ChannelDiff", "Limits", "PageDiff", "WordOp",
    "channel_summary", "classify_fetch", "classify_snapshot", "diff_snapshots", "summary_line",
]
