"""Step 5: find reader comments without per-site configuration.

1. Candidate comments from markup: ids like ``comment-123``/``li-comment-123``/``c123``,
   ``data-comment-id``, schema.org ``Comment`` (microdata/RDFa), the ``comment`` class token
   (WordPress, Blogger, Drupal, Disqus), forum post lists (two or more sibling posts).
2. Nested duplicates are folded (``li#comment-1 > article#div-comment-1`` is one comment);
   nesting between the rest gives parent and depth.
3. Without markup candidates: a region whose id/class says comments, with repeated similar
   children that each hold text.
4. JSON-LD ``Comment`` objects when the page has no comment markup at all.
Comment forms ("Leave a Reply", "Post a Comment") are removed first, so a page with a form and
no comments yields no comments."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from lxml import etree

from pagetrail.segment import patterns as P
from pagetrail.segment.model import Comment, normalise_text
from pagetrail.segment.textutil import PageAttributes, attrs, text_of

_ITEM_CLASS = re.compile(
    r"(?:^|\s)(?:comment|comment-item|single-comment|dsq-comment|commentlist-item|"
    r"comment_item|media-comment|commentpost|comment-post|comment_post|commentitem|single_comment)(?:\s|$)|(?:^|\s)depth-\d+(?:\s|$)",
    re.I,
)
_ITEM_ID = re.compile(r"^(?:[a-z]{1,8}[-_])?comment[-_]?(?:id[-_])?(\d+|[0-9a-f]{12,})$|^c(\d{4,})$", re.I)
_FORUM_ID = re.compile(r"^(?:p|post|post_|post-|postid-?|msg|message-?)(\d+)$", re.I)
_FORUM_CLASS = re.compile(r"(?:^|\s)(?:post|postcontainer|postbit|topic-post|forum-post|post-row|postbitlegacy|message|reply|forumpost)(?:\s|$)", re.I)
_REPLY_CONTAINER = re.compile(r"(?:^|\s|-)(?:children|replies|reply|indented|comment-replies|thread|sub-comments|subcomments)(?:\s|$|-)", re.I)
_EXCLUDE_ANCESTOR = re.compile(
    r"(?:^|[\s_-])(?:sidebar|recentcomments|recent[-_]comments|widget[-_]recent\w*|latest[-_]comments|"
    r"popular|most[-_]?(?:read|recommended|commented|popular|active)|mostRecommendations|topDiscussions|"
    r"top[-_]?comments|navbar|nav|menu)(?:$|[\s_-])", re.I)
_ANCHOR_ID = re.compile(r"^(?:comment[-_]?\d+|c\d{4,})$", re.I)
_NOT_COMMENT = re.compile(r"(?:^|\s)(?:pingback|trackback)(?:\s|$)", re.I)
_SAYS = re.compile(r"\s*(?:says|said|wrote|writes)\s*:?\s*$", re.I)
_DEPTH = re.compile(r"(?:^|\s)depth-(\d+)(?:\s|$)")
_NUM_ID = re.compile(r"(\d+)")
_LEADING_SAYS = re.compile(r"^(?:says|said|wrote|writes)\s*(?:\.\.\.|:|\u2026)?\s*", re.I)
_TRAILER = re.compile(r"posted|comment-footer|comment-meta|byline|commentmetadata|comment-info|comment-author", re.I)


@dataclass
class Found:
    """The comments of a page and the elements to remove before article extraction."""

    comments: list[Comment] = field(default_factory=list)
    region: etree._Element | None = None
    remove: list[etree._Element] = field(default_factory=list)
    items: list[etree._Element] = field(default_factory=list)
    first_post: etree._Element | None = None  # forum threads: the opening post is the article


# ------------------------------------------------------------------------- candidates
def _item_key(el: etree._Element) -> str | None:
    """The comment's number from its markup, when it has one."""
    for name in ("data-comment-id", "data-commentid", "data-comment", "data-post-id", "data-id"):
        v = el.get(name)
        if v and v.strip():
            return v.strip()
    m = _ITEM_ID.match(el.get("id") or "")
    if m:
        return next(g for g in m.groups() if g)
    return None


def _excluded(el: etree._Element, protect: etree._Element | None = None, memo: dict | None = None) -> bool:
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
        if node.tag in ("aside", "nav", "header") or (a and _EXCLUDE_ANCESTOR.search(a)):
            if protect is None or not any(x is node for x in protect.iterancestors()):
                result = True
                break
        node = node.getparent()
    for c in chain:
        memo[c] = result  # c or one of its ancestors (below body) excludes
    return result


