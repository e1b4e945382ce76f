"""Where the article sits, estimated before anything is removed: the element whose direct
paragraphs hold the most text (paragraph text scores its parent fully and its grandparent by
half). Ads and comments use it to tell "in the article" from "after it" and to never remove it."""

from __future__ import annotations

import functools

from lxml import etree

from pagetrail.segment import patterns_article as D
from pagetrail.segment.comments.patterns import ITEM_CLASS, ITEM_ID, REGION
from pagetrail.segment.textutil import any_of, attrs, raw_text


def _in_comments(el: etree._Element, memo: dict[etree._Element, bool]) -> bool:
    """True when a paragraph sits in a comment or comment list (memoised per ancestor)."""
    chain = []
    node = el.getparent()
    result = False
    while node is not None and node.tag not in ("body", "html"):
        if node in memo:
            result = memo[node]
            break
        chain.append(node)
        ident, cls = node.get("id") or "", node.get("class") or ""
        if (_marks_comments(ident, cls) if len(ident) + len(cls) <= _MEMO_MAX_CHARS
                else _comment_marks(ident, cls)):
            result = True
            break
        node = node.getparent()
    for c in chain:
        memo[c] = result
    return result


def _comment_marks(ident: str, cls: str) -> bool:
    """An element with this id and class is a comment or a comment region."""
    a = f"{ident} {cls}".strip()
    return bool(a and (REGION.search(a) or ITEM_CLASS.search(cls) or ITEM_ID.match(ident)))


#: _comment_marks kept per (id, class): a page's wrappers repeat a few pairs (a paragraph's
#: ancestors were tested 72,000 times on the comments set). Only short pairs are kept, so the
#: process-wide cache stays a few megabytes whatever the pages hold.
_marks_comments = functools.lru_cache(maxsize=1 << 14)(_comment_marks)
_MEMO_MAX_CHARS = 200


#: Any of the tokens in a lowercased class/id string: one C-level search instead of a Python
#: generator per token.
_NOT_CONTENT = any_of(D.NOT_CONTENT_TOKENS)
_CONTENT = any_of(D.CONTENT_TOKENS)


def content_root(root: etree._Element) -> etree._Element | None:
    scores: dict[etree._Element, float] = {}
    in_comments: dict[etree._Element, bool] = {}
    least = D.PARA_MIN_CHARS
    for p in root.iter(*D.PARA_TAGS):
        # A paragraph without child elements is its own text (one text node: the serialiser's
        # call costs more than the reading), and text shorter than the least cannot count once
        # stripped: with the token searches below, 0.375 -> 0.345 s on the 1,117 pages.
        text = (p.text or "") if not len(p) else raw_text(p)
        if len(text) < least:
            continue
        n = len(text.strip())
        if n < least or _in_comments(p, in_comments):
            continue
        n = min(n, D.PARA_MAX_CHARS)
        score = 1 + n / 100 if p.tag != "li" else n / 300
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
        if a and _NOT_CONTENT.search(a) is not None and "content" not in a:
            score *= D.NOT_CONTENT_FACTOR
        if el.tag in D.CONTENT_TAGS or (a and _CONTENT.search(a) is not None):
            score *= D.CONTENT_FACTOR
        if score > best_score:
            best, best_score = el, score
    return best
