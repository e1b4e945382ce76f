"""Comment regions: containers whose id/class says comments (in any case and in the languages of
patterns.REGION), the comments of themes with no comment markup (repeated same-shaped children
that carry a date, and body/"posted by" sibling pairs), and the region taken out of the article
once the comments are known."""

from __future__ import annotations

import re

from lxml import etree

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.candidates import excluded, is_comment_markup
from pagetrail.segment.textutil import PageAttributes, attrs, text_of

_DIGITS = re.compile(r"\d+")


def named_regions(attributes: PageAttributes, protect: etree._Element | None,
                  guarded: set[etree._Element] = frozenset()) -> list[etree._Element]:
    """The outermost elements whose id or class names a comment region, outside sidebars and
    never the article or anything holding it (``protect``, the estimated container, or one of
    ``guarded``, the article's marks and what holds them: guard.py)."""
    out: list[etree._Element] = []
    inside: set = set()  # the regions found so far and everything below them
    memo: dict = {}
    holding = set() if protect is None else {protect, *protect.iterancestors()}
    for el in attributes.elements({"class": P.REGION_BY_CLASS, "id": P.REGION.search}):
        # Most elements named so are parts of a region found already (comment-author,
        # comment-body ...): one set lookup instead of a walk up their ancestors.
        if el in inside or el.tag not in P.REGION_TAGS or el in guarded or el in holding:
            continue
        if excluded(el, protect, memo):
            continue
        out.append(el)
        inside.update(el.iter())
    return out


def is_widget(el: etree._Element) -> bool:
    """True when ``el``'s own id/class is one of a widget's ("recent comments", "most read")."""
    a = attrs(el)
    return bool(a) and P.WIDGET.search(a)


def signature(el: etree._Element) -> str:
    """Tag and classes (digits and zebra stripes left out): siblings with one signature are items
    of one list."""
    cls = " ".join(sorted(_DIGITS.sub("", c) for c in (el.get("class") or "").lower().split()
                          if c not in P.ZEBRA_CLASSES))
    return f"{el.tag}.{cls}"


def repeated_groups(region: etree._Element) -> list[list[etree._Element]]:
    """Groups of same-signature siblings below a region (two or more, each with some text),
    the one with the most text first: the comments of themes with no comment markup are one of
    them (a wrapper around the list and a "showing 100 of 107" line are a group too)."""
    scored = []
    for parent in region.iter():
        if len(parent) < P.REPEATED_MIN_ITEMS or not isinstance(parent.tag, str):
            continue
        groups: dict[str, list[etree._Element]] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in P.NOT_REPEATED_TAGS:
                groups.setdefault(signature(child), []).append(child)
        for group in groups.values():
            group = [c for c in group if not is_widget(c)]
            if len(group) < P.REPEATED_MIN_ITEMS:
                continue
            texts = [text_of(c) for c in group]
            if sum(1 for t in texts if len(t.split()) >= P.REPEATED_MIN_WORDS) < P.REPEATED_MIN_ITEMS:
                continue
            scored.append((sum(len(t) for t in texts), len(scored), group))
    return [group for _score, _i, group in sorted(scored, key=lambda x: (-x[0], x[1]))]


def pair_runs(parent: etree._Element) -> bool:
    """Comments printed as alternating siblings - dt/dd pairs, or a body div followed by a
    "posted by" div - are wrapped pairwise so each pair is one element. True when it wrapped."""
    kids = [c for c in parent if isinstance(c.tag, str) and c.tag not in P.NOT_PAIR_TAGS]
    if len(kids) < P.PAIR_MIN_CHILDREN:
        return False
    # The first two children reject most parents (one signature: no pairs), so the others'
    # signatures are read only past that test.
    first, second = signature(kids[0]), signature(kids[1])
    if first == second:
        return False
    sigs = [first, second, *map(signature, kids[2:])]
    pairs = []
    i = 0
    while i + 1 < len(kids) and sigs[i] == first:
        j = i + 1
        run = [kids[i]]
        while j < len(kids) and sigs[j] == second:
            run.append(kids[j])
            j += 1
        if len(run) == 1:
            break
        pairs.append(run)
        i = j
    if len(pairs) < 2 or sum(len(p) for p in pairs) < len(kids) * P.PAIR_MIN_SHARE:
        return False
    for run in pairs:
        wrapper = etree.Element("div", {"class": "comment-pair"})
        parent.insert(parent.index(run[0]), wrapper)
        for c in run:
            wrapper.append(c)
    return True


def looks_like_comment(el: etree._Element) -> bool:
    """A generic repeated child counts as a comment when it has a date-ish part (a time
    element, a date or byline class, a printed date or time, "says:") or a comment permalink -
    lists of links and teasers do not."""
    if el.find(".//time") is not None:
        return True
    for x in el.iterdescendants(etree.Element):
        cls = x.get("class")
        if cls and any(t in cls for t in P.DATED_CLASS):
            return True
        if x.tag == "a" and P.PERMALINK.search(x.get("href") or ""):
            return True
    text = text_of(el)
    return P.PRINTED_DATE.search(text[:P.DATE_SEARCH_CHARS]) is not None or P.COMMENT_SIGN_TEXT.search(text) is not None


def common_ancestor(els: list[etree._Element]) -> etree._Element:
    path = [els[0]] + list(els[0].iterancestors())
    for el in els[1:]:
        ancestors = {el} | set(el.iterancestors())
        while path and path[0] not in ancestors:
            path.pop(0)
    return path[0] if path else els[0].getroottree().getroot()


def _holds_other_comments(el: etree._Element, matches: list[etree._Element]) -> bool:
    """True when ``el`` holds comment markup outside the site rule's ``matches``."""
    inside = {x for m in matches for x in m.iter()}
    return any(x not in inside and is_comment_markup(x) for x in el.iter())


def region_of(items: list[etree._Element], protect: etree._Element | None,
              matches: list[etree._Element] | None = None,
              guarded: set[etree._Element] = frozenset()) -> etree._Element:
    """The comment region: the items' common ancestor, widened to the enclosing element whose
    id/class says comments (so the heading and the form go with it), never over the article.
    With a site rule's ``matches``, the region starts from them and widens only while it holds
    no comment markup outside them."""
    if matches:
        region = matches[0] if len(matches) == 1 else common_ancestor(matches)
    else:
        region = items[0].getparent() if len(items) == 1 else common_ancestor(items)
        if region is None:
            return items[0]
        if region in items and len(items) > 1:
            region = region.getparent()
    node = region
    for anc in [region, *region.iterancestors()]:
        if anc.tag in ("body", "html"):
            break
        if protect is not None and (anc is protect or any(a is anc for a in protect.iterancestors())):
            break
        if anc in guarded:
            break
        if matches and _holds_other_comments(anc, matches):
            break
        if P.REGION.search(attrs(anc)):
            node = anc
    return node
