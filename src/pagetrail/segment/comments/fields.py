"""The fields of one comment element: author, date, text (without the comment's chrome: reply
links, avatars, "says:", votes), id and permalink. The XPaths tried are patterns.AUTHOR_XPATH,
DATE_XPATH and TEXT_XPATH, in order."""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.xpaths import Marked, skipped
from pagetrail.segment.model import normalise_text
from pagetrail.segment.textutil import text_of

_DIGIT = re.compile(r"\d")
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def _clean_author(text: str) -> str | None:
    text = P.SAYS.sub("", normalise_text(text))
    text = P.AUTHOR_PREFIX.sub("", text).strip(" :-|")
    if not text or len(text) > P.AUTHOR_MAX_CHARS:
        return None
    return text


def _author(marked: Marked, skip: set) -> tuple[str | None, etree._Element | None]:
    for _i, found in marked.found(P.AUTHOR_XPATH, skip):
        # "by NAME » DATE": the name is the link or bold part when there is one.
        raw = found.text_content()
        # The inner part is looked for only on a line that needs it (a date, many words).
        if P.PRINTED_DATE.search(raw) or len(raw.split()) > P.AUTHOR_LINE_MAX_WORDS:
            inner = next((x for x in found.iter("a", "strong", "b", "cite") if x is not found and text_of(x)), None)
            if inner is not None:
                raw = inner.text_content()
        author = _clean_author(raw)
        if author:
            return author, found
    return None, None


def _date_from(node: etree._Element | None, comment_text: Callable[[], str]) -> str | None:
    """The comment's date from ``node`` (what DATE_XPATH found), else printed in the first lines
    of ``comment_text()``."""
    if node is not None:
        for name in P.DATE_ATTRIBUTES:
            v = node.get(name)
            if v and _DIGIT.search(v):
                return v.strip()
        t = normalise_text(node.text_content())
        printed = _printed_date(t)
        if printed:
            return printed
        if t and len(t) < P.DATE_MAX_CHARS and _DIGIT.search(t):
            return t
    return _printed_date(comment_text()[:P.DATE_HEAD_CHARS])


def comment_id(el: etree._Element) -> str | None:
    """The comment's id: its own id (``li-comment-12`` is ``comment-12``), a key attribute, or
    the anchor just before or inside it."""
    cid = el.get("id") or ""
    m = P.WRAPPED_ID.match(cid)
    if m:
        return m.group(1)
    if cid:
        return cid
    for name in P.KEY_ATTRIBUTES:
        if el.get(name):
            return f"comment-{el.get(name)}"
    # Drupal and others put <a id="comment-12"></a> just before the comment.
    prev = el.getprevious()
    if prev is not None and prev.tag == "a" and (prev.get("id") or prev.get("name")):
        return prev.get("id") or prev.get("name")
    first = el.find(".//a[@name]")
    if first is not None and _DIGIT.search(first.get("name") or ""):
        return first.get("name")
    return None


def _permalink(el: etree._Element, cid: str | None, skip: set) -> str | None:
    for a in el.iter("a"):
        if skipped(a, el, skip):
            continue
        href = a.get("href") or ""
        if (cid and href.endswith("#" + cid)) or P.PERMALINK.search(href):
            return href
    return None


def _may_have_chrome(blob: str) -> bool:
    return (P.CHROME_CLASS.prefilter(blob)
            or any(w in blob for w in P.CHROME_CLASS_WORDS) or any(w in blob for w in P.CHROME_ITEMPROPS))


def _chrome_nodes(node: etree._Element, marked: Marked) -> list[etree._Element]:
    """The parts of a comment that are not its text (patterns.CHROME_CLASS and friends) below
    ``node`` (the comment or its body). Class tokens are split on XML white space."""
    out = []
    # Only elements with a class or itemprop can be chrome: below the comment itself, those
    # are the ones ``marked`` has listed already.
    below = marked.els if node is marked.el else node.iterdescendants(etree.Element)
    for x in below:
        cls = x.get("class")
        if cls is not None and (P.CHROME_CLASS.search(cls)
                                or not P.CHROME_CLASS_WORDS.isdisjoint(_XML_SPACE.split(cls))):
            out.append(x)
        elif x.get("itemprop") in P.CHROME_ITEMPROPS:
            out.append(x)
    return out


def trailer_after(el: etree._Element, nested: set | frozenset = frozenset()) -> etree._Element | None:
    """The comment's "Posted by: NAME at DATE" line when it is the element just after the comment
    (Movable Type, TypePad and others): part of the comment, though outside its element."""
    after = el.getnext()
    if after is not None and isinstance(after.tag, str) and after not in nested \
            and P.TRAILER_CLASS.search(after.get("class") or ""):
        return after
    return None


def _trailer_line(marked: Marked, nested: set, skip: set) -> str | None:
    """The "Posted by: NAME | DATE" line of a comment: an element with a trailer class in it, or
    just after it."""
    el = marked.el
    for x in marked.with_class(P.TRAILER_CLASS):
        if not skipped(x, el, skip):
            return text_of(x)
    after = trailer_after(el, nested)
    return text_of(after) if after is not None else None


