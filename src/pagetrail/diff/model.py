"""What the differ returns: per channel, a list of changes; the contract for the reports.

``PageDiff.to_dict()`` is the documented JSON shape (docs/reports.md, "JSON schema") and the
change summary stored with each capture; ``PageDiff.from_dict`` reads either back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from pagetrail.diff.summary import summary_line

#: Version of the JSON shape: keys are only ever added within one version. 2: a period report's
#: ``pages`` are grouped by page (``{"url", "changes": [...]}``); a diff gained ``attempts``.
SCHEMA = 2


@dataclass
class WordOp:
    """A run of words in an edited block: ``equal``, ``insert`` or ``delete``."""

    op: str
    text: str


@dataclass
class Change:
    op: str  # "added", "removed", "edited" or "moved"
    before: str | None = None  # text before (None for added)
    after: str | None = None  # text after (None for removed)
    kind: str = ""  # block kind / ad kind / "comment" / "title" / "byline"
    index_before: int | None = None  # position in the old channel
    index_after: int | None = None  # position in the new channel
    words: list[WordOp] = field(default_factory=list)  # word-level diff for "edited"
    detail: dict = field(default_factory=dict)  # channel specifics: author, date, parent, links ...


@dataclass
class ChannelDiff:
    changed: bool = False
    changes: list[Change] = field(default_factory=list)
    count_before: int = 0
    count_after: int = 0
    truncated: str | None = None  # set when a bound cut the work short: says which bound


@dataclass
class CaptureRef:
    """Provenance of one side of a diff: where the capture lives in the archive."""

    timestamp: str  # 17-digit UTC, YYYYMMDDhhmmssSSS
    record_id: str = ""
    warc_file: str = ""
    offset: int = 0
    status: int | None = None
    digest: str = ""
    error: str | None = None  # for a fetch that got no response


@dataclass
class PageDiff:
    url: str
    from_: CaptureRef | None
    to: CaptureRef | None
    changed: bool = False
    article: ChannelDiff = field(default_factory=ChannelDiff)
    ads: ChannelDiff = field(default_factory=ChannelDiff)
    comments: ChannelDiff = field(default_factory=ChannelDiff)
    fetch_problem: str | None = None  # e.g. "HTTP 500", "captcha page": not a content change
    notes: list[str] = field(default_factory=list)  # e.g. "identical payload (revisit)"
    # Earlier attempts of the same crawl (Scrapy's retries), archived and shown as evidence of
    # this entry, never as captures of their own.
    attempts: list[CaptureRef] = field(default_factory=list)

    def channels(self) -> dict[str, ChannelDiff]:
        return {"article": self.article, "ads": self.ads, "comments": self.comments}

    def summary_line(self) -> str:
        """E.g. "article: 1 edited, 1 added; ads: 1 edited; comments: +2 -1 ~1" or "no change"."""
        return summary_line(self)

    def to_dict(self) -> dict:
        """The JSON shape: ``schema``, the one-line ``summary``, then every field."""
        return {
            "schema": SCHEMA,
            "summary": self.summary_line(),
            "url": self.url,
            "from": asdict(self.from_) if self.from_ else None,
            "to": asdict(self.to) if self.to else None,
            "changed": self.changed,
            "fetch_problem": self.fetch_problem,
            "notes": list(self.notes),
            "channels": {name: asdict(ch) for name, ch in self.channels().items()},
            "attempts": [asdict(a) for a in self.attempts],
        }

    @classmethod
    def from_dict(cls, d: dict) -> PageDiff:
        """A PageDiff from ``to_dict()``'s shape (extra keys, such as a stored summary's
        ``computed`` or a report's ``replay`` links, are ignored; missing ones take defaults)."""
        channels = d.get("channels") or {}
        return cls(url=d.get("url", ""), from_=_ref(d.get("from")), to=_ref(d.get("to")),
                   changed=bool(d.get("changed")), article=_channel(channels.get("article")),
                   ads=_channel(channels.get("ads")), comments=_channel(channels.get("comments")),
                   fetch_problem=d.get("fetch_problem"), notes=list(d.get("notes") or []),
                   attempts=[a for a in map(_ref, d.get("attempts") or []) if a])


def _known(kind: type, d: dict) -> dict:
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in d.items() if k in names}


def _ref(d: dict | None) -> CaptureRef | None:
    return CaptureRef(**_known(CaptureRef, d)) if d else None


def _channel(d: dict | None) -> ChannelDiff:
    d = d or {}
    changes = []
    for c in d.get("changes") or []:
        values = _known(Change, c)
        values["words"] = [WordOp(**_known(WordOp, w)) for w in values.get("words") or []]
        changes.append(Change(**values))
    return ChannelDiff(changed=bool(d.get("changed")), changes=changes,
                       count_before=d.get("count_before", 0), count_after=d.get("count_after", 0),
                       truncated=d.get("truncated"))
