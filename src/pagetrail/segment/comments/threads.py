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
    # The replies a comment still holds when it is read are the items below it not read yet
    # (a read reply is out of the tree, with what it holds): found down each item's own
    # replies, instead of every comment's subtree tests being against all the other items
    # (a set of all of them copied per comment, and again per text read with chrome left out:
    # quadratic in the thread's size).
    below: dict[etree._Element, list[etree._Element]] = {}
    for el in items:
        anc = next((a for a in el.iterancestors() if a in itemset), None)
        if anc is not None:
            below.setdefault(anc, []).append(el)
    read: dict[etree._Element, dict] = {}
    detached = []
    for el in reversed(items):
        read[el] = read_comment(el, itemset, _unread_below(el, below, read))
        holder = el.getparent()
        if holder is not None and depth[el][1] > 0:
            detached.append((holder, holder.index(el), el))
            holder.remove(el)
    for holder, index, el in reversed(detached):
        holder.insert(index, el)
    return read


def _unread_below(el: etree._Element, below: dict[etree._Element, list[etree._Element]],
                  read: dict[etree._Element, dict]) -> set[etree._Element]:
    """The items below ``el`` not read yet (usually none: items come in document order)."""
    out: set[etree._Element] = set()
    stack = list(below.get(el, ()))
    while stack:
        x = stack.pop()
        if x not in read:
            out.add(x)
            stack.extend(below.get(x, ()))
    return out


def class_depth(el: etree._Element) -> int | None:
    """The depth a ``depth-N`` class gives (0 for top level), or None."""
    m = P.DEPTH_CLASS.search(el.get("class") or "")
    return int(m.group(1)) - 1 if m else None