def _meta_date(marked: Marked, skip: set) -> str | None:
    """A date no pattern reads (another language, another format) as printed on the comment's
    meta line, so that a change to it is still seen: a short line with a digit."""
    for x in marked.with_class(P.TRAILER_CLASS):
        if not skipped(x, marked.el, skip):
            t = text_of(x)
            if t and len(t) < P.DATE_MAX_CHARS and _DIGIT.search(t):
                return t
    return None


def _title(marked: Marked, body: etree._Element, skip: set) -> str | None:
    """The comment's title or subject line, outside its body (Drupal, Joomla comment systems,
    forums): the commenter wrote it, so it is part of the text compared."""
    for x in marked.with_class(P.COMMENT_TITLE):
        if x is body or skipped(x, marked.el, skip):
            continue
        if any(a is body for a in x.iterancestors()) or any(d is body for d in x.iterdescendants()):
            continue
        t = text_of(x)
        return t if t and len(t) <= P.COMMENT_TITLE_MAX_CHARS else None
    return None


def _printed_date(text: str) -> str | None:
    """The first printed date in ``text``, with its time of day ("at 2:29 pm") when one follows."""
    m = P.PRINTED_DATE.search(text)
    if not m:
        return None
    tail = P.DATE_TIME_TAIL.match(text[m.end():])
    return (m.group(0) + (tail.group(0) if tail else "")).strip()


def _trailer(marked: Marked, nested: set, skip: set, author: str | None,
             date: str | None) -> tuple[str | None, str | None]:
    """Author and date from the comment's "Posted by" line, where the markup gave none."""
    line = _trailer_line(marked, nested, skip)
    if line is None:
        return author, date
    if date is None:
        date = _printed_date(line)
    if author is None:
        m = P.TRAILER_AUTHOR.search(line)
        author = _clean_author(m.group(1)) if m else None
    return author, date


def read_comment(el: etree._Element, nested: set, skip: set | None = None) -> dict:
    """author, date, text, id, permalink (and the body element) of one comment element;
    ``nested`` are the other comment elements (replies) whose text must not be counted here.
    ``skip``: those of them inside ``el``, when the caller knows them (default: ``nested``
    without ``el``, the same as far as ``el``'s subtree is concerned)."""
    if skip is None:
        skip = nested - {el}
    plain: dict[etree._Element, str] = {}

    def text_without(node: etree._Element, chrome: set | frozenset = frozenset()) -> str:
        # The text of a node without the replies (and ``chrome``): without chrome, read once
        # (the date's fallback, the body test and the text itself often ask for the same one).
        if chrome:
            return text_of(node, skip | chrome)
        if node not in plain:
            plain[node] = text_of(node, skip)
        return plain[node]

    marked = Marked(el)
    blob = marked.blob
    author, author_el = _author(marked, skip)
    at, date_node = next(marked.found(P.DATE_XPATH, skip), (len(P.DATE_XPATH), None))
    date = _date_from(date_node, lambda: text_without(el))
    # The machine-readable date element is the comment's metadata, not its text.
    meta_els = [x for x in (author_el, date_node if at < P.DATE_MACHINE_XPATHS else None) if x is not None]
    body, fallback = None, None
    for _i, found in marked.found(P.TEXT_XPATH, skip):
        if fallback is None:
            fallback = found
        # A wrapper that also holds the author line is not the body when a tighter one exists.
        if any(m is found or any(a is found for a in m.iterancestors()) for m in meta_els):
            continue
        if text_without(found):
            body = found
            break
    body = body if body is not None else fallback

    def chrome_in(node: etree._Element) -> set:
        # Searched below the body only (or the comment without its replies' subtrees), so a
        # long thread is not searched again for every comment in it. Only what is below
        # ``node`` can change its text: an author line outside the body left in the set made
        # the body's text be read a second time (with the set) instead of reusing the read
        # done when the body was chosen.
        meta = meta_els if node is el else [m for m in meta_els if any(a is node for a in m.iterancestors())]
        if not _may_have_chrome(blob):
            return set(meta)
        return {c for c in _chrome_nodes(node, marked) if not skipped(c, el, skip)}.union(meta)

    text = ""
    if body is not None:
        text = text_without(body, {c for c in chrome_in(body) if c is not body}) or text_without(body)
    if not text:
        text = text_without(el, chrome_in(el)) or text_without(el)
    text = P.LEADING_SAYS.sub("", text)
    if body is not None and text:
        title = _title(marked, body, skip)
        if title and title not in (author, date) and not text.startswith(title):
            text = f"{title} {text}"
    if author is None or date is None:
        author, date = _trailer(marked, nested, skip, author, date)
    if date is None:
        date = _meta_date(marked, skip)
    cid = comment_id(el)
    return {"id": cid, "author": author, "date": date, "text": text, "permalink": _permalink(el, cid, skip),
            "body": body if body is not None and text else None}
