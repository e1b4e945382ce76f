"""Where the article sits, estimated before anything is removed: the element whose direct
paragraphs hold the most text (paragraph text scores its parent fully and its grandparent by
half). Ads and comments use it to tell "in the article" from "after it" and to never remove it."""

from __future__ import annotations

from lxml import etree

from pagetrail.segment.comments.patterns import ITEM_CLASS, ITEM_ID, REGION
from pagetrail.segment.textutil import attrs

#: Element kinds whose text counts as paragraph text.
PARA_TAGS = ("p", "pre", "blockquote", "h2", "h3", "li")
_NOT_CONTENT = ("comment", "sidebar", "widget", "footer", "nav", "menu")


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
        a = attrs(node)
        if a and (REGION.search(a) or ITEM_CLASS.search(node.get("class") or "") or ITEM_ID.match(node.get("id") or "")):
            result = True
            break
        node = node.getparent()
    for c in chain:
        memo[c] = result
    return result


def _text(el: etree._Element) -> str:
    """``el.text_content()`` (libxml2's content of the node, as XPath string() gives it) from
    the text serialiser, which skips the XPath evaluation set up per call."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def content_root(root: etree._Element) -> etree._Element | None:
    scores: dict[etree._Element, float] = {}
    in_comments: dict[etree._Element, bool] = {}
    for p in root.iter(*PARA_TAGS):
        n = len(_text(p).strip())
        if n < 25 or _in_comments(p, in_comments):
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
