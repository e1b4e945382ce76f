"""Step 1: comment elements by their markup - comment ids (``comment-123``, ``li-comment-123``,
``c123``), ``data-comment-id``, schema.org ``Comment`` (microdata, RDFa), the one comment item
class pattern - outside sidebars and navigation; comments printed as runs of siblings (classic
Blogger's ``dt``/``dd``, ``<a name="comment-N">`` anchors) are wrapped first. Then nested
duplicates are folded (``li#comment-1 > article#div-comment-1`` is one comment) and, when
candidates sit in several comment regions, the region with the most comment text wins."""

from __future__ import annotations

import re

from lxml import etree

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.textutil import PageAttributes, attrs, text_of

_DIGITS = re.compile(r"(\d+)")


def item_key(el: etree._Element) -> str | None:
    """The comment's number from its markup, when it has one."""
    for name in P.KEY_ATTRIBUTES:
        v = el.get(name)
        if v and v.strip():
            return v.strip()
    m = P.ITEM_ID.match(el.get("id") or "")
    if m:
        return next(g for g in m.groups() if g)
    return None


def excluded(el: etree._Element, protect: etree._Element | None = None, memo: dict | None = None) -> bool:
    """True inside a sidebar, navigation or "recent comments" widget. A "sidebar" ancestor that
    holds the article itself is a layout class (``two-sidebars``), not a sidebar. ``memo``
    (one per tree state and ``protect``) keeps each ancestor's verdict, so hundreds of comments
    in a deep thread do not each walk the same ancestors again."""
    memo = {} if memo is None else memo
    chain = []
    result = False
    node = el.getparent()
    while node is not None:
        if node in memo:
            result = memo[node]
            break
        if node.tag in ("body", "html"):
            break
        chain.append(node)
        a = attrs(node)
        if node.tag in P.EXCLUDED_TAGS or (a and (P.WIDGET.search(a) or P.LAYOUT.search(a))):
            if protect is None or not any(x is node for x in protect.iterancestors()):
                result = True
                break
        node = node.getparent()
    for c in chain:
        memo[c] = result  # c or one of its ancestors (below body) excludes
    return result


def _schema_type(v: str) -> bool:
    return any(t in v for t in P.SCHEMA_TYPES)


def is_comment_markup(el: etree._Element) -> bool:
    """True when ``el``'s own attributes say it is one comment."""
    if el.tag not in P.ITEM_TAGS:
        return False
    if _schema_type(f"{el.get('itemtype') or ''} {el.get('typeof') or ''}"):
        return True
    if (el.get("itemprop") or "").lower() in P.ITEMPROPS and el.get("itemscope") is not None:
        return True
    if any(el.get(name) for name in P.MARKUP_ATTRIBUTES):
        return True
    if P.ITEM_ID.match(el.get("id") or ""):
        return el.tag not in P.NOT_ITEM_TAGS
    return P.ITEM_CLASS.search(el.get("class") or "")


#: The attribute tests of comment markup, for PageAttributes.elements.
_TESTS = {
    "class": P.ITEM_BY_CLASS,
    "id": P.ITEM_ID.match,
    "itemtype": _schema_type,
    "typeof": _schema_type,
    "itemprop": lambda v: v.lower() in P.ITEMPROPS,
    **{name: lambda _v: True for name in P.MARKUP_ATTRIBUTES},
}


def in_order(els: list[etree._Element]) -> list[etree._Element]:
    """``els`` without repeats, first occurrence kept."""
    return list(dict.fromkeys(els))


def candidates(attributes: PageAttributes, protect: etree._Element | None = None) -> list[etree._Element]:
    """Comment elements by their markup, in the subtree ``attributes`` indexes (the page, or
    one match of a site rule, itself included)."""
    if wrap_sequences(attributes):
        attributes.changed()
    memo: dict = {}
    return [el for el in attributes.elements(_TESTS)
            if is_comment_markup(el) and not P.NOT_ITEM_CLASS.search(el.get("class") or "")
            and not excluded(el, protect, memo)]


