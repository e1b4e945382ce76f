"""EasyList, loaded once per process: the ``adblock`` engine built from the copy of EasyList that
the ``braveblock`` package ships, and CSS selectors compiled to XPath once each.

Building the engine takes about 0.6 s, so it is cached in-process (``engine()``) and never built
per page; a long-running service pays it once."""

from __future__ import annotations

import functools
import gzip
import os
import re
import threading

from lxml import etree

_lock = threading.Lock()
_xpaths: dict[str, etree.XPath | None] = {}


@functools.lru_cache(maxsize=1)
def engine():  # noqa: ANN201 - adblock.Engine, or None when the list is unavailable
    try:
        import adblock
        import braveblock
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(braveblock.__file__), "easylist.txt.gz")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            rules = fh.read()
    except OSError:
        return None
    filters = adblock.FilterSet()
    filters.add_filter_list(rules)
    return adblock.Engine(filters)


def compiled(selector: str) -> etree.XPath | None:
    """The CSS selector as a compiled XPath, or None when cssselect cannot translate it
    (EasyList uses a few extended selectors such as :has-text that it does not know)."""
    try:
        return _xpaths[selector]
    except KeyError:
        pass
    from cssselect import GenericTranslator, SelectorError

    try:
        xp = etree.XPath(GenericTranslator().css_to_xpath(selector, prefix="descendant-or-self::"))
    except (SelectorError, etree.XPathSyntaxError, ValueError, TypeError):
        xp = None
    with _lock:
        _xpaths[selector] = xp
    return xp


_SIMPLE = re.compile(r'^([A-Za-z][A-Za-z0-9-]*)?\[([a-zA-Z_:-]+)(?:([\^*$]?=)"([^"]*)")?\]$')
_BARE_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_COMMON_ATTRS = frozenset({"id", "class", "href", "src", "title", "name", "type"})


class SelectorIndex:
    """EasyList's generic selectors split for speed: most are one attribute test on one element
    (``div[id^="div-gpt-"]``, ``a[href^="http://ads..."]``); these are folded into a single XPath
    that libxml2 runs in one pass. The rest are compiled to XPath one by one (cached)."""

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
        self.xpath = self._combined()

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
        # href rules hide ad links; links are judged by URL in ads.find_ad_links instead.
        names = [a for a in self.fast if re.fullmatch(r"[a-z_][a-z0-9_:-]*", a) and a != "href"]
        if not names:
            return None
        # Per-attribute XPaths for the common attributes are cheap; a generic //@*[name()=...]
        # over every attribute of the page is not.
        self.attr_xpaths = [(a, etree.XPath(f"//@{a}")) for a in names if a in _COMMON_ATTRS]
        rare = [a for a in names if a not in _COMMON_ATTRS]
        if rare:
            self.attr_xpaths.append(("", etree.XPath(" | ".join(f"//@{a}" for a in rare))))
        return True

    def match(self, root: etree._Element, prefetched: dict | None = None) -> list[tuple[etree._Element, str]]:
        """Elements the selectors hide, with the selector. ``prefetched`` maps attribute names to
        the page's values of that attribute (``//@class`` results) when the caller has them."""
        out = []
        quick = self.quick
        prefetched = prefetched or {}
        for name, xp in getattr(self, "attr_xpaths", ()):
            values = prefetched[name] if name in prefetched else xp(root)
            for value in values:
                attr = value.attrname
                prefixes, suffixes, parts, equals, exists = quick[attr]
                if not (exists or value.startswith(prefixes) or value.endswith(suffixes)
                        or value in equals or any(p in value for p in parts)):
                    continue
                el = value.getparent()
                why = self._test(attr, str(value), el.tag)
                if why:
                    out.append((el, why))
        if self.tags:
            for el in root.iter(*self.tags):
                out.append((el, self.tags[el.tag]))
        for sel in self.complex:
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