def _is_comment_markup(el: etree._Element) -> bool:
    itemtype = (el.get("itemtype") or "") + " " + (el.get("typeof") or "")
    if "Comment" in itemtype:
        return True
    if (el.get("itemprop") or "").lower() in ("comment", "comments") and el.get("itemscope") is not None:
        return True
    if el.get("data-comment-id") or el.get("data-commentid"):
        return True
    if _ITEM_ID.match(el.get("id") or ""):
        return el.tag not in ("a", "span", "textarea", "input", "form")
    cls = el.get("class") or ""
    return bool(cls and _ITEM_CLASS.search(cls)) and el.tag in ("li", "div", "article", "section", "dd", "tr", "td", "blockquote", "ul")


_CANDIDATE_TAGS = frozenset(("li", "div", "article", "section", "dd", "tr", "td", "blockquote", "table", "ul"))


def _item_class(v: str) -> bool:
    return ("omment" in v or "depth-" in v) and _ITEM_CLASS.search(v) is not None


def _item_id(v: str) -> bool:
    return ("omment" in v or v[:1] in "cC") and _ITEM_ID.match(v) is not None


#: The attribute tests of comment markup, for PageAttributes.elements: the class and id
#: patterns above, and the data/microdata/RDFa attributes of comment markup.
_CANDIDATE_TESTS = {
    "class": _item_class,
    "id": _item_id,
    "data-comment-id": lambda _v: True,
    "data-commentid": lambda _v: True,
    "itemtype": lambda v: "Comment" in v,
    "typeof": lambda v: "Comment" in v,
    "itemprop": lambda v: v in ("comment", "comments"),
}


def _candidates(attributes: PageAttributes, protect: etree._Element | None = None) -> list[etree._Element]:
    """Comment elements by their markup, in the subtree ``attributes`` indexes (the page, or
    one match of a site rule, itself included)."""
    if _wrap_sequences(attributes):
        attributes.changed()
    out = []
    hits = attributes.elements(_CANDIDATE_TESTS)
    memo: dict = {}
    for el in _in_order(hits):
        if el.tag in _CANDIDATE_TAGS and _is_comment_markup(el) and not _NOT_COMMENT.search(el.get("class") or "") and not _excluded(el, protect, memo):
            out.append(el)
    return out


def _wrap_sequences(attributes: PageAttributes) -> bool:
    """Comments that are runs of siblings rather than one element each get a wrapper element:
    classic Blogger's ``dl#comments-block`` (``dt`` author line + ``dd`` body + ``dd`` footer)
    and lists where each comment starts at an ``<a name="comment-N">`` anchor. A container
    holding exactly one such anchor is itself the comment and gets its id. True when the tree
    changed. ``attributes`` indexes the subtree searched."""
    starts_by_parent: dict[etree._Element, list[etree._Element]] = {}
    # Only elements with a comment-anchor id or name can start a comment.
    anchors = [el for el in attributes.elements({"id": _ANCHOR_ID.match, "name": _ANCHOR_ID.match})
               if el.tag in ("dt", "a")]
    for el in anchors:
        key = el.get("id") or el.get("name") or ""
        if not _ANCHOR_ID.match(key) or (el.tag == "a" and el.get("href")):
            continue
        parent = el.getparent()
        if parent is not None:
            starts_by_parent.setdefault(parent, []).append(el)
    changed = False
    for parent, starts in starts_by_parent.items():
        key = starts[0].get("id") or starts[0].get("name")
        if len(starts) == 1 and starts[0].tag == "a":
            if not parent.get("data-comment-id") and not _ITEM_ID.match(parent.get("id") or ""):
                parent.set("data-comment-id", _NUM_ID.search(key).group(1))
                changed = True
            continue
        children = list(parent)
        index = {id(c): i for i, c in enumerate(children)}
        positions = sorted(index[id(s)] for s in starts)
        for n, start in enumerate(positions):
            end = positions[n + 1] if n + 1 < len(positions) else len(children)
            head = children[start]
            if head.tag == "dt":
                # A dt's comment is the dt and the dd's after it, not what follows the dl's end.
                run = [head] + [c for c in children[start + 1:end]]
                cut = next((i for i, c in enumerate(run[1:], 1) if c.tag not in ("dd",) and isinstance(c.tag, str)), len(run))
                run = run[:cut]
            else:
                run = children[start:end]
            wrapper = etree.Element("div", {"class": "comment", "id": head.get("id") or head.get("name")})
            if head.tag == "dt":
                wrapper.set("class", "comment dl-comment")
            parent.insert(parent.index(head), wrapper)
            for c in run:
                wrapper.append(c)
            changed = True
    return changed


