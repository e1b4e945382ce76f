"""EasyList, loaded once per process: the ``adblock`` engine built from the copy of EasyList that
the ``braveblock`` package ships, and CSS selectors compiled to XPath once each.

Building the engine takes about 0.13-0.6 s, so it is cached in-process (``engine()``) and never
built per page, and on disk (easylist_cache.py) for the next process to load in 0.025 s."""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import braveblock
from lxml import etree

from pagetrail.segment import easylist_cache
from pagetrail.segment.textutil import DocOrder, PageAttributes

_lock = threading.Lock()
_xpaths: dict[str, etree.XPath | None] = {}


def list_path() -> str:
    """Where the EasyList copy shipped by ``braveblock`` is."""
    return os.path.join(os.path.dirname(braveblock.__file__), "easylist.txt.gz")


@functools.lru_cache(maxsize=1)
def list_fingerprint() -> str:
    """A hash of the EasyList rules in use ("none" without them): a new list can flag other
    elements, so it is part of the segmenter's version."""
    path = list_path()
    try:
        with gzip.open(path, "rb") as fh:  # the rules, not the compression's bytes
            return hashlib.sha256(fh.read()).hexdigest()[:16]
    except (OSError, TypeError):
        return "none"


@functools.lru_cache(maxsize=1)
def engine():  # noqa: ANN201 - adblock.Engine, or None when the list file is unreadable
    # Loaded from the on-disk cache when it holds this list's engine (easylist_cache).
    return easylist_cache.engine(list_path(), list_fingerprint())


def compiled(selector: str, prefix: str = "descendant-or-self::") -> etree.XPath | None:
    """The CSS selector as a compiled XPath, or None when cssselect cannot translate it
    (EasyList uses a few extended selectors such as :has-text that it does not know).
    ``prefix`` is the axis its first compound is looked for on."""
    key = selector if prefix == "descendant-or-self::" else f"{prefix} {selector}"
    try:
        return _xpaths[key]
    except KeyError:
        pass
    from cssselect import GenericTranslator, SelectorError

    try:
        xp = etree.XPath(GenericTranslator().css_to_xpath(selector, prefix=prefix))
    except (SelectorError, etree.XPathSyntaxError, ValueError, TypeError):
        xp = None
    with _lock:
        _xpaths[key] = xp
    return xp


#: A selector's leading class or id, when it has one (the whole name: the lookahead stops a
#: name with an escaped character being read as its first part).
_LEADING_NAME = re.compile(r"^([.#])(-?[A-Za-z_][A-Za-z0-9_-]*)(?=$|[\s.#:\[>+~])")


def select(selector: str, root: etree._Element, page: PageAttributes) -> list[etree._Element]:
    """The elements below ``root`` that ``selector`` matches, in document order (``page``
    indexes ``root``). A selector that starts with a class or id (most of those EasyList files
    under a page's classes and ids) is run from the few elements carrying that class or id,
    with ``self::`` for its first compound: run from the root, a selector such as
    ``#header + #content > #left > #rlblock_left`` tests every element of the page (about half
    a millisecond each, on every page with those common ids) to find the one it starts at."""
    m = _LEADING_NAME.match(selector)
    if m is None or "," in selector:
        xp = compiled(selector)
        return [] if xp is None else [el for el in xp(root) if isinstance(el, etree._Element)]
    xp = compiled(selector, prefix="self::")
    if xp is None:
        return []
    sigil, name = m.groups()
    # Every element a match starts at carries the name: for a class, its value holds the name
    # (a superset of cssselect's whitespace-split test, which the XPath applies itself).
    if sigil == "#":
        starts = [el for _i, el, value in page.named("id") if value == name]
    else:
        starts = [el for _i, el, value in page.named("class") if name in value]
    found = [el for start in starts for el in xp(start) if isinstance(el, etree._Element)]
    if len(starts) > 1 and found:
        found = sorted(dict.fromkeys(found), key=DocOrder(page.root).key)
    return found


