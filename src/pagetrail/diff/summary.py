"""One-line summaries of a PageDiff: the single wording used by the CLI, the reports, the stored
summaries and the daemon's log, so an analyst reads the same sentence everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model.py imports this module: the types are for annotations only
    from pagetrail.diff.model import ChannelDiff, PageDiff

OP_ORDER = ("edited", "added", "removed", "moved")
FIELD_KINDS = ("title", "byline")
FIRST_CAPTURE = "first capture"


def channel_summary(name: str, ch: ChannelDiff) -> str:
    """E.g. ``article: title edited, 1 edited, 1 added`` or ``comments: 2 added (3 → 5)``."""
    fields = [c for c in ch.changes if name == "article" and c.kind in FIELD_KINDS]
    parts = [f"{c.kind} {c.op}" for c in fields]
    field_ids = {id(c) for c in fields}
    rest = [c for c in ch.changes if id(c) not in field_ids]
    for op in OP_ORDER:
        n = sum(1 for c in rest if c.op == op)
        if n:
            parts.append(f"{n} {op}")
    text = ", ".join(parts) or "changed"
    if name == "comments" and ch.count_before != ch.count_after:
        text += f" ({ch.count_before} → {ch.count_after})"
    if ch.truncated:
        text += " (truncated)"
    return f"{name}: {text}"


def summary_line(diff: PageDiff) -> str:
    """``article: 1 edited, 1 added; ads: 1 edited; comments: 1 removed (6 → 5)``, ``no change``,
    ``no change: identical payload (revisit)``, ``no change: not modified (HTTP 304)``, ``first
    capture`` or ``fetch problem: HTTP 503``."""
    if diff.fetch_problem:
        return f"fetch problem: {diff.fetch_problem}"
    if FIRST_CAPTURE in diff.notes:
        return FIRST_CAPTURE
    parts = [channel_summary(name, ch) for name, ch in diff.channels().items() if ch.changed]
    if parts:
        return "; ".join(parts)
    why = next((n for n in diff.notes if n.startswith(("identical", "not modified"))), "")
    return f"no change: {why}" if why else "no change"