_FORUM_TAGS = ("div", "li", "article", "table", "tr")


def _forum_posts(attributes: PageAttributes) -> list[etree._Element]:
    """Posts of a forum thread: two or more siblings with post ids (p123, post_123) and post
    classes, most of them carrying a date - teaser lists with data-post-id are not threads.
    ``attributes`` is the page's attribute index (elements with a post id come from it)."""
    groups: dict[etree._Element, list[etree._Element]] = {}
    with_id = [el for el in attributes.elements({"id": _FORUM_ID.match}) if el.tag in _FORUM_TAGS]
    for el in with_id:
        if _FORUM_CLASS.search(el.get("class") or ""):
            parent = el.getparent()
            if parent is not None:
                groups.setdefault(parent, []).append(el)
    best = max(groups.values(), key=len, default=[])
    if len(best) < 2 or sum(map(_looks_like_comment, best)) * 2 <= len(best):
        return []
    return best


# ------------------------------------------------------------------------- folding and nesting
def _fold(cands: list[etree._Element]) -> list[etree._Element]:
    """Drop candidates that are the body of an enclosing candidate (same number, or no number
    and not inside a replies container between the two)."""
    # A keyless candidate holding two or more keyed ones is a comment list, not a comment.
    keyed_inside: dict[etree._Element, int] = {}
    cand_set = set(cands)
    for el in cands:
        if _item_key(el):
            for anc in el.iterancestors():
                if anc in cand_set and not _item_key(anc):
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
                is_reply = replies[anc] = (anc.tag in ("ol", "ul")
                                           or _REPLY_CONTAINER.search(anc.get("class") or "") is not None)
            if is_reply:
                between_reply = True
        if outer is None:
            keep.append(el)
            continue
        mine, theirs = _item_key(el), _item_key(outer)
        if mine and theirs and mine != theirs:
            keep.append(el)
        elif mine and not theirs and between_reply:
            keep.append(el)
        elif not mine and between_reply and len(text_of(el)) > 0 and _is_reply_like(el, outer):
            keep.append(el)
    # An element both kept and containing a kept element with the same key: keep the outer.
    return keep


def _is_reply_like(el: etree._Element, outer: etree._Element) -> bool:
    """A keyless candidate nested in another is a reply only when it looks like its outer one
    (same tag), e.g. Blogger's li.comment inside a thread of the outer li.comment."""
    return el.tag == outer.tag


def _prune_sparse(items: list[etree._Element]) -> list[etree._Element]:
    """When candidates sit in several regions whose id/class says comments (two comment
    systems, a "recent comments" list ...), keep the region with the most comment text; items
    outside any such region go together."""
    if len(items) <= 1:
        return items
    groups: dict[etree._Element | None, list[etree._Element]] = {}
    itemset = set(items)
    named: dict[etree._Element, bool] = {}  # items share their ancestors: each is tested once
    for el in items:
        top = None
        for anc in el.iterancestors():
            if anc.tag in ("body", "html"):
                break
            is_named = named.get(anc)
            if is_named is None:
                is_named = named[anc] = P.COMMENT_REGION_TOKEN.search(attrs(anc)) is not None
            if is_named and anc not in itemset:
                top = anc
        groups.setdefault(top, []).append(el)
    if len(groups) == 1:
        return items
    best = max(groups.values(), key=lambda g: sum(len(text_of(x)) for x in g))
    bestset = set(best)
    return [el for el in items if el in bestset]


def _common_ancestor(els: list[etree._Element]) -> etree._Element:
    path = [els[0]] + list(els[0].iterancestors())
    for el in els[1:]:
        ancestors = {el} | set(el.iterancestors())
        while path and path[0] not in ancestors:
            path.pop(0)
    return path[0] if path else els[0].getroottree().getroot()


def _region(items: list[etree._Element], protect: etree._Element | None,
            matches: list[etree._Element] | None = None) -> etree._Element:
    """The comment region: the items' common ancestor, widened to the enclosing element whose
    id/class says comments (so the heading and the form go with it), never over the article.
    With a site rule's ``matches``, the region starts from them and widens only while it holds
    no comment markup outside them."""
    if matches:
        region = matches[0] if len(matches) == 1 else _common_ancestor(matches)
    else:
        region = items[0].getparent() if len(items) == 1 else _common_ancestor(items)
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
        if matches and _holds_other_comments(anc, matches):
            break
        if P.COMMENT_REGION_TOKEN.search(attrs(anc)):
            node = anc
    return node


