"""Step 4: find ads. Four detectors, each returning :class:`AdHit` (element, kind, reason):

- ad units: EasyList element-hiding rules on the static tree, plus ad-ish class/id tokens;
- ad frames and scripts: iframes/scripts/ins from ad hosts (EasyList network rules, a host list);
- sponsored and affiliate links: ``rel=sponsored`` and affiliate URL patterns (patterns.py);
- injected promo text: a short block in or just after the article with a call to action, an
  outbound link, and words the rest of the article does not use.

The pipeline turns hits into :class:`Ad` records and removes their elements from the tree."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from pagetrail.segment import easylist
from pagetrail.segment import patterns as P
from pagetrail.segment.textutil import PageAttributes, attrs, host, site, text_of, words


@dataclass
class AdHit:
    el: etree._Element
    kind: str  # ad-unit | ad-frame | sponsored-link | affiliate-link | promo-text
    reason: str
    links: list[str] = field(default_factory=list)
    text: str | None = None  # when not simply the element's text
    extra: list[etree._Element] = field(default_factory=list)  # lead-in blocks of a promo


def protected(el: etree._Element, keep: list[etree._Element]) -> bool:
    """True when removing ``el`` would remove a region the other steps need."""
    if el.tag in ("html", "body", "head"):
        return True
    for k in keep:
        if k is el:
            return True
        for anc in k.iterancestors():
            if anc is el:
                return True
    return False


# ------------------------------------------------------------------------- ad units
_SIMPLE_CLASS_ID = re.compile(r"^(?:[.#][A-Za-z0-9_-]+)+$")
# Every AD_TOKEN alternative contains one of these: a cheap scan before the token regex.
_AD_QUICK = re.compile("ad|sponsor|dfp|promoted", re.I)
_AD_ISH_TAGS = frozenset(("div", "section", "aside", "ins", "span", "li", "figure"))



def find_ad_units(root: etree._Element, url: str, keep: list[etree._Element], body_chars: int,
                  page_attrs: PageAttributes | None = None) -> list[AdHit]:
    """``page_attrs`` is the page's attribute index when the caller shares one."""
    hits: list[AdHit] = []
    seen: set = set()
    max_chars = max(300, body_chars // 4)

    def add(el: etree._Element, reason: str) -> None:
        if el in seen or protected(el, keep):
            return
        if len(el.text_content()) > max_chars:
            return  # an "ad" that holds a quarter of the page is a false match
        seen.add(el)
        hits.append(AdHit(el, "ad-unit", reason))

    page_attrs = page_attrs if page_attrs is not None else PageAttributes(root)
    class_vals = [(el, v) for _i, el, v in page_attrs.named("class")]
    id_vals = [(el, v) for _i, el, v in page_attrs.named("id")]
    eng = easylist.engine()
    if eng is not None:
        res, index = easylist.cosmetic(url)
        matches = index.match(root, page_attrs)
        if not res.generichide:
            # Look elements up only for the few selectors EasyList returns for this page's
            # classes and ids (usually none), not index every class of the page.
            classes = dict.fromkeys(" ".join(v for _el, v in class_vals).split())
            ids = dict.fromkeys(v for _el, v in id_vals)
            by_name: dict[str, list] = {}  # ".class"/"#id" -> elements, looked up on need
            for sel in eng.hidden_class_id_selectors(list(classes), list(ids), set(res.exceptions)):
                if _SIMPLE_CLASS_ID.match(sel):
                    names = re.findall(r"[.#][^.#]+", sel)
                    if names[0] not in by_name:
                        by_name[names[0]] = _with_class_or_id(names[0], class_vals, id_vals)
                    for el in by_name[names[0]]:
                        classes = set((el.get("class") or "").split())
                        if all((n[1:] in classes) if n[0] == "." else el.get("id") == n[1:] for n in names[1:]):
                            matches.append((el, sel))
                    continue
                xp = easylist.compiled(sel)
                if xp is None:
                    continue
                try:
                    matches.extend((el, sel) for el in xp(root) if isinstance(el, etree._Element))
                except etree.XPathError:
                    continue
        for el, sel in matches:
            if el.tag != "a":  # links are reported by find_ad_links
                add(el, f"EasyList element hiding: {sel}")
    for el, v in (*class_vals, *id_vals):
        if el.tag in _AD_ISH_TAGS and _ad_token(v):
            add(el, f"ad class/id: {attrs(el)[:60]}")
    return _outermost(hits)


def _with_class_or_id(name: str, class_vals: list, id_vals: list) -> list[etree._Element]:
    """Elements (document order) with the class token ``.name`` or the id ``#name``."""
    if name[0] == "#":
        return [el for el, v in id_vals if v == name[1:]]
    token = name[1:]
    return [el for el, v in class_vals if token in v and token in v.split()]


@functools.lru_cache(maxsize=1 << 16)
def _ad_token(value: str) -> bool:
    """An ad container's class or id value. Cached: pages and sites repeat their values."""
    return bool(_AD_QUICK.search(value) and P.AD_TOKEN.search(value) and not P.AD_TOKEN_FALSE.search(value))


def _outermost(hits: list[AdHit]) -> list[AdHit]:
    els = {h.el for h in hits}
    out = []
    for h in hits:
        if any(anc in els for anc in h.el.iterancestors()):
            continue
        out.append(h)
    return out


# ------------------------------------------------------------------------- frames and scripts
_AD_HOST_RANK: dict[str, int] = {}
for _rank, _ad in enumerate(P.AD_HOSTS):
    _AD_HOST_RANK.setdefault(_ad, _rank)


def _listed_ad_host(h: str) -> str | None:
    """The first of P.AD_HOSTS that is ``h`` or a domain ``h`` is below: the host and each of
    its dot-suffixes looked up in a dict, not every listed host tested against it."""
    best = None
    while True:
        rank = _AD_HOST_RANK.get(h)
        if rank is not None and (best is None or rank < best):
            best = rank
        dot = h.find(".")
        if dot < 0:
            return P.AD_HOSTS[best] if best is not None else None
        h = h[dot + 1:]


def _is_ad_host(src: str, page_url: str, kind: str) -> str | None:
    h = host(src)
    if not h:
        return None
    ad = _listed_ad_host(h)
    if ad is not None:
        return f"ad host {ad}"
    if easylist.engine() is not None and _network_rule(src, page_url or "http://localhost/", kind):
        return "EasyList network rule"
    return None


@functools.lru_cache(maxsize=1 << 12)
def _network_rule(src: str, page_url: str, kind: str) -> bool:
    """Whether an EasyList network rule blocks ``src`` on ``page_url``. Kept per URL: the
    captures of a page that are segmented and diffed together load the same scripts and frames,
    and the engine's check is most of the frame step."""
    try:
        res = easylist.engine().check_network_urls(src, page_url, kind)
    except Exception:  # noqa: BLE001 - the engine rejects some malformed URLs
        return False
    return bool(res.matched and not res.exception)


def find_ad_frames(root: etree._Element, url: str, keep: list[etree._Element]) -> list[AdHit]:
    hits = []
    for el in root.iter("iframe", "script", "embed", "object"):
        src = el.get("src") or el.get("data") or el.get("data-src") or ""
        if not src.startswith(("http", "//")):
            continue
        if src.startswith("//"):
            src = "https:" + src
        kind = {"iframe": "sub_frame", "script": "script"}.get(el.tag, "object")
        why = _is_ad_host(src, url, kind)
        if why and not protected(el, keep):
            node = el
            # An iframe's wrapper (a div around it and nothing else) is part of the ad slot.
            parent = el.getparent()
            if el.tag != "script" and parent is not None and parent.tag in ("div", "ins", "span") and len(parent) == 1 and not (parent.text or "").strip() and not protected(parent, keep):
                node = parent
            hits.append(AdHit(node, "ad-frame", f"{el.tag} from {why}", links=[src]))
    return hits


# ------------------------------------------------------------------------- links
_AFFILIATE_HOST_RE = re.compile(
    r"^(?:https?:)?//(?:[^/?#@]*@)?(?:[^/?#:]*\.)?(?:"
    + "|".join(re.escape(h) for h in P.AFFILIATE_HOSTS if "/" not in h)
    + r")(?:[:/?#]|$)", re.I)
_AFFILIATE_PATH = tuple(h for h in P.AFFILIATE_HOSTS if "/" in h)
_AMAZON_TAG = re.compile(r"^(?:https?:)?//(?:[^/?#]*\.)?(?:amazon\.[a-z.]+|amzn\.[a-z]+)/.*[?&]tag=", re.I)
_AUTHORITY_END = re.compile(r"[/?#]")
# Each of the tests after the host one (_AFFILIATE_PATH, _AMAZON_TAG, P.AFFILIATE_URL) needs one
# of these in the lowercased URL; for an ASCII URL that is exact case-insensitive matching, and
# most links have none of them, so the three are skipped.
_AFFILIATE_QUICK = re.compile("|".join(
    [re.escape(p.lower()) for p in _AFFILIATE_PATH]
    + ["tag=", "aff", "associate_id=", "partner_id=", "clickref=", "/go/", "/recommends/", "/refer/", "/out/"]))


@functools.lru_cache(maxsize=1 << 14)
def _affiliate_host_in(head: str) -> bool:
    return _AFFILIATE_HOST_RE.match(head) is not None


def _affiliate_host(href: str) -> bool:
    """_AFFILIATE_HOST_RE.match(href), decided on the URL's head (scheme, authority and the
    character after it), which is all the pattern can reach: a page's links share a few heads,
    so each is tested once."""
    start = 2 if href.startswith("//") else 7 if href.startswith("http://") else 8 if href.startswith("https://") else 0
    if not start:
        return _AFFILIATE_HOST_RE.match(href) is not None
    m = _AUTHORITY_END.search(href, start)
    return _affiliate_host_in(href[:m.end()] if m else href)


def link_kind(href: str, rel: str, page_site: str = "") -> tuple[str, str] | None:
    """("sponsored-link" | "affiliate-link", reason) for a paid link, else None. The generic
    URL patterns only count on links to other sites than ``page_site``."""
    if rel and P.SPONSORED_REL & set(rel.lower().split()):
        return "sponsored-link", 'rel="sponsored"'
    if not href.startswith(("http", "//")):
        return None
    if _affiliate_host(href):
        return "affiliate-link", f"affiliate host in {host(href)}"
    if href.isascii() and _AFFILIATE_QUICK.search(href.lower()) is None:
        return None
    for aff in _AFFILIATE_PATH:
        if aff in href:
            return "affiliate-link", f"affiliate URL {aff}"
    if _AMAZON_TAG.match(href):
        return "affiliate-link", "Amazon associate tag="
    if P.AFFILIATE_URL.search(href) and not (page_site and site(host(href)) == page_site):
        return "affiliate-link", "affiliate URL pattern"
    return None


def is_call_to_action(text: str) -> bool:
    low = text.lower()
    return any(c in low for c in P.CALL_TO_ACTION) or bool(P.SHOP_CTA.search(low))


def find_ad_links(root: etree._Element, url: str = "") -> list[AdHit]:
    hits = []
    page_site = site(host(url))
    for a in root.iter("a"):
        href = a.get("href") or ""
        found = link_kind(href, a.get("rel") or "", page_site)
        if found:
            hits.append(AdHit(a, found[0], found[1], links=[href]))
    return hits


# ------------------------------------------------------------------------- injected promo text
_PROMO_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "section")


