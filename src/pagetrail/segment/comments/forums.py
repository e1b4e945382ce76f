"""Forum threads: two or more sibling posts with post ids (``p123``, ``post_123``) and post
classes, most of them dated. The first post is the thread's article, the others its comments -
but only when the page's main text sits in the posts (else it is a list of teasers)."""

from __future__ import annotations

from lxml import etree

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.regions import looks_like_comment
from pagetrail.segment.textutil import PageAttributes


def forum_posts(attributes: PageAttributes) -> list[etree._Element]:
    """The largest group of sibling posts, when most of them carry a date."""
    groups: dict[etree._Element, list[etree._Element]] = {}
    for el in attributes.elements({"id": P.FORUM_ID.match}):
        if el.tag in P.FORUM_TAGS and P.FORUM_CLASS.search(el.get("class") or ""):
            parent = el.getparent()
            if parent is not None:
                groups.setdefault(parent, []).append(el)
    best = max(groups.values(), key=len, default=[])
    if len(best) < P.FORUM_MIN_POSTS or sum(map(looks_like_comment, best)) * 2 <= len(best):
        return []
    return best


def thread(attributes: PageAttributes, protect: etree._Element | None) -> list[etree._Element]:
    """The posts of the forum thread this page is (the opening post first), or []."""
    posts = forum_posts(attributes)
    if len(posts) < P.FORUM_MIN_POSTS:
        return []
    inside = set() if protect is None else {protect, *protect.iterancestors()}
    # A thread only when the page's main text sits in its posts (else: a teaser list), and in
    # the opening post, not a reply.
    if protect is not None and not any(p in inside for p in posts):
        return []
    if any(p in inside for p in posts[1:]):
        return []
    return posts
