"""Title, byline and date from the page's own metadata, cheapest sources first: Open Graph and
article meta tags, schema.org microdata/JSON-LD, then visible markup."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from pagetrail.segment.model import normalise_text
from pagetrail.segment.textutil import PageAttributes

TITLE_XPATHS = (
    "//meta[@property='og:title']/@content",
    "//meta[@name='twitter:title']/@content",
    "(//*[self::h1 or self::h2 or self::h3][contains(@class, 'entry-title') or contains(@class, 'post-title') "
    "or contains(@class, 'article-title') or contains(@class, 'headline') or @itemprop='headline'])[1]",
    "(//article//h1 | //main//h1)[1]",
    "(//h1)[1]",
    "//title",
)
BYLINE_XPATHS = (
    "//meta[@name='author']/@content",
    "//meta[@property='article:author' and not(starts-with(@content, 'http'))]/@content",
    "(//*[@itemprop='author' and not(ancestor::*[@itemtype][1][contains(@itemtype, 'Comment')])]"
    "//*[@itemprop='name'])[1]",
    "(//*[@itemprop='author' and not(ancestor::*[@itemtype][1][contains(@itemtype, 'Comment')])])[1]",
    "(//a[@rel='author'])[1]",
    "(//*[contains(concat(' ', @class, ' '), ' byline ') or contains(@class, 'author-name') or "
    "contains(concat(' ', @class, ' '), ' entry-author ')])[1]",
)
DATE_XPATHS = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "(//*[@itemprop='datePublished' and not(ancestor::*[contains(@itemtype, 'Comment')])]/@datetime)[1]",
    "//meta[@name='date' or @name='pubdate' or @name='publishdate' or @name='DC.date.issued' or "
    "@name='dc.date' or @name='sailthru.date' or @name='parsely-pub-date']/@content",
    "(//article//time[@datetime and not(ancestor::*[contains(@class, 'comment')])]/@datetime)[1]",
    "(//time[contains(@class, 'published') or contains(@class, 'entry-date')]/@datetime)[1]",
)

_CLASSES = etree.XPath("//@class")


_ITEMPROPS = etree.XPath("//*[@itemprop]")


class _Page:
    """What several finders look through: the page's attribute index (the pipeline's, shared
    with the later steps), which answers the itemprop, class, rel and script-type searches
    without a walk of the page each (0.40 -> 0.16 s on the 1,117 pages). The XPaths are absolute and
    also search what libxml2 put beside the root (a second <html> on a few pages), which the
    index leaves out: such pages are searched with them."""

    def __init__(self, root: etree._Element, attributes: PageAttributes | None = None) -> None:
        self.root = root
        self.attributes = attributes if attributes is not None else PageAttributes(root)
        # siblings: nodes beside the root (elements, comments), which the XPaths would search
        self.whole = next(root.itersiblings(), None) is None and next(root.itersiblings(preceding=True), None) is None
        self._itemprops: list[etree._Element] | None = None

    def itemprops(self, value: str) -> Iterator[etree._Element]:
        if self.whole:
            return (el for _i, el, v in self.attributes.named("itemprop") if v == value)
        if self._itemprops is None:
            self._itemprops = _ITEMPROPS(self.root)
        return (el for el in self._itemprops if el.get("itemprop") == value)

    def classes(self) -> Iterator[tuple[etree._Element, str]]:
        """Every class attribute's element and value, in document order."""
        if self.whole:
            return ((el, v) for _i, el, v in self.attributes.named("class"))
        return ((v.getparent(), v) for v in _CLASSES(self.root))


def _in_comment_item(el: etree._Element) -> bool:
    """``ancestor::*[@itemtype][1][contains(@itemtype, 'Comment')]``: the nearest typed item
    around ``el`` is a comment."""
    for anc in el.iterancestors():
        itemtype = anc.get("itemtype")
        if itemtype is not None:
            return "Comment" in itemtype
    return False


def _byline_author_name(page: _Page) -> list[etree._Element]:
    """BYLINE_XPATHS[2] in Python: the first itemprop=name inside an itemprop=author that is
    not a comment's."""
    for el in page.itemprops("name"):
        if any(a.get("itemprop") == "author" and not _in_comment_item(a) for a in el.iterancestors()):
            return [el]
    return []