_SIMPLE = re.compile(r'^([A-Za-z][A-Za-z0-9-]*)?\[([a-zA-Z_:-]+)(?:([\^*$]?=)"([^"]*)")?\]$')
_ATTR_NAME = re.compile(r"\[\s*([A-Za-z_][A-Za-z0-9_:-]*)")
_BARE_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_COMMON_ATTRS = frozenset({"id", "class", "href", "src", "title", "name", "type"})
# A compound selector: a tag and/or class, id and attribute tests on one element, no
# combinators or pseudo-classes (``div[id^="crt-"][style]``, ``.ad-box.top``, ``#promo``).
_NAME = r"-?[A-Za-z_][A-Za-z0-9_-]*"
_COMPOUND_PART = re.compile(rf'([.#])({_NAME})|\[([A-Za-z_][A-Za-z0-9_-]*)(?:([\^*$]?=)"([^"\\\n]*)")?\]')
_COMPOUND = re.compile(rf'^([A-Za-z][A-Za-z0-9-]*)?(?:{_COMPOUND_PART.pattern})+$')
_XML_SPACE = re.compile(r"[ \t\r\n]+")
#: Attribute values whose quick-test verdict an index keeps, per attribute name.
_MAX_VERDICTS = 50_000


def _compound(selector: str) -> tuple[str, tuple[tuple[str, str, str], ...]] | None:
    """(tag or "", ((attribute, test, value), ...)) for a compound selector, else None. The
    tests mean what cssselect's XPath for the selector means: "" the attribute exists, "="
    equals, "^=" / "$=" / "*=" starts / ends with / contains a non-empty value, "~" the class
    list (split on XML white space) holds the value."""
    m = _COMPOUND.match(selector)
    if not m:
        return None
    tests = []
    for sigil, name, attr, op, value in _COMPOUND_PART.findall(selector[len(m.group(1) or ""):]):
        if sigil == ".":
            tests.append(("class", "~", name))
        elif sigil == "#":
            tests.append(("id", "=", name))
        else:
            tests.append((attr, op, value))
    return m.group(1) or "", tuple(tests)


def _holds(value: str | None, op: str, want: str) -> bool:
    if value is None:
        return False
    if op == "":
        return True
    if op == "=":
        return value == want
    if op == "~":
        return want in value and want in _XML_SPACE.split(value)
    if not want:
        return False  # cssselect's XPath for an empty ^= $= *= value matches nothing
    if op == "^=":
        return value.startswith(want)
    if op == "$=":
        return value.endswith(want)
    return want in value


def _compound_match(page: PageAttributes, tag: str, tests: tuple[tuple[str, str, str], ...]) -> list[etree._Element]:
    """Elements (document order) a compound selector matches, from the page's attribute index
    instead of an XPath walk of the whole tree."""
    attr, op, want = tests[0]
    # Every test but "the attribute exists" needs the value to contain its string: a C-level
    # substring test first leaves few values for the Python-level ones.
    values = page.named(attr) if op == "" else [entry for entry in page.named(attr) if want in entry[2]]
    return [el for _i, el, value in values
            if _holds(value, op, want) and (not tag or el.tag == tag)
            and all(_holds(el.get(a), o, v) for a, o, v in tests[1:])]


def _trie(prefixes: tuple[str, ...]) -> str:
    """A regex matching where one of ``prefixes`` starts, its alternatives nested by their common
    starts: the prefix regex tried at every value of a page reads a character or two of each
    value instead of testing ~50 alternatives on each (that search 0.066 -> 0.036 s a run)."""
    if "" in prefixes:
        return ""  # the empty prefix matches anywhere: the longer ones add nothing
    firsts = dict.fromkeys(p[0] for p in prefixes)
    alts = [re.escape(c) + _trie(tuple(p[1:] for p in prefixes if p[0] == c)) for c in firsts]
    return alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"


