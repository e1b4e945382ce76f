"""What every report format shares: the document being rendered, timestamps, replay links, labels,
word-level diffs and the one-line summary of a PageDiff."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pagetrail.diff.model import SCHEMA, Change, PageDiff, WordOp  # noqa: F401 - SCHEMA re-exported
from pagetrail.diff.summary import channel_summary, summary_line  # noqa: F401 - re-exported for the formats

#: Where a pywb-style replay server answers: ``BASE/TIMESTAMP14/URL``. ``pagetrail`` is the
#: collection name; override with ``--replay-base`` or ``PAGETRAIL_REPLAY_BASE``.
DEFAULT_REPLAY_BASE = "http://localhost:8080/pagetrail"

CHANNEL_TITLES = {"article": "Article", "ads": "Ads and promotions", "comments": "Comments"}


@dataclass
class ReportOptions:
    color: bool = False
    replay_base: str = DEFAULT_REPLAY_BASE


@dataclass
class ReportDoc:
    """What a report shows: one diff, one page's history, or the changes across seeds in a period.

    ``items`` are PageDiffs in display order; for a history each is one capture against the capture
    before it (``labels`` may carry a per-item note such as the capture kind).
    """

    mode: str  # "diff" | "history" | "report"
    title: str
    items: list[PageDiff]
    url: str | None = None
    since: str | None = None
    generated: datetime = field(default_factory=lambda: datetime.now(UTC))
    options: ReportOptions = field(default_factory=ReportOptions)
    # PNG screenshots of rendered captures, by the page capture's record id (CaptureRef.record_id)
    screenshots: dict[str, bytes] = field(default_factory=dict)


# Characters an archived page can use against whoever reads the report: control characters
# (terminal escape sequences, bytes that make the Atom feed invalid XML) and the bidi
# embedding, override and isolate controls (U+202E shows "txt.exe" as "exe.txt").
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str | None) -> str:
    """``text`` safe to show: control characters (all but tab and newline) become U+FFFD and
    bidi controls are spelt out (``[U+202E]``), so archived text can neither send escape
    sequences, break XML, nor reorder the report around it."""
    text = _UNSAFE.sub("\ufffd", text or "")
    return _BIDI.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)


def replay_base_default() -> str:
    return os.environ.get("PAGETRAIL_REPLAY_BASE") or DEFAULT_REPLAY_BASE


def replay_url(base: str, timestamp: str, url: str) -> str:
    """``http://localhost:8080/COLL/20261125101500/http://example.com/`` (14-digit timestamp)."""
    return f"{base.rstrip('/')}/{timestamp[:14]}/{url}"


def is_web_url(url: str | None) -> bool:
    """Only http(s) URLs may become links in a report (never ``javascript:`` or ``data:``)."""
    return bool(url) and urlsplit(url.strip()).scheme.lower() in ("http", "https")


def parse_timestamp(ts: str) -> datetime:
    """A 14- to 17-digit archive timestamp as an aware UTC datetime."""
    digits = (ts or "").ljust(17, "0")[:17]
    base = datetime.strptime(digits[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return base.replace(microsecond=int(digits[14:17]) * 1000)


def format_timestamp(ts: str | None) -> str:
    """``2026-11-25 10:15:00 UTC`` (milliseconds shown only when not zero)."""
    if not ts:
        return "?"
    try:
        when = parse_timestamp(ts)
    except ValueError:
        return ts
    text = when.strftime("%Y-%m-%d %H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond // 1000:03d}"
    return text + " UTC"


def iso_timestamp(ts: str) -> str:
    return parse_timestamp(ts).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def where(ref) -> str:  # noqa: ANN001 - CaptureRef
    """``FILE:OFFSET`` of a capture, for citing it."""
    if not ref or not ref.warc_file:
        return "not in a WARC file"
    return f"{ref.warc_file}:{ref.offset}"


def word_ops(change: Change) -> list[WordOp]:
    """The word-level diff of an edited change: the differ's when it gave one, else computed
    with the differ's own word diff (summaries stored by older versions may lack it)."""
    if change.words:
        return list(change.words)
    from pagetrail.diff.words import word_diff

    return word_diff(change.before or "", change.after or "")


def shorten(text: str | None, limit: int = 240) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def elide_equal(text: str, keep: int = 8) -> str:
    """Long unchanged runs inside a word diff keep only their ends, so an edit stays readable."""
    words = text.split()
    if len(words) <= 2 * keep + 2:
        return text
    return " ".join(words[:keep]) + " … " + " ".join(words[-keep:])


def change_label(channel: str, change: Change) -> str:
    """``paragraph #3``, ``comment by Alice (reply to c-12)``, ``affiliate-link in sidebar`` ..."""
    kind = change.kind or {"article": "block", "ads": "ad", "comments": "comment"}[channel]
    detail = change.detail or {}
    parts = [kind]
    index = change.index_after if change.index_after is not None else change.index_before
    if channel == "article" and index is not None and kind not in ("title", "byline", "date"):
        if change.op == "moved" and change.index_before is not None:
            parts.append(f"#{change.index_before + 1} → #{(change.index_after or 0) + 1}")
        else:
            parts.append(f"#{index + 1}")
    if channel == "comments":
        if detail.get("author"):
            parts.append(f"by {detail['author']}")
        if detail.get("date"):
            parts.append(f"({detail['date']})")
        if detail.get("parent"):
            parts.append(f"reply to {detail['parent']}")
    if channel == "ads" and detail.get("position"):
        parts.append(f"({detail['position']})")
    return " ".join(str(p) for p in parts)


def link_changes(change: Change) -> tuple[list[str], list[str]]:
    """(links before, links after) of an ad change, when the differ recorded them."""
    detail = change.detail or {}
    before = detail.get("links_before") or (detail.get("links") if change.op == "removed" else None) or []
    after = detail.get("links_after") or (detail.get("links") if change.op != "removed" else None) or []
    return [str(x) for x in before], [str(x) for x in after]




def attempts_line(pd: PageDiff) -> str | None:
    """``after 2 retries in the same crawl: 2026-11-20 06:00:01 HTTP 500; ...``: the earlier
    attempts of the crawl an entry stands for (evidence, not entries), or None."""
    if not pd.attempts:
        return None
    tries = "; ".join(f"{format_timestamp(a.timestamp)} {a.error or f'HTTP {a.status}'}" for a in pd.attempts)
    n = len(pd.attempts)
    return f"after {n} retr{'y' if n == 1 else 'ies'} in the same crawl: {tries}"
