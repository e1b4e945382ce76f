"""Threading: each comment's parent and depth, from nesting (``ol.children``, Blogger reply
threads), ``data-parent`` attributes, or ``depth-N`` classes on flat lists."""

from __future__ import annotations

from lxml import etree

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.fields import comment_id, read_comment

#: Attributes that name a comment's parent.
PARENT_ATTRIBUTES = ("data-parent", "data-parent-id")


def nesting(items: list[etree._Element]) -> dict[etree._Element, tuple[str | None, int]]:
    """(parent id, depth) of each comment element from the comment elements around it."""
    itemset = set(items)
    out = {}
    for el in items:
        parent, depth = None, 0
        for anc in el.iterancestors():
            if anc in itemset:
                depth += 1
                if parent is None:
                    parent = comment_id(anc)
        for name in PARENT_ATTRIBUTES:
            if el.get(name):
                parent = el.get(name)
                break
        out[el] = (parent, depth)
    return out


def read_all(items: list[etree._Element], depth: dict[etree._Element, tuple[str | None, int]]) -> dict[etree._Element, dict]:
    """read_comment for every item. Replies are read before the comments holding them and taken
    out of the tree once read, so an outer comment is searched without its whole thread (linear,
    not quadratic, in the thread size). Everything is put back afterwards."""
    itemset = set(items)
    read: dict[etree._Element, dict] = {}
    detached = []
    for el in reversed(items):
        read[el] = read_comment(el, itemset)
        holder = el.getparent()
        if holder is not None and depth[el][1] > 0:
            detached.append((holder, holder.index(el), el))
            holder.remove(el)
    for holder, index, el in reversed(detached):
        holder.insert(index, el)
    return read


def class_depth(el: etree._Element) -> int | None:
    """The depth a ``depth-N`` class gives (0 for top level), or None."""
    m = P.DEPTH_CLASS.search(el.get("class") or "")
    return int(m.group(1)) - 1 if m else None