class SelectorIndex:
    """EasyList's generic selectors split for speed: most are one attribute test on one element
    (``div[id^="div-gpt-"]``, ``a[href^="http://ads..."]``); these are checked in one pass over
    the page's attribute values. The rest are compiled to XPath one by one (cached)."""

    def __init__(self, selectors: list[str]) -> None:
        # (attr, op) -> list of (tag or "", value, selector)
        self.tests: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self.tags: dict[str, str] = {}
        self.complex: list[str] = []
        for sel in selectors:
            m = _SIMPLE.match(sel)
            if m and "'" not in (m.group(4) or ""):
                tag, attr, op, value = m.groups()
                self.tests.setdefault((attr.lower(), op or ""), []).append(((tag or "").lower(), value or "", sel))
            elif _BARE_TAG.match(sel):
                self.tags[sel.lower()] = sel
            elif "href" not in sel:  # link rules with extra conditions: links are judged by URL
                self.complex.append(sel)
        # Complex selectors that are one element's tests are matched over the attribute index.
        self.compounds = {sel: c for sel in self.complex if (c := _compound(sel)) is not None}
        self._verdicts: dict[str, dict[str, bool]] = {}
        self.xpath = self._combined()
        # Attributes a selector needs somewhere on the page (none known when it negates: ":not(").
        self.needs = {sel: set() if ":not(" in sel else {a.lower() for a in _ATTR_NAME.findall(sel)}
                      for sel in self.complex}

    def _combined(self) -> bool | None:
        """One XPath returning every attribute any simple selector tests; values are then
        checked in Python with C-level startswith/endswith over tuples."""
        self.fast: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
        for (attr, op), entries in self.tests.items():
            by_tag: dict[str, list[str]] = {}
            for tag, value, _sel in entries:
                by_tag.setdefault(tag, []).append(value)
            for tag, values in by_tag.items():
                self.fast.setdefault(attr, []).append((op, tag, tuple(values)))
        # attr -> (prefixes, suffixes, substrings, exact values, bare [attr] test): a quick
        # rejection test before the per-tag check in _test().
        self.quick = {}
        for attr in self.fast:
            tests = {op: [v for (a, o), entries in self.tests.items() if a == attr and o == op for _t, v, _s in entries]
                     for op in ("^=", "$=", "*=", "=", "")}
            self.quick[attr] = (tuple(tests["^="]), tuple(tests["$="]), tuple(tests["*="]),
                                frozenset(tests["="]), bool(tests[""]))
        # href rules hide ad links; links are judged by URL in ads.find_ad_links instead. The
        # regexes below are made for the attributes matched here only: href's ~670 prefixes
        # cost every new process 0.045 s of regex compiling for a test never run.
        names = [a for a in self.fast if re.fullmatch(r"[a-z_][a-z0-9_:-]*", a) and a != "href"]
        # The same quick test as one regex per attribute (None: any value passes): one C-level
        # search per attribute value instead of several Python-level tests.
        self.quick_rx: dict[str, re.Pattern | None] = {}
        for attr in names:
            prefixes, suffixes, parts, equals, exists = self.quick[attr]
            alts = [f"^(?:{'|'.join(map(re.escape, prefixes))})"] if prefixes else []
            alts += [f"(?:{'|'.join(map(re.escape, suffixes))})$"] if suffixes else []
            alts += [re.escape(p) for p in parts]
            alts += [f"^{re.escape(v)}$" for v in equals]
            self.quick_rx[attr] = None if exists or not alts else re.compile("|".join(alts))
        # The same test for all of a page's values at once, joined with NULs (no attribute value
        # holds one) and framed by them: prefixes right after a NUL (a regex with a literal
        # first character, so only the values' starts are tried), the rest as substrings. Any
        # value passing the per-value test makes this one pass.
        self.page_rx: dict[str, tuple[re.Pattern | None, tuple[str, ...]]] = {}
        for attr in names:
            prefixes, suffixes, parts, equals, _exists = self.quick[attr]
            starts = re.compile(f"\x00{_trie(prefixes)}") if prefixes else None
            # "$" also matches before a final newline
            inside = (*parts, *(f"{v}{nl}\x00" for v in suffixes for nl in ("", "\n")),
                      *(f"\x00{v}{nl}\x00" for v in equals for nl in ("", "\n")))
            self.page_rx[attr] = (starts, inside)
        if not names:
            return None
        # Results are grouped as the attribute-by-attribute XPaths used to return them (common
        # attributes in turn, then the rare ones in document order), so the first reason found
        # for an element stays the same.
        self.common = [a for a in names if a in _COMMON_ATTRS]
        self.rare = [a for a in names if a not in _COMMON_ATTRS]
        return True

    def _page_passes(self, attr: str, entries: list[tuple[int, etree._Element, str]]) -> bool:
        """Whether any of the page's values of ``attr`` may pass the quick test (most pages:
        none, and then their values are not looked at one by one)."""
        starts, inside = self.page_rx[attr]
        joined = "\x00" + "\x00".join([value for _i, _el, value in entries]) + "\x00"
        return (starts is not None and starts.search(joined) is not None) or any(t in joined for t in inside)

    def _hits(self, page: PageAttributes, attr: str) -> Iterator[tuple[int, etree._Element, str]]:
        rx = self.quick_rx[attr]
        if rx is not None and not self._page_passes(attr, page.named(attr)):
            return
        # Pages repeat their class and id values, and sites their themes: the quick test's
        # verdict per value is kept (a dict lookup instead of a search through a regex of
        # hundreds of alternatives), up to a bound.
        seen = self._verdicts.setdefault(attr, {})
        if len(seen) > _MAX_VERDICTS:
            seen.clear()
        for i, el, value in page.named(attr):
            if rx is not None:
                ok = seen.get(value)
                if ok is None:
                    ok = seen[value] = rx.search(value) is not None
                if not ok:
                    continue
            why = self._test(attr, value, el.tag)
            if why:
                yield i, el, why

    def match(self, root: etree._Element, attributes: PageAttributes | None = None) -> list[tuple[etree._Element, str]]:
        """Elements the selectors hide, with the selector. ``attributes`` is the page's
        attribute index when the caller has it already."""
        page = attributes if attributes is not None else PageAttributes(root)
        out = []
        if self.xpath:
            for attr in self.common:
                out.extend((el, why) for _i, el, why in self._hits(page, attr))
            present = page.names()
            # in document order; one element's hits in the order of its attributes (the first
            # reason found for an element is the one reported)
            rare = sorted((((i, el.keys().index(attr)), el, why) for attr in self.rare if attr in present
                           for i, el, why in self._hits(page, attr)), key=lambda hit: hit[0])
            out.extend((el, why) for _i, el, why in rare)
        if self.tags:
            for el in page.tagged(self.tags):  # one walk with the pipeline's own tags
                out.append((el, self.tags[el.tag]))
        present = page.names()
        for sel in self.complex:
            if not self.needs[sel] <= present:
                continue  # the page lacks an attribute the selector tests: no tree walk needed
            compound = self.compounds.get(sel)
            if compound is not None:
                out.extend((el, sel) for el in _compound_match(page, *compound))
                continue
            xp = compiled(sel)
            if xp is None:
                continue
            try:
                found = xp(root)
            except etree.XPathError:
                continue
            out.extend((el, sel) for el in found if isinstance(el, etree._Element))
        return out

    def _test(self, attr: str, value: str, tag: str) -> str | None:
        for op in ("^=", "*=", "=", "$=", ""):
            for want_tag, want, sel in self.tests.get((attr, op), ()):
                if (not want_tag or want_tag == tag) and _ok(op, value, want):
                    return sel
        return None