def _blocks(container: etree._Element) -> list[etree._Element]:
    """Leaf-ish blocks under ``container`` in document order: blocks with no block below them,
    plus containers that carry loose text of their own."""
    found = list(container.iter(*_PROMO_BLOCKS))
    members = set(found)
    has_inner: set = set()
    for el in found:
        for anc in el.iterancestors():
            if anc in members:
                has_inner.add(anc)
                break
            if anc is container:
                break
    return [el for el in found if el not in has_inner or (el.text or "").strip()]


def _content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in words(text) if w not in P.STOPWORDS}


def _outbound_links(el: etree._Element, page_site: str) -> list[str]:
    links = []
    for a in el.iter("a"):
        href = a.get("href") or ""
        h = host(href)
        if h and (site(h) != page_site or link_kind(href, a.get("rel") or "")):
            links.append(href)
    return links


def _heading_like(block: etree._Element, text: str) -> bool:
    """A lead-in line: a heading, a line ending in ':' / '?' / '!', or a line that is all bold."""
    if block.tag in ("h1", "h2", "h3", "h4", "h5", "h6") or text.endswith((":", "?", "!")):
        return True
    bold = " ".join(text_of(b) for b in block.iter("strong", "b"))
    return bold == text


def find_promos(container: etree._Element, url: str, after: list[etree._Element] = ()) -> list[AdHit]:
    """Injected promo blocks inside ``container`` (the article) and in ``after`` (blocks between
    the article and the comments)."""
    page_site = site(host(url))
    blocks = _blocks(container) + [b for el in after for b in _blocks(el)]
    texts = [text_of(b) for b in blocks]
    all_words: list[set[str]] = []  # the blocks' content words, worked out when a block scores
    counts: Counter = Counter()
    hits = []
    for i, (block, text) in enumerate(zip(blocks, texts, strict=True)):
        n = len(text.split())
        if n == 0 or n > P.PROMO_MAX_WORDS:
            continue
        low = text.lower()
        cta = next((c for c in P.CALL_TO_ACTION if c in low), None)
        weak = next((c for c in P.WEAK_CALL_TO_ACTION if c in low), None)
        if 2 * bool(cta) + bool(weak) + 2 + 1 < P.PROMO_MIN_SCORE:
            continue  # too weak even with an affiliate link: its links need not be looked at
        links = _outbound_links(block, page_site)
        if not links:
            continue
        affiliate = any(link_kind(h, "") for h in links)
        score = 2 * bool(cta) + bool(weak) + 2 * affiliate + 1
        if score < P.PROMO_MIN_SCORE:
            continue
        if not all_words:
            all_words = [_content_words(t) for t in texts]
            counts = Counter(w for ws in all_words for w in ws)
        mine = all_words[i]
        shared = sum(1 for w in mine if counts[w] > 1)
        overlap = shared / len(mine) if mine else 1.0
        if overlap > P.PROMO_MAX_OVERLAP:
            continue
        signs = [f"call to action {cta or weak!r}" if cta or weak else "",
                 "affiliate link" if affiliate else "outbound link", f"{overlap:.0%} word overlap with the article"]
        hit = AdHit(block, "promo-text", ", ".join(x for x in signs if x), links=links)
        # Heading-like lead-ins ("For infertility Patients:") just before the promo belong to it.
        j = i - 1
        while j >= 0 and i - j <= 2:
            lead = texts[j]
            if lead and len(lead.split()) <= P.PROMO_LEADIN_MAX_WORDS and _heading_like(blocks[j], lead):
                hit.extra.insert(0, blocks[j])
                j -= 1
            else:
                break
        hit.text = " ".join([texts[blocks.index(e)] for e in hit.extra] + [text])
        hits.append(hit)
    return hits
