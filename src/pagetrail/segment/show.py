"""A Snapshot for people and programs: the JSON record of ``pagetrail segment`` and its text view
(article blocks, ads with kind/position/links, comment threads indented by depth)."""

from __future__ import annotations

import textwrap

from pagetrail.segment.model import Snapshot

_BLOCK_PREFIX = {"quote": "> "}


def as_record(source: str, snap: Snapshot) -> dict:
    """The JSON shape of one segmented input (one jsonl line)."""
    d = snap.to_dict()
    return {
        "source": source,
        "url": snap.url,
        "article": {"title": snap.article.title, "byline": snap.article.byline, "date": snap.article.date,
                    "text": snap.article.text, "blocks": d["article"]["blocks"]},
        "ads": d["ads"],
        "comments": d["comments"],
        "ignored": snap.ignored,
        "charset": snap.charset,
        "warnings": snap.warnings,
    }


def _prefix(kind: str, level: int) -> str:
    if kind == "heading":
        return "#" * max(1, level) + " "
    if kind == "list-item":
        return "  " * max(0, level - 1) + "- "
    return _BLOCK_PREFIX.get(kind, "")


def as_text(source: str, snap: Snapshot, width: int = 100) -> str:
    """The readable sections of one segmented input."""
    out = [f"=== {source}"]
    art = snap.article
    meta = " | ".join(x for x in (art.byline, art.date) if x)
    out.append(f"ARTICLE: {art.title or '(no title)'}" + (f"  [{meta}]" if meta else ""))
    for b in art.blocks:
        prefix = _prefix(b.kind, b.level)
        out.append(textwrap.fill(prefix + b.text, width, subsequent_indent=" " * len(prefix)))
    out.append(f"\nADS ({len(snap.ads)}):")
    for ad in snap.ads:
        out.append(f"  [{ad.kind}, {ad.position}] {ad.text[:200] or '(no text)'}")
        out.extend(f"      -> {link}" for link in ad.links[:5])
        out.append(f"      why: {ad.reason}; slot: {ad.slot}")
    out.append(f"\nCOMMENTS ({len(snap.comments)}):")
    for c in snap.comments:
        pad = "    " * c.depth
        head = " ".join(x for x in (c.author or "(anonymous)", f"({c.date})" if c.date else "",
                                    f"#{c.id}" if c.id else "") if x)
        out.append(f"{pad}* {head}" + (f" reply to {c.parent}" if c.parent else ""))
        out.append(textwrap.fill(c.text, width, initial_indent=pad + "  ", subsequent_indent=pad + "  "))
    if snap.warnings:
        out.append("\nWARNINGS: " + "; ".join(snap.warnings))
    return "\n".join(out) + "\n"
