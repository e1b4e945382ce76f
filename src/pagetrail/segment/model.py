"""The Snapshot: one capture split into its three channels (article, ads, comments) plus chrome.

These dataclasses are the contract between the segmenter, the differ and the reports. They are
plain data: ``to_dict()`` gives JSON-ready dicts and ``Snapshot.from_dict`` reads them back.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


def normalise_text(text: str) -> str:
    """Collapse all runs of white space (including NBSP) to one space and strip the ends.
    ``str.split()`` splits on exactly the 29 characters the regex ``\\s`` matches (NBSP among
    them), and is several times faster on the segmenter's many short strings."""
    return " ".join((text or "").split())


def fingerprint(text: str) -> str:
    """A stable fingerprint of a block's normalised, case-folded text (16 hex digits of sha1)."""
    return _digest(normalise_text(text))


def _digest(normalised: str) -> str:
    """fingerprint() of a text normalise_text() gave already (normalising is idempotent)."""
    return hashlib.sha1(normalised.casefold().encode("utf-8")).hexdigest()[:16]


@dataclass
class Block:
    """One unit of article body, in reading order."""

    kind: str  # heading | paragraph | list-item | quote | table-cell | code | caption
    text: str  # normalised
    level: int = 0  # heading level, list depth ...
    fingerprint: str = ""

    def __post_init__(self) -> None:
        self.text = normalise_text(self.text)
        if not self.fingerprint:
            # the text is normalised: not again (0.04 s of the comments set's 13,806 blocks)
            self.fingerprint = _digest(self.text)


@dataclass
class Article:
    title: str = ""
    byline: str | None = None
    date: str | None = None  # ISO 8601 when it could be parsed, else as printed
    blocks: list[Block] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass
class Ad:
    """Something promotional: an ad unit, an ad iframe/script, a sponsored or affiliate link, or an
    injected text-only promo block."""

    kind: str  # ad-unit | ad-frame | sponsored-link | affiliate-link | promo-text
    text: str
    links: list[str] = field(default_factory=list)
    position: str = "unknown"  # in-article | after-article | between-article-and-comments | sidebar | header | footer | in-comments | unknown
    slot: str = ""  # a stable name for where it sits (id/class path), used to match ads across captures
    reason: str = ""  # which rule or heuristic found it, for the analyst

    def __post_init__(self) -> None:
        self.text = normalise_text(self.text)


@dataclass
class Comment:
    id: str | None  # from the markup (e.g. "comment-123") when present
    author: str | None
    date: str | None
    text: str
    parent: str | None = None  # id of the comment this replies to
    permalink: str | None = None
    depth: int = 0  # 0 for top-level
    position: int = 0  # 0-based index in page order

    def __post_init__(self) -> None:
        self.text = normalise_text(self.text)


@dataclass
class Snapshot:
    url: str
    article: Article = field(default_factory=Article)
    ads: list[Ad] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # short descriptions of chrome left out
    charset: str | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. "time bound hit: ..."

    def to_dict(self) -> dict:
        d = asdict(self)
        d["article"]["text"] = self.article.text
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Snapshot:
        art = d.get("article") or {}
        return cls(
            url=d.get("url", ""),
            article=Article(
                title=art.get("title", ""),
                byline=art.get("byline"),
                date=art.get("date"),
                blocks=[Block(**b) for b in art.get("blocks", [])],
            ),
            ads=[Ad(**a) for a in d.get("ads", [])],
            comments=[Comment(**c) for c in d.get("comments", [])],
            ignored=list(d.get("ignored", [])),
            charset=d.get("charset"),
            warnings=list(d.get("warnings", [])),
        )
