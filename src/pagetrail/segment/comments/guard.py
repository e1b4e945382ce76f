"""The article's main block, found by its own markup, so that no comment step takes it: a comment
region or a comment item never holds it, whatever the region's name says and wherever the
article container was estimated. The estimate (content.py) can be wrong (a footer with more
paragraph text than a post of short lines), and a post wrapper's class can carry comment words
(``category-for-discussion``); the post's markup and headline do not move."""

from __future__ import annotations

from lxml import etree

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.candidates import is_comment_markup
from pagetrail.segment.textutil import PageAttributes


def _page_title(root: etree._Element) -> str:
    head = root.find("head")
    if head is None:
        return ""
    parts = [t.text or "" for t in head.iter("title")]
    parts += [m.get("content") or "" for m in head.iter("meta")
              if (m.get("property") or m.get("name") or "").lower() in P.TITLE_META]
    return " ".join(" ".join(parts).lower().split())


def _headlines(root: etree._Element, attributes: PageAttributes) -> list[etree._Element]:
    """The page's <h1>s whose text is (part of) the page's title: its headline, not a logo or a
    section's heading."""
    title = _page_title(root)
    if not title:
        return []
    out = []
    # the page's shared walk (PageAttributes.tagged) when the index is the page's
    for h in attributes.tagged(("h1",)) if attributes.root is root else root.iter("h1"):
        text = " ".join("".join(h.itertext()).lower().split())
        if len(text) >= P.HEADLINE_MIN_CHARS and text in title:
            out.append(h)
    return out


def _is_post(value: str) -> bool:
    return any(t in value for t in P.ARTICLE_SCHEMA_TYPES)


def article_guard(root: etree._Element, attributes: PageAttributes) -> set[etree._Element]:
    """The article's marks (post markup: hAtom's ``hentry``, WordPress's ``type-post``, schema.org
    Article/BlogPosting; the headline) and every element holding one: what no comment region
    or comment item may be. A mark that is itself comment markup, or sits in some, is a comment's."""
    marks = attributes.elements({"class": P.ARTICLE_BY_CLASS, "itemtype": _is_post, "typeof": _is_post})
    marks += _headlines(root, attributes)
    guarded: set[etree._Element] = set()
    for mark in marks:
        chain = [mark, *mark.iterancestors()]
        if any(is_comment_markup(x) for x in chain):
            continue
        guarded.update(chain)
    return guarded
