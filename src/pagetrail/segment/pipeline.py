"""The segmenter's pipeline: decode -> parse -> site rules -> comments found -> ads found ->
ads, comments and forms removed -> article extracted. Each step is a module of its own; this one
only orders them and turns what they find into a Snapshot."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from lxml import etree

from pagetrail.seeds import SiteRules
from pagetrail.segment import ads as A
from pagetrail.segment import patterns_ads as PA
from pagetrail.segment import patterns_article as P
from pagetrail.segment.article import extract_article, own_blocks
from pagetrail.segment.comments import find_comments, jsonld_comments, read_comment
from pagetrail.segment.comments.patterns import WALKED_TAGS as COMMENT_WALKED_TAGS
from pagetrail.segment.content import content_root
from pagetrail.segment.decode import decode, utf8_of
from pagetrail.segment.metadata import read_metadata
from pagetrail.segment.model import Ad, Article, Snapshot, normalise_text
from pagetrail.segment.parse import parse
from pagetrail.segment.promos import find_promos
from pagetrail.segment.rules import apply_rules
from pagetrail.segment.textutil import (
    DocOrder,
    PageAttributes,
    any_of,
    attrs,
    remove,
    slot_path,
    text_of,
)

TIME_BUDGET = P.TIME_BUDGET
#: Any of the sidebar tokens in a lowercased class or id value (one C-level search, not a
#: Python-level test per token).
_SIDEBAR = any_of(P.SIDEBAR_TOKENS)
_HEADER = any_of(P.HEADER_TOKENS)
_FOOTER = any_of(P.FOOTER_TOKENS)
_SIDEBAR_TAGS = frozenset(("div", "section", "aside"))


class _Positions:
    """Where an element sits relative to the article and the comments, in the document order
    of the tree as it is when this is made (nothing is removed before the ads are placed)."""

    def __init__(self, root: etree._Element, article: etree._Element | None, comments: etree._Element | None) -> None:
        self.order = DocOrder(root)
        self.rank, self.key = self.order.rank, self.order.key
        self.article, self.comments = article, comments
        self.a_start = self.key(article) if article is not None else None
        self.c_start = self.key(comments) if comments is not None else None

    def of(self, el: etree._Element) -> str:
        chain = [el, *el.iterancestors()]
        if self.comments is not None and any(a is self.comments for a in chain):
            return "in-comments"
        if self.article is not None and any(a is self.article for a in chain):
            return "in-article"
        for a in chain:
            tokens = attrs(a).lower()
            if a.tag in ("header", "nav") or _HEADER.search(tokens):
                return "header"
            if a.tag == "footer" or _FOOTER.search(tokens):
                return "footer"
            if a.tag == "aside" or _SIDEBAR.search(tokens):
                return "sidebar"
        i = self.rank(el)
        if i is None or self.a_start is None:
            return "unknown"
        if i < self.a_start:
            return "header"
        if self.c_start is not None:
            return "between-article-and-comments" if i < self.c_start else "footer"
        return "after-article"


def _links(el: etree._Element) -> list[str]:
    return [a.get("href") for a in el.iter("a") if a.get("href")]


def _head_text(el: etree._Element, n: int) -> str:
    """The first ``n`` characters of ``el.text_content()``, without building all of it (a
    page wrapped in one big <form> would otherwise be copied out whole)."""
    parts, size = [], 0
    for piece in el.itertext():
        parts.append(piece)
        size += len(piece)
        if size >= n:
            break
    return "".join(parts)[:n]


#: The tags of one walk serving the promo regions (<aside>) and the chrome (patterns_article.CHROME).
_WALKED_TAGS = tuple(dict.fromkeys(("aside", *(tag for tag, *_ in P.CHROME))))


def _walk(page_attrs: PageAttributes) -> dict[str, list[etree._Element]]:
    """The elements of each of _WALKED_TAGS, in document order: one libxml2 walk of the page for
    the promo regions, the chrome and EasyList's tag selectors (nothing changes the tree between
    them: PageAttributes.tagged), where each walked it (a walk of a comments page costs ~75 us;
    -0.07 s on the comments set a walk)."""
    tagged: dict[str, list[etree._Element]] = {tag: [] for tag in _WALKED_TAGS}
    for el in page_attrs.tagged(_WALKED_TAGS):
        tagged[el.tag].append(el)
    return tagged


def _chrome_elements(tagged: dict[str, list[etree._Element]], page_attrs: PageAttributes,
                     order: Callable[[etree._Element], tuple[int, ...]]) -> Iterator[tuple[etree._Element, str]]:
    """The page's chrome (patterns_article.CHROME), kind by kind, each kind in document order. Tags are
    found by libxml2's own tag walk (``tagged``: _walk's) and roles in the shared attribute
    index: five XPaths over the whole page cost more than everything done with what they found.
    ``order`` gives sort keys in the document order of the tree as it is now."""
    roles: dict[str, list[etree._Element]] = {}
    for _i, el, value in page_attrs.named("role"):
        roles.setdefault(value, []).append(el)
    for tag, role, not_in_article, what in P.CHROME:
        els = [el for el in tagged[tag]
               if not (not_in_article and any(a.tag == "article" for a in el.iterancestors()))]
        by_role = roles.get(role, []) if role else []
        if by_role:
            els = sorted(dict.fromkeys(els + by_role), key=order)
        for el in els:
            yield el, what


def _chrome(tagged: dict[str, list[etree._Element]], page_attrs: PageAttributes,
            order: Callable[[etree._Element], tuple[int, ...]]) -> list[str]:
    """Descriptions of the page's chrome for Snapshot.ignored (the first 30); ``tagged``: _walk's."""
    out: list[str] = []
    for el, what in _chrome_elements(tagged, page_attrs, order):
        text = normalise_text(_head_text(el, 400))
        if text:
            out.append(f"{what}: {text[:60]}{'…' if len(text) > 60 else ''}")
            if len(out) >= 30:
                break
    return out


def _block_of(el: etree._Element) -> etree._Element:
    """The nearest block-level ancestor of an inline element (a link's paragraph)."""
    for anc in el.iterancestors():
        if anc.tag in P.LINK_BLOCK_TAGS:
            return anc
    return el


def _after_article(article: etree._Element | None, comments: etree._Element | None) -> list[etree._Element]:
    """Siblings that follow the article up to the comments: where injected promos also land."""
    if article is None:
        return []
    out = []
    for sib in article.itersiblings():
        if comments is not None and (sib is comments or any(a is sib for a in comments.iterancestors())):
            break
        if len(out) >= P.AFTER_ARTICLE_BLOCKS:
            break
        if isinstance(sib.tag, str) and sib.tag not in P.NOT_AFTER_ARTICLE_TAGS:
            out.append(sib)
    return out


def _promo_regions(root: etree._Element, tagged: dict[str, list[etree._Element]], article: etree._Element,
                   comments: etree._Element | None,
                   page_attrs: PageAttributes,
                   order: Callable[[etree._Element], tuple[int, ...]]) -> tuple[list[etree._Element], int]:
    """Where injected promos are looked for: the article (or the <article>/<main> element around
    it), what follows it up to the comments, and the sidebars; never the comments. Also how many
    of them (the first ones) are the article, whose words tell what is on its topic. ``order``
    gives document-order sort keys (the ads' positions' own: the tree has not changed since);
    ``tagged``: _walk's."""
    scope = article
    for anc in article.iterancestors():
        if anc.tag in ("body", "html") or (comments is not None and _holds(anc, comments)):
            break
        if anc.tag in ("article", "main"):
            scope = anc
            break
    regions = [scope, *_after_article(scope, comments)]
    in_article = len(regions)
    taken = set(regions) | ({comments} if comments is not None else set())
    holding = {a for el in taken for a in el.iterancestors()}  # would swallow a region
    sidebars = set(tagged["aside"])
    verdicts: dict[str, bool] = {}  # a page repeats its class values: each is tested once
    for name in ("class", "id"):
        for _i, el, value in page_attrs.named(name):
            if el.tag in _SIDEBAR_TAGS:
                found = verdicts.get(value)
                if found is None:
                    found = verdicts[value] = _SIDEBAR.search(value.lower()) is not None
                if found:
                    sidebars.add(el)
    for el in sorted(sidebars, key=order):  # outer ones first
        if el in holding or el in taken or any(a in taken for a in el.iterancestors()):
            continue
        regions.append(el)
        taken.add(el)
    # Last, the rest of the page (the article container is an estimate; a promo injected beside it
    # is still article text to trafilatura), without the comments.
    body = root.find("body")
    if body is not None and body not in taken:
        regions.append(body)
    return regions, in_article


def _holds(el: etree._Element, other: etree._Element) -> bool:
    return el is other or any(a is el for a in other.iterancestors())


def segment(html: bytes, url: str, rules: SiteRules | None = None, content_type: str | None = None) -> Snapshot:
    """Split one page into article, ads and comments. Raises SegmentError for binary bodies."""
    started = time.monotonic()
    snap = Snapshot(url=url)
    text, snap.charset = decode(html, content_type)
    if not text or text.isspace():
        snap.warnings.append("empty body: nothing to segment")
        return snap
    root, warnings = parse(text, utf8_of(text, html, snap.charset))
    snap.warnings.extend(warnings)
    picked = apply_rules(root, rules)
    snap.warnings.extend(picked.warnings)
    # One walk over the page's attributes, shared by the metadata, comment, ad and chrome steps.
    # One walk for the ad frames and the dropped elements before the drop, one for the comment
    # steps, EasyList's tags, the sidebars and the chrome after it (PageAttributes.tagged).
    page_attrs = PageAttributes(root, walk=(*_WALKED_TAGS, *COMMENT_WALKED_TAGS, *PA.FRAME_TAGS, *P.DROP_TAGS))
    meta = read_metadata(root, page_attrs)
    jsonld = jsonld_comments(page_attrs)

    def over_budget(step: str) -> bool:
        if time.monotonic() - started > TIME_BUDGET:
            snap.warnings.append(f"time bound hit: skipped {step}")
            return True
        return False

    hits: list[A.AdHit] = [A.AdHit(el, "ad-unit", "site rule") for el in picked.ads]
    keep_for_frames = picked.article + picked.comments
    hits += A.find_ad_frames(root, url, keep_for_frames, page_attrs)
    hit_els = {h.el for h in hits}  # elements hash by identity: one lookup, not a scan of the hits
    dropped = [el for el in page_attrs.tagged(P.DROP_TAGS) if el not in hit_els]
    for el in dropped:
        remove(el)
    page_attrs.removed(dropped)
    body = root.find("body")

    def body_chars() -> int:
        # Asked only when an ad unit is found. The length is the same at any point before the
        # removals below: the comment step only wraps and re-inserts elements (no text added or lost).
        return len(body.text_content()) if body is not None else 0

    article_el = picked.article[0] if picked.article else content_root(root)
    found = find_comments(root, protect=article_el, region_hint=picked.comments or None, jsonld=jsonld,
                           attributes=page_attrs)
    snap.comments = found.comments
    comment_region = found.region if found.region is not None else (picked.comments[0] if picked.comments else None)
    if found.first_post is not None and not picked.article:
        article_el = found.first_post
    keep = [x for x in (article_el, comment_region) if x is not None] + picked.comments
    positions = _Positions(root, article_el, comment_region)

    if not over_budget("EasyList element hiding"):
        hits += A.find_ad_units(root, url, keep, body_chars, page_attrs)
    unit_els = {h.el for h in hits}
    in_unit = lambda el: any(a in unit_els for a in el.iterancestors())  # noqa: E731
    hits = [h for h in hits if not in_unit(h.el)]
    unit_els = {h.el for h in hits}

    promos: list[A.AdHit] = []
    tagged = _walk(page_attrs)
    if article_el is not None and not over_budget("promo text"):
        unit_of = {h.el: h for h in hits}
        regions, in_article = _promo_regions(root, tagged, article_el, comment_region, page_attrs, positions.key)
        # Comments are neither searched for promos nor the article's words; where they share the
        # article's container (no region), each comment is left out on its own.
        not_article = [comment_region] if comment_region is not None else found.items
        for p in find_promos(regions, url, A.is_paid, in_article, exclude=not_article):
            block = p.runs[-1].block
            unit = unit_of.get(block)
            if unit is not None:
                if len(p.runs) > 1 and not unit.extra and p.span is None:
                    # A site rule (or ad unit) matched the promo's own block: its lead-in goes with it.
                    unit.extra, unit.text = p.whole_blocks()[:-1], p.text
            elif not in_unit(block) and not A.protected(block, [comment_region] if comment_region is not None else []):
                promos.append(A.AdHit(block, "promo-text", p.reason, links=p.links, text=p.text, promo=p))
    # links inside a promo are part of it, not ads of their own
    promo_links = {a for p in promos for r in p.promo.runs for el in r.elements() for a in el.iter("a")}
    link_hits = []
    for h in A.find_ad_links(root, url, page_attrs):
        if h.el in unit_els or in_unit(h.el) or h.el in promo_links:
            continue
        pos = positions.of(h.el)
        block = _block_of(h.el)
        link_text = text_of(h.el)
        # A block that is just the paid link with a call to action ("Buy on Amazon", "Get the
        # deal") is the ad itself; product names linked inside prose stay in the article.
        standalone = (len(link_text) >= PA.PAID_LINK_BLOCK_SHARE * max(1, len(text_of(block)))
                      and (not link_text or A.is_call_to_action(text_of(block))))
        if pos != "in-comments" and standalone and not A.protected(block, keep):
            h.el = block  # the block is the ad: a "buy on ..." button or a bare link
        link_hits.append((h, pos, standalone and pos != "in-comments"))

    found_ads: list[tuple[int, Ad]] = []
    for h in hits + promos:
        links = h.links if h.promo is not None else list(dict.fromkeys(h.links + _links(h.el)))
        found_ads.append((positions.key(h.el), Ad(kind=h.kind, text=h.text if h.text is not None else text_of(h.el),
                           links=links,
                           position=positions.of(h.el), slot=slot_path(h.el), reason=h.reason)))
    for h, pos, whole_block in link_hits:
        # A paid link inside someone's sentence: the words are the author's (an edit to them is an
        # article or comment change), so the ad is the link alone; its anchor goes in the reason.
        text = text_of(h.el) if whole_block else ""
        reason = h.reason if whole_block else f"{h.reason}; in the text: {text_of(h.el)[:80]!r}"
        found_ads.append((positions.key(h.el), Ad(
            kind=h.kind, text=text, links=h.links, position=pos, slot=slot_path(h.el), reason=reason)))
    snap.ads = [ad for _i, ad in sorted(found_ads, key=lambda pair: pair[0])]

    # Remove everything that is not article before the article is extracted.
    doomed = [h.el for h in hits] + [e for h in hits for e in h.extra]
    doomed += [h.el for h, _pos, drop in link_hits if drop]
    doomed += found.remove
    snap.ignored = _chrome(tagged, page_attrs, positions.key)
    for p in promos:
        p.promo.cut()
        doomed += [r.block for r in p.promo.runs if not "".join(r.block.itertext()).strip()]
    for el in doomed:
        if el.getparent() is not None and not A.protected(el, [article_el] if article_el is not None and el is not comment_region else []):
            remove(el)
    if found.first_post is not None and not picked.article:
        # A forum thread: the opening post is the article, read like a comment.
        rec = read_comment(found.first_post, set())
        snap.article = Article(title=normalise_text(meta.title or ""), byline=rec["author"] or meta.byline,
                               date=rec["date"] or meta.date,
                               blocks=own_blocks(rec["body"] if rec["body"] is not None else found.first_post))
    else:
        snap.article = extract_article(root, url, meta, picked.article or None,
                                       fallback=article_el if article_el is not None else root.find("body"),
                                       attributes=page_attrs)
    return snap
