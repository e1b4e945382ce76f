"""Step 4: find ads. Four detectors, each returning :class:`AdHit` (element, kind, reason):

- ad units: EasyList element-hiding rules on the static tree, plus ad-ish class/id tokens;
- ad frames and scripts: iframes/scripts/ins from ad hosts (EasyList network rules, a host list);
- sponsored and affiliate links: ``rel=sponsored`` and affiliate URL patterns (patterns.py);
- injected promo text: promos.py.

The pipeline turns hits into :class:`Ad` records and removes their elements from the tree. The
lists and thresholds are data in patterns_ads.py; the regular expressions and the quick
pre-tests in front of them are built from that data here, at import."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress

from lxml import etree

from pagetrail.segment import easylist, easylist_hosts, easylist_names, textutil
from pagetrail.segment import patterns_ads as P
from pagetrail.segment.promos import Promo
from pagetrail.segment.textutil import PageAttributes, any_of, attrs, host, outermost, site


@dataclass
class AdHit:
    el: etree._Element
    kind: str  # ad-unit | ad-frame | sponsored-link | affiliate-link | promo-text
    reason: str
    links: list[str] = field(default_factory=list)
    text: str | None = None  # when not simply the element's text
    extra: list[etree._Element] = field(default_factory=list)  # lead-in blocks of a promo
    promo: Promo | None = None  # a promo's runs of text, cut out of the tree instead of ``el``


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


def covering_literals(tokens: tuple[str, ...]) -> list[str]:
    """The tokens that hold no other token: every token contains one of them, so a text without
    any of them holds no token (the quick pre-test in front of a token regex)."""
    low = sorted({t.lower() for t in tokens}, key=len)
    out: list[str] = []
    for t in low:
        if not any(c in t for c in out):
            out.append(t)
    return out


def _token_regex(tokens: tuple[str, ...]) -> re.Pattern[str]:
    """A whole class/id word from ``tokens`` (words separated by white space, "-" or "_")."""
    alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
    return re.compile(rf"(?:^|[\s_-])(?:{alternatives})(?:$|[\s_-])", re.I)


AD_TOKEN = _token_regex(P.AD_TOKENS)
AD_QUICK = any_of(covering_literals(P.AD_TOKENS), re.I)
AD_TOKEN_FALSE = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in P.AD_TOKEN_FALSE) + ")", re.I)



def find_ad_units(root: etree._Element, url: str, keep: list[etree._Element], body_chars: Callable[[], int],
                  page_attrs: PageAttributes | None = None) -> list[AdHit]:
    """``body_chars`` gives the length of the page body's text: it is asked only for a unit
    longer than ``AD_UNIT_MIN_CHARS`` (on most pages none is, and the body's whole text cost
    0.14 s on the comments set). ``page_attrs`` is the page's attribute index when the caller
    shares one."""
    hits: list[AdHit] = []
    seen: set = set()
    limit: list[int] = []  # the largest unit's text, worked out when first needed

    def add(el: etree._Element, reason: str) -> None:
        if el in seen or protected(el, keep):
            return
        size = len(el.text_content())
        if size > P.AD_UNIT_MIN_CHARS and not limit:
            limit.append(max(P.AD_UNIT_MIN_CHARS, int(body_chars() * P.AD_UNIT_MAX_PAGE_SHARE)))
        if size > P.AD_UNIT_MIN_CHARS and size > limit[0]:
            return  # an "ad" that holds a quarter of the page is a false match
        seen.add(el)
        hits.append(AdHit(el, "ad-unit", reason))

    page_attrs = page_attrs if page_attrs is not None else PageAttributes(root)
    class_vals = page_attrs.named("class")
    id_vals = page_attrs.named("id")
    # C-level, not a comprehension's unpacking
    class_values = list(map(textutil.ENTRY_VALUE, class_vals))
    id_values = list(map(textutil.ENTRY_VALUE, id_vals))
    eng = easylist.engine()
    if eng is not None:
        res, index = easylist.cosmetic(easylist_hosts.cosmetic_url(url))
        matches = index.match(root, page_attrs)
        if not res.generichide:
            # Look elements up only for the few selectors EasyList returns for this page's
            # classes and ids (usually none), not index every class of the page.
            classes = dict.fromkeys(" ".join(class_values).split())
            ids = dict.fromkeys(id_values)
            by_name: dict[str, list] = {}  # ".class"/"#id" -> elements, looked up on need
            for sel in easylist_names.hidden_class_id_selectors(list(classes), list(ids), set(res.exceptions)):
                if _SIMPLE_CLASS_ID.match(sel):
                    names = re.findall(r"[.#][^.#]+", sel)
                    if names[0] not in by_name:
                        by_name[names[0]] = _with_class_or_id(names[0], class_vals, id_vals)
                    for el in by_name[names[0]]:
                        classes = set((el.get("class") or "").split())
                        if all((n[1:] in classes) if n[0] == "." else el.get("id") == n[1:] for n in names[1:]):
                            matches.append((el, sel))
                    continue
                try:
                    matches.extend((el, sel) for el in easylist.select(sel, root, page_attrs))
                except etree.XPathError:
                    continue
        for el, sel in matches:
            if el.tag != "a":  # links are reported by find_ad_links
                add(el, f"EasyList element hiding: {sel}")
    ad_values = _ad_values([*class_values, *id_values])
    if ad_values:
        # the few entries holding an ad value picked in C (map, compress), not one test each
        for entries in (class_vals, id_vals):
            held = map(ad_values.__contains__, map(textutil.ENTRY_VALUE, entries))
            for el in compress(map(textutil.ENTRY_ELEMENT, entries), held):
                if el.tag in P.AD_CONTAINER_TAGS:
                    add(el, f"ad class/id: {attrs(el)[:60]}")
    return _outermost(hits)


def _words(token: str) -> list[str]:
    return token.lower().replace("-", " ").replace("_", " ").split()


#: Words (between white space, "-" and "_") of which a value holding an ad token holds one as a
#: word of its own (AD_TOKEN's edges are those separators): the one-word tokens, and the words of
#: the others that hold none of them ("gpt-ad" holds "ad").
_ONE_WORD = frozenset(t.lower() for t in P.AD_TOKENS if len(_words(t)) == 1)
AD_WORDS = _ONE_WORD | {w for t in P.AD_TOKENS if _ONE_WORD.isdisjoint(_words(t)) for w in _words(t)}
#: AD_TOKEN's word separators among ASCII characters (white space as ``\\s`` reads it, "_", "-"),
#: made NULs, and a word of AD_WORDS between two NULs: found with a literal-led regex.
_SEPARATORS = str.maketrans(dict.fromkeys((c for c in map(chr, range(128)) if re.match(r"[\s_-]", c)), "\x00"))
_AD_WORD = re.compile("\x00(?:" + "|".join(re.escape(w) for w in sorted(AD_WORDS, key=len, reverse=True)) + ")(?=\x00)")


def _ad_values(values: list[str]) -> set[str]:
    """The distinct ``values`` that name an ad container (_ad_token). When the page's values are
    ASCII (lower-casing them is then what AD_TOKEN's ignoring case reads), one search of them all
    finds the few holding a word of an ad token, and only those are tested (testing the value
    of every container was a third of the step)."""
    distinct = list(set(values))
    joined = "\x00".join(distinct)  # no attribute value holds a NUL
    if not joined.isascii():
        return {v for v in distinct if _ad_token(v)}
    # framed by NULs: a match at p (its leading NUL) is a word starting at p in ``joined``
    starts = [m.start() for m in _AD_WORD.finditer(f"\x00{joined.lower().translate(_SEPARATORS)}\x00")]
    if not starts:
        return set()
    ends = list(itertools.accumulate(len(v) + 1 for v in distinct))  # past each value's NUL
    return {v for v in {distinct[bisect.bisect_right(ends, p)] for p in starts} if _ad_token(v)}


def _with_class_or_id(name: str, class_vals: list, id_vals: list) -> list[etree._Element]:
    """Elements (document order) with the class token ``.name`` or the id ``#name``."""
    if name[0] == "#":
        return [el for _i, el, v in id_vals if v == name[1:]]
    token = name[1:]
    return [el for _i, el, v in class_vals if token in v and token in v.split()]


@functools.lru_cache(maxsize=1 << 16)
def _ad_token(value: str) -> bool:
    """An ad container's class or id value. Cached: pages and sites repeat their values."""
    return bool(AD_QUICK.search(value) and AD_TOKEN.search(value) and not AD_TOKEN_FALSE.search(value))


def _outermost(hits: list[AdHit]) -> list[AdHit]:
    """The hits inside no other hit."""
    kept = set(outermost([h.el for h in hits]))
    return [h for h in hits if h.el in kept]


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


def find_ad_frames(root: etree._Element, url: str, keep: list[etree._Element],
                   page_attrs: PageAttributes | None = None) -> list[AdHit]:
    hits = []
    for el in (page_attrs or PageAttributes(root)).tagged(P.FRAME_TAGS):  # the page's shared walk
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
_AMAZON_TAG = re.compile(r"^(?:https?:)?//(?:[^/?#]*\.)?(?:" + "|".join(
    re.escape(h) + r"[a-z.]+" for h in P.AMAZON_HOSTS) + r")/.*[?&]" + re.escape(P.AMAZON_TAG_KEY) + "=", re.I)
AFFILIATE_URL = re.compile(
    r"[?&](?:" + "|".join(re.escape(k) for k in P.AFFILIATE_QUERY_KEYS) + r")=[^&]+"
    + "|" + "|".join(re.escape(p) for p in P.AFFILIATE_PATH_PARTS), re.I)
_AUTHORITY_END = re.compile(r"[/?#]")
#: Each test after the host one (_AFFILIATE_PATH, _AMAZON_TAG, AFFILIATE_URL) needs one of these
#: literals in the lowercased URL; for an ASCII URL that is exact case-insensitive matching, and
#: most links have none of them, so the three are skipped. Built from the same data.
AFFILIATE_LITERALS = covering_literals(
    _AFFILIATE_PATH + (P.AMAZON_TAG_KEY + "=",) + tuple(k + "=" for k in P.AFFILIATE_QUERY_KEYS)
    + P.AFFILIATE_PATH_PARTS)
_AFFILIATE_QUICK = any_of(AFFILIATE_LITERALS)


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
    if _sponsored(rel):
        return _SPONSORED
    return _paid_url(href, page_site)


_SPONSORED = ("sponsored-link", 'rel="sponsored"')


def _sponsored(rel: str | None) -> bool:
    """A link's ``rel`` marks it paid (rel="sponsored" and its kin, patterns_ads.SPONSORED_REL)."""
    return bool(rel) and not P.SPONSORED_REL.isdisjoint(rel.lower().split())


def _paid_url(href: str, page_site: str, literals: bool = True, hosts: bool = True) -> tuple[str, str] | None:
    """link_kind's URL tests. False ``literals``/``hosts``: the href is known to be ASCII and to
    hold none of AFFILIATE_LITERALS / to be on no affiliate host."""
    if not href.startswith(("http", "//")) and not href[:4].lower() == "http":
        return None
    if hosts and _affiliate_host(href):
        return "affiliate-link", f"affiliate host in {host(href)}"
    if not literals or (href.isascii() and _AFFILIATE_QUICK.search(href.lower()) is None):
        return None
    low = href.lower()
    for aff in _AFFILIATE_PATH:
        if aff in low:
            return "affiliate-link", f"affiliate URL {aff}"
    if _AMAZON_TAG.match(href):
        return "affiliate-link", "Amazon associate tag="
    if AFFILIATE_URL.search(href) and not (page_site and site(host(href)) == page_site):
        return "affiliate-link", "affiliate URL pattern"
    return None


SHOP_CTA = re.compile(P.SHOP_CTA)


def is_paid(href: str, rel: str = "") -> bool:
    """True for a sponsored or affiliate link (on any site)."""
    return link_kind(href, rel) is not None


def is_call_to_action(text: str) -> bool:
    low = text.lower()
    return any(c in low for c in P.CALL_TO_ACTION) or bool(SHOP_CTA.search(low))


#: The authorities after every "//" of the hrefs joined with NULs: _AFFILIATE_HOST_RE matches an
#: href only on the authority after its leading "//" (one of these).
_AUTHORITIES = re.compile(r"//([^/?#\x00]*)")


def find_ad_links(root: etree._Element, url: str = "", page_attrs: PageAttributes | None = None) -> list[AdHit]:
    """``page_attrs`` is the page's attribute index when the caller shares one (up to date): the
    links and their attributes are read from it (walking the links and reading each one's
    attributes cost more than judging them)."""
    page_site = site(host(url))
    rels = {} if page_attrs is None else {el: v for _i, el, v in page_attrs.named("rel") if el.tag == "a"}
    from_index = page_attrs is not None and not any(el.get("href") is None for el in rels)  # else rare
    if not from_index:
        links = [(a, a.get("href") or "") for a in root.iter("a")]
        rels = {a: a.get("rel") for a, _href in links if a.get("rel")}
        hrefs = [href for _a, href in links]
    else:
        # The pre-test below reads every href of the page (<link>s and <area>s too): when these
        # hold no literal or host, the links' hrefs hold none either, and the links are picked
        # out of the entries (a tag read per entry) only on the pages it lets through.
        entries = page_attrs.named("href")
        hrefs = list(map(textutil.ENTRY_VALUE, entries))
    # Most pages link to no affiliate host and their hrefs hold none of the URL literals: both are
    # told for all the hrefs at once (an ASCII href lower-cased is what the patterns, ignoring
    # case, read), and then only a sponsored rel makes a link paid: only the links with a rel
    # are read (find_ad_links -35%, and -8% more on the comments set). ``literals`` and ``hosts``
    # only let _paid_url skip tests that cannot pass.
    joined = "\x00".join(hrefs)  # no attribute value holds a NUL
    literals = hosts = True
    if joined.isascii():
        low = joined.lower()
        literals = any(t in low for t in AFFILIATE_LITERALS)
        hosts = any(_affiliate_host_in(f"//{a}/") for a in set(_AUTHORITIES.findall(low)))
    if not literals and not hosts:
        return [AdHit(a, *_SPONSORED, links=[a.get("href") or ""]) for a, rel in rels.items() if _sponsored(rel)]
    if from_index:
        links = [(el, href) for _i, el, href in entries if el.tag == "a"]
    verdicts: dict[str, tuple[str, str] | None] = {}  # a page repeats its links: each href judged once
    hits = []
    for a, href in links:
        rel = rels.get(a)
        if _sponsored(rel):
            found = _SPONSORED
        elif href in verdicts:
            found = verdicts[href]
        else:
            found = verdicts[href] = _paid_url(href, page_site, literals, hosts)
        if found:
            hits.append(AdHit(a, found[0], found[1], links=[href]))
    return hits
