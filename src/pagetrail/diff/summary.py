"""One-line summaries of a PageDiff, for the CLI and the daemon's log."""

from __future__ import annotations

from pagetrail.diff.model import ChannelDiff, PageDiff

OP_ORDER = ("edited", "added", "removed", "moved")
FIELD_KINDS = ("title", "byline")


def channel_summary(name: str, ch: ChannelDiff) -> str:
    """E.g. "article: title edited, 1 edited, 1 added" or "comments: +2 -1 ~1"."""
    parts: list[str] = []
    if name == "comments":
        counts = {op: sum(1 for c in ch.changes if c.op == op) for op in OP_ORDER}
        signs = (("added", "+"), ("removed", "-"), ("edited", "~"))
        parts.append(" ".join(f"{sign}{counts[op]}" for op, sign in signs if counts[op]))
    else:
        fields = [c for c in ch.changes if c.kind in FIELD_KINDS and name == "article"]
        parts.extend(f"{c.kind} {c.op}" for c in fields)
        rest = [c for c in ch.changes if c not in fields]
        for op in OP_ORDER:
            n = sum(1 for c in rest if c.op == op)
            if n:
                parts.append(f"{n} {op}")
    text = f"{name}: {', '.join(p for p in parts if p)}"
    return text + (" (truncated)" if ch.truncated else "")


def summary_line(diff: PageDiff) -> str:
    """E.g. "article: 1 edited, 1 added; ads: 1 edited; comments: +2 -1 ~1", or "no change",
    or "fetch problem: HTTP 503"."""
    if diff.fetch_problem:
        return f"fetch problem: {diff.fetch_problem}"
    parts = [channel_summary(name, ch) for name, ch in diff.channels().items() if ch.changed]
    return "; ".join(parts) if parts else "no change"
