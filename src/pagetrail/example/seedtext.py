"""Read the vendored seed page text (``seed-page.txt``) into its parts.

The seed is the visible text of a real scraped page: a question title, the article paragraphs, an
injected "For infertility Patients:" promo, a numbered comment thread (indentation = reply depth,
lines inside a paragraph kept apart, blank lines between paragraphs) and the reply-form notes.
The example site rebuilds its HTML from these parts so the text stays byte-exact with the seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

PROMO_HEADING = "For infertility Patients:"
COMMENTS_HEADING = re.compile(r"^(\d+) thoughts on “(.*?)”?$")
COMMENT_START = re.compile(r"^( *)\d+\. (\S.*)$")
REPLY_HEADING = "Leave a Reply"


@dataclass
class SeedComment:
    author: str
    depth: int
    paragraphs: list[list[str]] = field(default_factory=list)  # paragraphs -> lines

    @property
    def text(self) -> str:
        """All lines joined by single spaces (the normalised text a segmenter should find)."""
        return " ".join(line for para in self.paragraphs for line in para)


@dataclass
class SeedPage:
    title_line: str  # as printed, e.g. "Question: How Does ... Miscarriagesc"
    paragraphs: list[str]  # the article body, verbatim
    promo_heading: str
    promo_text: str  # verbatim, ends with "Read more about it here."
    comments_count: int  # the number printed in the heading (the seed says 4, shows 3)
    comments_topic: str  # "Lupus Anticoagulant Miscarriage Symptoms"
    comments: list[SeedComment]  # in page order; depth gives the threading
    reply_heading: str
    reply_notes: str


def seed_text() -> str:
    return resources.files("pagetrail.example").joinpath("seed-page.txt").read_text("utf-8")


@lru_cache(maxsize=1)
def load_seed() -> SeedPage:
    return parse_seed(seed_text())


def parse_seed(text: str) -> SeedPage:
    lines = text.splitlines()
    title_line = lines[0].strip()
    i_promo = lines.index(PROMO_HEADING)
    paragraphs = [ln for ln in lines[1:i_promo] if ln.strip()]
    i_comments = next(i for i, ln in enumerate(lines) if COMMENTS_HEADING.match(ln))
    promo_text = " ".join(ln for ln in lines[i_promo + 1 : i_comments] if ln.strip())
    heading = COMMENTS_HEADING.match(lines[i_comments])
    assert heading is not None
    i_reply = lines.index(REPLY_HEADING)
    comments = _parse_thread(lines[i_comments + 1 : i_reply])
    notes = " ".join(ln.strip() for ln in lines[i_reply + 1 :] if ln.strip())
    return SeedPage(
        title_line=title_line,
        paragraphs=paragraphs,
        promo_heading=PROMO_HEADING,
        promo_text=promo_text,
        comments_count=int(heading.group(1)),
        comments_topic=heading.group(2),
        comments=comments,
        reply_heading=REPLY_HEADING,
        reply_notes=notes,
    )


def _parse_thread(lines: list[str]) -> list[SeedComment]:
    comments: list[SeedComment] = []
    current_para: list[str] = []
    for line in lines:
        start = COMMENT_START.match(line)
        if start:
            # Top-level items are indented by 2 spaces, each reply level by 2 more.
            depth = max(0, len(start.group(1)) // 2 - 1)
            comments.append(SeedComment(author=start.group(2).strip(), depth=depth))
            current_para = []
            continue
        if not comments:
            continue
        if not line.strip():
            current_para = []
            continue
        if not current_para:
            comments[-1].paragraphs.append(current_para)
        current_para.append(line.strip())
    return comments
