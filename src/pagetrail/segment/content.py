"""Where the article sits, estimated before anything is removed: the element whose direct
paragraphs hold the most text (paragraph text scores its parent fully and its grandparent by
half). Ads and comments use it to tell "in the article" from "after it" and to never remove it."""

from __future__ import annotations

from lxml import etree

from pagetrail.segment.textutil import attrs

#: Element kinds whose text counts as paragraph text.
PARA_TAGS = ("p", "pre", "blockquote", "h2", "h3", "li")
_NOT_CONTENT = ("comment", "sidebar", "widget", "footer", "nav", "menu")


def content_root(root: etree._Element) -> etree._Element | None:
    scores: dict[etree._Element, float] = {}
    for p in root.iter(*PARA_TAGS):
        n = len((p.text_content() or "").strip())
        if n < 25:
            continue
        score = 1 + min(n, 300) / 100 if p.tag != "li" else min(n, 300) / 300
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + score / 2
    best, best_score = None, 0.0
    for el, score in scores.items():
        a = attrs(el).lower()
        if any(t in a for t in _NOT_CONTENT) and "content" not in a:
            score *= 0.2
        if el.tag in ("article", "main") or "article" in a or "entry" in a or "post-body" in a or "story" in a:
            score *= 1.3
        if score > best_score:
            best, best_score = el, score
    return best