def _ok(op: str, value: str, want: str) -> bool:
    return {"^=": value.startswith, "$=": value.endswith, "*=": value.__contains__,
            "=": value.__eq__}.get(op, lambda _w: True)(want)


@functools.lru_cache(maxsize=256)
def generic_index(selectors: tuple[str, ...]) -> SelectorIndex:
    """The index for one set of page-independent selectors (the same for most URLs)."""
    return SelectorIndex(list(selectors))


class _Indexes:
    """The generic selector index plus a small one for a host's own selectors: matched in
    turn, they hide what one index over both would (building a full index per host cost ~40 ms,
    more than the host's whole page)."""

    def __init__(self, *indexes: SelectorIndex) -> None:
        self.indexes = indexes

    def match(self, root: etree._Element, attributes: PageAttributes | None = None) -> list[tuple[etree._Element, str]]:
        attributes = attributes if attributes is not None else PageAttributes(root)
        return [hit for index in self.indexes for hit in index.match(root, attributes)]


@functools.lru_cache(maxsize=1)
def _generic() -> frozenset:
    return frozenset(engine().url_cosmetic_resources("http://localhost/").hide_selectors)


@functools.lru_cache(maxsize=1)
def _generic_index() -> SelectorIndex:
    return generic_index(tuple(sorted(_generic())))


@functools.lru_cache(maxsize=1024)
def _for_host(host: str):  # noqa: ANN202 - (adblock cosmetic resources, SelectorIndex)
    res = engine().url_cosmetic_resources(f"http://{host}/" if host else "http://localhost/")
    selectors = set(res.hide_selectors)
    generic = _generic()
    if generic <= selectors:
        # Most hosts: the generic index, found without sorting and hashing its ~900 selectors
        # again for every new host.
        extra = tuple(sorted(selectors - generic))
        if not extra:
            return res, _generic_index()
        return res, _Indexes(_generic_index(), generic_index(extra))
    # The host switches some generic selectors off: an index of its own.
    return res, generic_index(tuple(sorted(selectors)))


def cosmetic(url: str):  # noqa: ANN201 - (adblock cosmetic resources, SelectorIndex)
    """EasyList's element-hiding resources for the page and their selector index. Cosmetic
    filters are keyed by host name, so both are cached per host: sorting and hashing the ~900
    generic selectors to find their index cost more per page than matching them."""
    return _for_host((urlsplit(url).hostname or "") if url else "")