def _holds_other_comments(el: etree._Element, matches: list[etree._Element]) -> bool:
    """True when ``el`` holds comment markup outside the site rule's ``matches``."""
    inside = {x for m in matches for x in m.iter()}
    return any(x not in inside and x.tag in _CANDIDATE_TAGS and _is_comment_markup(x) for x in el.iter())


# ------------------------------------------------------------------------- fields
_COMPILED: dict[str, etree.XPath] = {}


def _xp(expr: str) -> etree.XPath:
    """A compiled XPath (``el.xpath(str)`` would compile it again for every comment)."""
    xp = _COMPILED.get(expr)
    if xp is None:
        xp = _COMPILED[expr] = etree.XPath(expr)
    return xp


_BLOB = etree.XPath(".//@class | .//@itemprop", smart_strings=False)
_LITERAL = re.compile(r"'([^']*)'")
_LITERALS: dict[str, re.Pattern | None] = {}


def _blob(el: etree._Element) -> str:
    """The class and itemprop values below a comment, joined: what the field XPaths test."""
    return " ".join(_BLOB(el))


def _may_match(expr: str, blob: str | None) -> bool:
    """False when the XPath cannot match below a comment whose ``_blob`` is ``blob``: each
    of the field XPaths only tests @class/@itemprop against its literals, so one of them must
    occur in the blob. XPaths without literals (``.//cite``) always run. One substring test per
    literal is far cheaper than running some twenty XPaths on each of hundreds of comments."""
    if blob is None:
        return True
    try:
        rx = _LITERALS[expr]
    except KeyError:
        lits = [x.strip() for x in _LITERAL.findall(expr) if x.strip()]
        # The literals as one alternation: one C-level search instead of a generator.
        rx = _LITERALS[expr] = re.compile("|".join(map(re.escape, lits))) if lits else None
    return rx is None or rx.search(blob) is not None


def _skipped(node: etree._Element, el: etree._Element, skip: set) -> bool:
    """True when ``node`` (below ``el``) sits inside one of the ``skip`` subtrees."""
    while node is not None and node is not el:
        if node in skip:
            return True
        node = node.getparent()
    return False


def _first(el: etree._Element, xpaths: tuple[str, ...], skip: set, blob: str | None = None) -> etree._Element | None:
    return _first_at(el, xpaths, skip, blob)[0]


def _first_at(el: etree._Element, xpaths: tuple[str, ...], skip: set,
              blob: str | None = None) -> tuple[etree._Element | None, int]:
    """The first element the XPaths find (in their order) outside ``skip``, and the index of
    the XPath that found it (len(xpaths) when none did)."""
    for i, xp in enumerate(xpaths):
        if not _may_match(xp, blob):
            continue
        for found in _xp(xp)(el):
            if isinstance(found, etree._Element) and not _skipped(found, el, skip):
                return found, i
    return None, len(xpaths)


def _clean_author(text: str) -> str | None:
    text = _SAYS.sub("", normalise_text(text))
    text = re.sub(r"^(?:by|posted by|from)\s+", "", text, flags=re.I).strip(" :-|")
    if not text or len(text) > 80:
        return None
    return text


def _date(el: etree._Element, skip: set, blob: str | None = None) -> str | None:
    return _date_from(el, _first(el, P.COMMENT_DATE_XPATH, skip, blob), skip)


def _date_from(el: etree._Element, node: etree._Element | None, skip: set) -> str | None:
    """The comment's date from ``node`` (what COMMENT_DATE_XPATH found), else printed in its
    first lines."""
    if node is not None:
        for name in ("datetime", "content", "title"):
            v = node.get(name)
            if v and re.search(r"\d", v):
                return v.strip()
        t = normalise_text(node.text_content())
        m = P.PRINTED_DATE.search(t)
        if m:
            # keep a trailing "at 2:29 pm" with the date
            tail = re.match(r"\s*(?:at|@|,)?\s*\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?", t[m.end():], re.I)
            return (m.group(0) + (tail.group(0) if tail else "")).strip()
        if t and len(t) < 60 and re.search(r"\d", t):
            return t
    head = text_of(el, skip)[:300]
    m = P.PRINTED_DATE.search(head)
    return m.group(0) if m else None


