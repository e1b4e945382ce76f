"""Compare two Snapshots channel by channel: ``diff_snapshots(old, new) -> PageDiff``."""

from pagetrail.diff.model import CaptureRef, Change, ChannelDiff, PageDiff, WordOp

__all__ = ["CaptureRef", "Change", "ChannelDiff", "PageDiff", "WordOp"]