def _byline_author(page: _Page) -> list[etree._Element]:
    """BYLINE_XPATHS[3] in Python."""
    return next(([el] for el in page.itemprops("author") if not _in_comment_item(el)), [])


def _byline_rel(page: _Page) -> list[etree._Element]:
    """BYLINE_XPATHS[4] in Python, over the page's links only."""
    return next(([el] for _i, el, v in page.attributes.named("rel") if v == "author" and el.tag == "a"), [])


def _date_published(page: _Page) -> list[str]:
    """DATE_XPATHS[2] in Python: the datetime of the first itemprop=datePublished (with one)
    outside any comment item."""
    for el in page.itemprops("datePublished"):
        value = el.get("datetime")
        if value is not None and not any("Comment" in (a.get("itemtype") or "") for a in el.iterancestors()):
            return [value]
    return []


def _date_article_time(page: _Page) -> list[str]:
    """DATE_XPATHS[4] in Python, over the page's datetime attributes: the first <time> inside
    an <article> with no ancestor whose class says comment."""
    if not page.whole:
        return _xpath(DATE_XPATHS[4])(page.root)
    for _i, el, value in page.attributes.named("datetime"):
        if el.tag == "time":
            above = list(el.iterancestors())
            if any(a.tag == "article" for a in above) and not any("comment" in (a.get("class") or "") for a in above):
                return [value]
    return []


def _date_time_class(page: _Page) -> list[str]:
    """DATE_XPATHS[5] in Python, over the page's datetime attributes (few: the first <time>
    with one and a published or entry-date class is the XPath's first)."""
    if not page.whole:
        return _xpath(DATE_XPATHS[5])(page.root)
    for _i, el, when in page.attributes.named("datetime"):
        if el.tag == "time":
            value = el.get("class") or ""
            if "published" in value or "entry-date" in value:
                return [when]
    return []


def _title_heading(page: _Page) -> list[etree._Element]:
    """TITLE_XPATHS[2] in Python: libxml2 would build a string for every element's class."""
    for el in page.root.iter("h1", "h2", "h3"):
        cls = el.get("class") or ""
        if ("entry-title" in cls or "post-title" in cls or "article-title" in cls or "headline" in cls
                or el.get("itemprop") == "headline"):
            return [el]
    return []


def _title_article_h1(page: _Page) -> list[etree._Element]:
    """TITLE_XPATHS[3] in Python: the first <h1> inside an <article> or <main> (libxml2 walks
    the page twice for the union, then sorts it, for its first node)."""
    if not page.whole:
        return _xpath(TITLE_XPATHS[3])(page.root)
    return next(([h] for h in page.root.iter("h1") if any(a.tag in ("article", "main") for a in h.iterancestors())), [])


def _title_h1(page: _Page) -> list[etree._Element]:
    """TITLE_XPATHS[4] in Python: the page's first <h1>."""
    if not page.whole:
        return _xpath(TITLE_XPATHS[4])(page.root)
    return next(([h] for h in page.root.iter("h1")), [])


def _byline_class(page: _Page) -> list[etree._Element]:
    """BYLINE_XPATHS[5] in Python, over the page's class values (document order)."""
    for el, value in page.classes():
        # every test needs one of the words in the value: a C-level test first for the many
        # values without them
        if "byline" in value or "author-name" in value or "entry-author" in value:
            padded = f" {value} "
            if " byline " in padded or "author-name" in value or " entry-author " in padded:
                return [el]
    return []


#: XPaths above that are cheaper as a Python search; same result, same order.
FINDERS = {TITLE_XPATHS[2]: _title_heading, TITLE_XPATHS[3]: _title_article_h1, TITLE_XPATHS[4]: _title_h1,
           BYLINE_XPATHS[2]: _byline_author_name, BYLINE_XPATHS[3]: _byline_author,
           BYLINE_XPATHS[4]: _byline_rel, BYLINE_XPATHS[5]: _byline_class, DATE_XPATHS[2]: _date_published,
           DATE_XPATHS[4]: _date_article_time, DATE_XPATHS[5]: _date_time_class}


@dataclass
class Metadata:
    title: str | None = None
    byline: str | None = None
    date: str | None = None


_COMPILED: dict[str, etree.XPath] = {}


def _xpath(expr: str) -> etree.XPath:
    if expr not in _COMPILED:
        _COMPILED[expr] = etree.XPath(expr)
    return _COMPILED[expr]