def _comment_id(el: etree._Element) -> str | None:
    cid = el.get("id") or ""
    m = re.match(r"^(?:li|div)-(comment-\d+)$", cid)
    if m:
        return m.group(1)
    if cid:
        return cid
    for name in ("data-comment-id", "data-commentid", "data-post-id", "data-id"):
        if el.get(name):
            return f"comment-{el.get(name)}"
    # Drupal and others put <a id="comment-12"></a> just before the comment.
    prev = el.getprevious()
    if prev is not None and prev.tag == "a" and (prev.get("id") or prev.get("name")):
        return prev.get("id") or prev.get("name")
    first = el.find(".//a[@name]")
    if first is not None and re.search(r"\d", first.get("name") or ""):
        return first.get("name")
    return None


def _permalink(el: etree._Element, cid: str | None, skip: set) -> str | None:
    for a in el.iter("a"):
        if _skipped(a, el, skip):
            continue
        href = a.get("href") or ""
        if "#comment" in href or (cid and href.endswith("#" + cid)) or re.search(r"[#?&](?:c|cid|p|post|comment)[=_-]?\d+", href):
            return href
    return None


_CHROME_CLASS = re.compile(
    "comment-reply|reply-link|comment-edit|edit-link|comment-actions|comment-footer|comment-meta|"
    "commentmetadata|comment-author|vcard|says|comment-links|comment-date|avatar|like|vote|report|share")
_CHROME_CLASS_TOKENS = frozenset(("reply", "author"))
_CHROME_ITEMPROPS = frozenset(("author", "dateCreated", "datePublished"))
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def _chrome_nodes(node: etree._Element) -> list[etree._Element]:
    """What patterns.COMMENT_CHROME_XPATH finds below ``node``, tested in Python: libxml2
    evaluating its twenty-odd contains() on every element of every comment cost more. Class
    tokens are split on XML white space, as the XPath's normalize-space() does."""
    out = []
    for x in node.iterdescendants(etree.Element):
        cls = x.get("class")
        if cls is not None and (_CHROME_CLASS.search(cls) is not None
                                or not _CHROME_CLASS_TOKENS.isdisjoint(_XML_SPACE.split(cls))):
            out.append(x)
        elif x.get("itemprop") in _CHROME_ITEMPROPS:
            out.append(x)
    return out


def read_comment(el: etree._Element, nested: set) -> dict:
    """author, date, text, id, permalink of one comment element; ``nested`` are the other
    comment elements (replies) whose text must not be counted here."""
    skip = nested - {el}  # C-level set difference: this runs once per comment
    author_el, author = None, None
    blob = _blob(el)
    for xp in P.COMMENT_AUTHOR_XPATH:
        if not _may_match(xp, blob):
            continue
        for found in _xp(xp)(el):
            if not isinstance(found, etree._Element) or _skipped(found, el, skip):
                continue
            # "by NAME » DATE": the name is the link or bold part when there is one.
            raw = found.text_content()
            inner = next((x for x in found.iter("a", "strong", "b", "cite") if x is not found and text_of(x)), None)
            if inner is not None and (P.PRINTED_DATE.search(raw) or len(raw.split()) > 4):
                raw = inner.text_content()
            author = _clean_author(raw)
            if author:
                author_el = found
                break
        if author:
            break
    date_node, at = _first_at(el, P.COMMENT_DATE_XPATH, skip, blob)
    date = _date_from(el, date_node, skip)
    # The machine-readable date element (the first two XPaths) is the comment's metadata.
    date_el = date_node if at < 2 else None
    text = ""
    body = None
    meta_els = [x for x in (author_el, date_el) if x is not None]
    fallback = None
    for xp in P.COMMENT_TEXT_XPATH:
        if not _may_match(xp, blob):
            continue
        for found in _xp(xp)(el):
            if not isinstance(found, etree._Element) or _skipped(found, el, skip):
                continue
            if fallback is None:
                fallback = found
            # A wrapper that also holds the author line is not the body when a tighter one exists.
            if any(m is found or any(a is found for a in m.iterancestors()) for m in meta_els):
                continue
            if text_of(found, skip):
                body = found
                break
        if body is not None:
            break
    body = body if body is not None else fallback

    def chrome_in(node: etree._Element) -> set:
        # Searched below the body only (or the comment without its replies' subtrees), so a
        # long thread is not searched again for every comment in it.
        if not _may_match(P.COMMENT_CHROME_XPATH, blob):
            return set(meta_els)
        found = {c for c in _chrome_nodes(node) if not _skipped(c, el, skip)}
        return found | set(meta_els)

    if body is not None:
        text = text_of(body, skip | {c for c in chrome_in(body) if c is not body}) or text_of(body, skip)
    if not text:
        text = text_of(el, skip | chrome_in(el)) or text_of(el, skip)
    text = _LEADING_SAYS.sub("", text)
    if author is None or date is None:
        # Movable Type and others print "Posted by: NAME at DATE" just after the comment.
        trailer = el.getnext()
        if trailer is not None and isinstance(trailer.tag, str) and _TRAILER.search(trailer.get("class") or "") and trailer not in nested:
            line = text_of(trailer)
            if date is None:
                m = P.PRINTED_DATE.search(line)
                date = m.group(0) if m else None
            if author is None:
                m = re.search(r"(?:by:?|from:?)\s+(.{1,60}?)\s+(?:at|on|\||\u2022|-)\s", line, re.I)
                author = _clean_author(m.group(1)) if m else None
    cid = _comment_id(el)
    return {"id": cid, "author": author, "date": date, "text": text, "permalink": _permalink(el, cid, skip),
            "body": body if body is not None and text else None}