def wrap_sequences(attributes: PageAttributes) -> bool:
    """Comments that are runs of siblings rather than one element each get a wrapper element:
    classic Blogger's ``dl#comments-block`` (``dt`` author line + ``dd`` body + ``dd`` footer)
    and lists where each comment starts at an ``<a name="comment-N">`` anchor. A container
    holding exactly one such anchor is itself the comment and gets its id. True when the tree
    changed. ``attributes`` indexes the subtree searched."""
    starts_by_parent: dict[etree._Element, list[etree._Element]] = {}
    # Only elements with a comment-anchor id or name can start a comment.
    anchors = [el for el in attributes.elements({"id": P.ANCHOR_ID.match, "name": P.ANCHOR_ID.match})
               if el.tag in ("dt", "a")]
    for el in anchors:
        if not P.ANCHOR_ID.match(el.get("id") or el.get("name") or "") or (el.tag == "a" and el.get("href")):
            continue
        parent = el.getparent()
        if parent is not None:
            starts_by_parent.setdefault(parent, []).append(el)
    changed = False
    for parent, starts in starts_by_parent.items():
        key = starts[0].get("id") or starts[0].get("name")
        if len(starts) == 1 and starts[0].tag == "a":
            if not parent.get("data-comment-id") and not P.ITEM_ID.match(parent.get("id") or ""):
                parent.set("data-comment-id", _DIGITS.search(key).group(1))
                changed = True
            continue
        children = list(parent)
        index = {id(c): i for i, c in enumerate(children)}
        positions = sorted(index[id(s)] for s in starts)
        for n, start in enumerate(positions):
            end = positions[n + 1] if n + 1 < len(positions) else len(children)
            head = children[start]
            run = children[start:end]
            if head.tag == "dt":
                # A dt's comment is the dt and the dd's after it, not what follows the dl's end.
                cut = next((i for i, c in enumerate(run[1:], 1) if c.tag != "dd" and isinstance(c.tag, str)), len(run))
                run = run[:cut]
            wrapper = etree.Element("div", {"class": "comment dl-comment" if head.tag == "dt" else "comment",
                                            "id": head.get("id") or head.get("name")})
            parent.insert(parent.index(head), wrapper)
            for c in run:
                wrapper.append(c)
            changed = True
    return changed


def fold(cands: list[etree._Element]) -> list[etree._Element]:
    """Drop candidates that are the body of an enclosing candidate (same number, or no number
    and not inside a replies container between the two)."""
    # Each candidate's key, read once: the walks below ask for an ancestor's key once per
    # candidate inside it (35,000 item_key calls on the comments set for 14,000 candidates).
    keys = {el: item_key(el) for el in cands}
    # A keyless candidate holding two or more keyed ones is a comment list, not a comment.
    keyed_inside: dict[etree._Element, int] = {}
    cand_set = set(cands)
    for el in cands:
        if keys[el]:
            for anc in el.iterancestors():
                if anc in cand_set and not keys[anc]:
                    keyed_inside[anc] = keyed_inside.get(anc, 0) + 1
    cands = [c for c in cands if keyed_inside.get(c, 0) < 2]
    cset = set(cands)
    keep = []
    replies: dict[etree._Element, bool] = {}  # a thread's comments share ancestors: tested once each
    for el in cands:
        outer = None
        between_reply = False
        for anc in el.iterancestors():
            if anc in cset:
                outer = anc
                break
            is_reply = replies.get(anc)
            if is_reply is None:
                is_reply = replies[anc] = anc.tag in ("ol", "ul") or P.REPLY_CONTAINER.search(anc.get("class") or "")
            if is_reply:
                between_reply = True
        if outer is None:
            keep.append(el)
            continue
        mine, theirs = keys[el], keys[outer]
        if mine and theirs and mine != theirs:
            keep.append(el)
        elif mine and not theirs and between_reply:
            keep.append(el)
        elif not mine and between_reply and len(text_of(el)) > 0 and el.tag == outer.tag:
            # A keyless candidate nested in another is a reply only when it looks like its outer
            # one (same tag), e.g. Blogger's li.comment inside a thread of the outer li.comment.
            keep.append(el)
    return keep


def prune_sparse(items: list[etree._Element]) -> list[etree._Element]:
    """When candidates sit in several regions whose id/class says comments (two comment
    systems, a "recent comments" list ...), keep the region with the most comment text; items
    outside any such region go together."""
    if len(items) <= 1:
        return items
    groups: dict[tuple | None, list[etree._Element]] = {}
    itemset = set(items)
    named: dict[etree._Element, bool] = {}  # items share their ancestors: each is tested once
    for el in items:
        top = None
        for anc in el.iterancestors():
            if anc.tag in ("body", "html"):
                break
            is_named = named.get(anc)
            if is_named is None:
                is_named = named[anc] = P.REGION.search(attrs(anc))
            if is_named and anc not in itemset:
                top = anc
        # Sibling regions of one shape (one <ol class="commentlist"> per comment) are one system.
        key = (top.getparent(), top.tag, top.get("class")) if top is not None else None
        groups.setdefault(key, []).append(el)
    if len(groups) == 1:
        return items
    best = max(groups.values(), key=lambda g: sum(len(text_of(x)) for x in g))
    bestset = set(best)
    return [el for el in items if el in bestset]