_META_XPATH = re.compile(r"//meta\[(.+?)( and not\(starts-with\(@content, 'http'\)\))?\]/@content")
_META_TERM = re.compile(r"@([a-z]+)='([^'\\]*)'")


def _meta_plan(xp: str) -> tuple[dict[str, frozenset[str]], bool] | None:
    """For ``//meta[@a='v' or @b='w' ...]/@content`` (with or without ``and not(starts-with(
    @content, 'http'))``): the values wanted per attribute and whether http contents are
    left out; None for any other XPath. Read from the XPath itself, and only when its predicate
    is exactly those terms."""
    m = _META_XPATH.fullmatch(xp)
    if m is None:
        return None
    terms = _META_TERM.findall(m.group(1))
    if not terms or " or ".join(f"@{a}='{v}'" for a, v in terms) != m.group(1):
        return None
    wanted: dict[str, set[str]] = {}
    for attr, value in terms:
        wanted.setdefault(attr, set()).add(value)
    return {a: frozenset(v) for a, v in wanted.items()}, m.group(2) is not None


_META_PLANS = {xp: plan for xp in (*TITLE_XPATHS, *BYLINE_XPATHS, *DATE_XPATHS) if (plan := _meta_plan(xp))}


def _meta_contents(page: _Page, head: etree._Element | None, plan: tuple[dict[str, frozenset[str]], bool]) -> list[str]:
    """What a ``_META_PLANS`` XPath returns (below ``head`` when there is one), from the
    attribute index: libxml2 set up and ran seven XPaths a page for a handful of <meta>s."""
    wanted, no_http = plan
    hits = sorted((entry for attr, values in wanted.items() for entry in page.attributes.named(attr)
                   if entry[2] in values and entry[1].tag == "meta"), key=lambda entry: entry[0])
    out = []
    for el in dict.fromkeys(el for _i, el, _v in hits):
        content = el.get("content")
        if content is None or (no_http and content.startswith("http")):
            continue
        if head is None or any(a is head for a in el.iterancestors()):
            out.append(content)
    return out


def _first(page: _Page, xpaths: tuple[str, ...], max_len: int) -> str | None:
    root = page.root
    head = root.find("head")
    for xp in xpaths:
        if xp in FINDERS:
            found_all = FINDERS[xp](page)
        elif page.whole and xp in _META_PLANS:
            found_all = _meta_contents(page, head, _META_PLANS[xp])
        elif head is not None and xp.startswith("//meta"):
            # <meta> tags live in <head>: searching only there is much cheaper than the whole page
            found_all = _xpath("." + xp)(head)
        else:
            found_all = _xpath(xp)(root)
        for found in found_all:
            text = normalise_text(found if isinstance(found, str) else found.text_content())
            if text and len(text) <= max_len:
                return text
    return None


def _jsonld(page: _Page) -> dict:
    # the JSON-LD scripts from the index's type attributes: walking the page's scripts cost
    # 0.16 s on the 1,117 pages, the index 0.01 s
    for _i, script, kind in page.attributes.named("type"):
        if "ld+json" not in kind or script.tag != "script":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            if isinstance(item, dict) and re.search(r"Article|Posting|BlogPosting|Report", str(item.get("@type", ""))):
                return item
    return {}


def read_metadata(root: etree._Element, attributes: PageAttributes | None = None) -> Metadata:
    """The page's title, byline and date (``attributes``: the page's attribute index, when the
    caller has one). Every source is looked for in the tree itself: a substring pre-test over
    the page source (tried in round 2) cost more than the tree searches it skipped (0.90 s
    against 0.76 s on the comments set), since most pages hold the strings."""
    page = _Page(root, attributes)
    ld = _jsonld(page)
    title = _first(page, TITLE_XPATHS, 300)
    byline = _first(page, BYLINE_XPATHS, 100)
    date = _first(page, DATE_XPATHS, 40)
    author = ld.get("author")
    if isinstance(author, list) and author:
        author = author[0]
    if isinstance(author, dict):
        author = author.get("name")
    if not byline and isinstance(author, str):
        byline = normalise_text(author) or None
    if not date and isinstance(ld.get("datePublished"), str):
        date = ld["datePublished"]
    if byline:
        byline = re.sub(r"^by\s+", "", byline, flags=re.I)
    return Metadata(title=title, byline=byline, date=date)