# ------------------------------------------------------------------------- json-ld
def jsonld_comments(root: etree._Element) -> list[Comment]:
    out: list[Comment] = []

    def walk(obj: object, parent: str | None, depth: int) -> None:
        if isinstance(obj, list):
            for x in obj:
                walk(x, parent, depth)
            return
        if not isinstance(obj, dict):
            return
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "Comment" in kinds:
            author = obj.get("author")
            if isinstance(author, dict):
                author = author.get("name")
            if isinstance(author, list):
                author = ", ".join(str(a.get("name", a)) if isinstance(a, dict) else str(a) for a in author)
            cid = obj.get("@id") or obj.get("identifier") or obj.get("url")
            text = obj.get("text") or obj.get("description") or ""
            if isinstance(text, str) and text.strip():
                out.append(Comment(id=str(cid) if cid else None, author=str(author) if author else None,
                                   date=obj.get("dateCreated") or obj.get("datePublished"), text=text,
                                   parent=parent, permalink=obj.get("url"), depth=depth, position=len(out)))
            for key in ("comment", "comments"):
                if key in obj:
                    walk(obj[key], str(cid) if cid else None, depth + 1)
            return
        for key, value in obj.items():
            if key in ("comment", "comments", "@graph", "mainEntity", "hasPart"):
                walk(value, None, 0)

    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or ""):
            continue
        try:
            walk(json.loads(script.text or ""), None, 0)
        except (ValueError, RecursionError):
            continue
    return out


# ------------------------------------------------------------------------- generic regions
def _signature(el: etree._Element) -> str:
    cls = " ".join(sorted(re.sub(r"\d+", "", c) for c in (el.get("class") or "").split()))
    return f"{el.tag}.{cls}"


def _repeated_children(region: etree._Element) -> list[etree._Element]:
    """The largest group of same-signature siblings (two or more, each with some text) below a
    region: the comments of themes with no comment markup."""
    best: list[etree._Element] = []
    best_score = 0
    for parent in region.iter():
        if len(parent) < 2 or not isinstance(parent.tag, str):
            continue
        groups: dict[str, list[etree._Element]] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in ("script", "style", "br", "a", "span", "img", "input", "option"):
                groups.setdefault(_signature(child), []).append(child)
        for group in groups.values():
            if len(group) < 2:
                continue
            texts = [text_of(c) for c in group]
            if sum(1 for t in texts if len(t.split()) >= 3) < 2:
                continue
            score = sum(len(t) for t in texts)
            if score > best_score:
                best, best_score = group, score
    return best


def _pair_runs(parent: etree._Element) -> bool:
    """Comments printed as alternating siblings - dt/dd pairs, or a body div followed by a
    "posted by" div - are wrapped pairwise so each pair is one element. True when it wrapped."""
    kids = [c for c in parent if isinstance(c.tag, str) and c.tag not in ("a", "br", "script", "hr")]
    sigs = [_signature(c) for c in kids]
    if len(kids) < 4 or len(set(sigs)) < 2:
        return False
    first, second = sigs[0], sigs[1]
    if first == second:
        return False
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
    if len(pairs) < 2 or sum(len(p) for p in pairs) < len(kids) * 0.6:
        return False
    for run in pairs:
        wrapper = etree.Element("div", {"class": "comment-pair"})
        parent.insert(parent.index(run[0]), wrapper)
        for c in run:
            wrapper.append(c)
    return True


# Cheap substring tests before the token regexes (which are slow on thousands of values).
_REGION_QUICK = re.compile("omment|OMMENT|espons|epl|iscuss|dsq|alkback|eaction")
_REGION_TAGS = frozenset(("div", "section", "ol", "ul", "aside", "dl", "table"))
_COMMENT_FORM_CLASS = re.compile(r"comment-respond|comment-form|comment-reply-title|comments-closed|no-comments|nocomments")
_COMMENT_FORM_IDS = frozenset(("respond", "reply-title", "commentform"))


def _in_order(els: list[etree._Element]) -> list[etree._Element]:
    seen: set = set()
    out = []
    for el in els:
        if el not in seen:
            seen.add(el)
            out.append(el)
    return out


def _region_name(v: str) -> bool:
    return _REGION_QUICK.search(v) is not None and P.COMMENT_REGION_TOKEN.search(v) is not None


def _named_regions(attributes: PageAttributes, protect: etree._Element | None) -> list[etree._Element]:
    out: list[etree._Element] = []
    outset: set = set()
    named = attributes.elements({"class": _region_name, "id": _region_name})
    memo: dict = {}
    for el in named:
        if el.tag not in _REGION_TAGS or _excluded(el, protect, memo):
            continue
        if protect is not None and (el is protect or any(x is el for x in protect.iterancestors())):
            continue
        if any(x in outset for x in el.iterancestors()):
            continue
        out.append(el)
        outset.add(el)
    return out


def _form_class(v: str) -> bool:
    return "omment" in v and _COMMENT_FORM_CLASS.search(v) is not None


def _form_nodes(attributes: PageAttributes, protect: etree._Element | None) -> list[etree._Element]:
    """Comment forms in the subtree ``attributes`` indexes."""
    root = attributes.root
    out = []
    named = attributes.elements({"id": _COMMENT_FORM_IDS.__contains__, "class": _form_class})
    for el in _in_order(list(root.iter("form")) + named):
        if el.tag in ("html", "body"):
            continue
        if el.tag == "form":
            a = f"{attrs(el)} {el.get('action') or ''}".lower()
            if el.find(".//textarea") is None and "comment" not in a and "reply" not in a:
                continue
        if protect is not None and (el is protect or any(a is el for a in protect.iterancestors())):
            continue
        if len(el.text_content()) > P.COMMENT_FORM_MAX_CHARS:
            continue
        out.append(el)
    for ta in root.iter("textarea"):
        if not any(ta is f or any(a is f for a in ta.iterancestors()) for f in out):
            out.append(ta)
    return out


def _is_form_text(text: str) -> bool:
    low = text.lower()
    return len(text) < 400 and (any(f in low for f in P.COMMENT_FORM_TEXT) or bool(P.COMMENT_FORM_RE.search(low)))


def _looks_like_comment(el: etree._Element) -> bool:
    """A generic repeated child counts as a comment when it has a date-ish part (a time
    element, a date class, or a printed date) - lists of links and teasers do not."""
    if el.find(".//time") is not None:
        return True
    if _xp(".//*[contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'posted') or contains(@class, 'meta')]")(el):
        return True
    return bool(P.PRINTED_DATE.search(text_of(el)[:400]))


# ------------------------------------------------------------------------- main
def find_comments(root: etree._Element, protect: etree._Element | None = None,
                  region_hint: list[etree._Element] | None = None,
                  jsonld: list[Comment] | None = None, attributes: PageAttributes | None = None) -> Found:
    """Find the comments below ``root`` (or only inside ``region_hint`` from site rules).
    ``protect`` is the article container: the comment region never swallows it. ``attributes``
    is the page's attribute index when the caller shares one with other steps; it is told when
    the tree changes here."""
    attributes = attributes if attributes is not None else PageAttributes(root)
    # A site rule's matches are searched each on its own (an index of that subtree only), so
    # nothing outside them is ever a comment.
    scopes = [PageAttributes(el) for el in region_hint] if region_hint else [attributes]
    cache: list[list[etree._Element]] = []

    def named(fresh: bool = False) -> list[etree._Element]:
        if fresh or not cache:
            cache[:] = [_named_regions(attributes, protect)]
        return cache[0]

    forms = _in_order([f for s in scopes for f in _form_nodes(s, protect)])
    formset = set(forms)
    cands = _in_order([c for s in scopes for c in _candidates(s, protect)
                       if not any(a in formset for a in c.iterancestors())])
    if region_hint:
        attributes.changed()  # the matches' comment runs may have been wrapped behind its back
    if protect is not None:
        # The article itself can carry comment-ish markup (e.g. "post" ids): never a comment.
        cands = [c for c in cands if c is not protect and not any(a is c for a in protect.iterancestors())]
    items = _prune_sparse(_fold(cands))
    found = Found()
    if len(items) < 2 and not region_hint:
        posts = _forum_posts(attributes)
        inside = [] if protect is None else [protect, *protect.iterancestors()]
        # A thread only when the page's main text sits in its posts (else: a teaser list).
        in_posts = protect is None or any(any(a is p for a in inside) for p in posts)
        if len(posts) >= 2 and in_posts and not any(any(a is p for a in inside) for p in posts[1:]):
            found.first_post = posts[0]
            items = posts[1:]
    if not items:
        regions = region_hint or named()
        wrapped = False
        for reg in regions:
            for parent in [reg.getparent(), *reg.iter("dl", "div", "ol", "ul")]:
                if parent is not None and len(parent) >= 4:
                    wrapped = _pair_runs(parent) or wrapped
        if wrapped:
            attributes.changed()
        regions = region_hint or named(fresh=wrapped)
        # A named region, or the parent of sibling named regions (one region per comment).
        candidates = [r for named in regions for r in (named, named.getparent())
                      if r is not None and r.tag not in ("body", "html")]
        for reg in candidates:
            rep = [c for c in _repeated_children(reg) if not any(a in formset for a in c.iterancestors()) and c not in formset]
            rep = [c for c in rep if not _is_form_text(text_of(c))]
            if len(rep) >= 2 and sum(map(_looks_like_comment, rep)) * 2 > len(rep):
                items = rep
                break
        if not items and region_hint:
            # Matches without comment markup or repeated parts inside: each match is a comment.
            items = [el for el in region_hint if el not in formset and not _is_form_text(text_of(el))]
    itemset = set(items)
    threading = {}
    for el in items:
        parent, depth = None, 0
        for anc in el.iterancestors():
            if anc in itemset:
                depth += 1
                if parent is None:
                    parent = _comment_id(anc)
        if el.get("data-parent") or el.get("data-parent-id"):
            parent = el.get("data-parent") or el.get("data-parent-id")
        threading[el] = (parent, depth)
    # Read replies before the comments holding them, and take each out of the tree once read:
    # an outer comment is then searched without its whole thread (linear, not quadratic, in
    # the thread size). Everything is put back afterwards.
    read: dict[etree._Element, dict] = {}
    detached = []
    for el in reversed(items):
        read[el] = read_comment(el, itemset)
        holder = el.getparent()
        if holder is not None and threading[el][1] > 0:
            detached.append((holder, holder.index(el), el))
            holder.remove(el)
    for holder, index, el in reversed(detached):
        holder.insert(index, el)
    records = []
    for el in items:
        rec = read[el]
        if not rec["text"] or _is_form_text(rec["text"]) and len(rec["text"]) < 120:
            continue
        if P.NOT_COMMENT_TEXT.match(rec["text"]):
            continue
        parent, depth = threading[el]
        dm = _DEPTH.search(el.get("class") or "")
        records.append((el, rec, parent, depth, int(dm.group(1)) - 1 if dm else None))
    if len(records) == 1 and len(records[0][1]["text"].split()) < 3 and not records[0][1]["author"]:
        records = []  # one "comment" of a word or two and no author: a label, not a comment
    # Flat markup with depth-N classes only: the parent is the last comment one level up.
    last_at: dict[int, str | None] = {}
    comments = []
    for i, (_el, rec, parent, depth, class_depth) in enumerate(records):
        if parent is None and class_depth:
            parent = last_at.get(class_depth - 1)
            depth = class_depth
        last_at[depth] = rec["id"]
        comments.append(Comment(id=rec["id"], author=rec["author"], date=rec["date"], text=rec["text"],
                                parent=parent, permalink=rec["permalink"], depth=depth, position=i))
    found.comments = comments
    found.items = [r[0] for r in records]
    if records:
        found.region = _region([r[0] for r in records], protect, region_hint)
    elif not region_hint and jsonld:
        found.comments = jsonld
    # Remove: the region, plus any named comment region and comment form elsewhere (form text
    # such as "Leave a Reply" must not leak into the article either).
    remove = [found.region] if found.region is not None else []
    if found.region is not None and protect is not None and \
            (found.region is protect or any(a is found.region for a in protect.iterancestors())):
        # Comments and article share a container (Movable Type and others): take the comments
        # out one by one, never the container.
        found.region = None
        remove = list(found.items)
    remove.extend(region_hint or named())
    remove.extend(forms)
    found.remove = remove
    return found
