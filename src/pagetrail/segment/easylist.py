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


class SelectorIndex:
    """EasyList's generic selectors split for speed: most are one attribute test on one element
    (``div[id^="div-gpt-"]``, ``a[href^="http://ads..."]``) and are checked in one pass over the
    tree with string operations; the rest are compiled to XPath (cached) and run one by one."""

    def __init__(self, selectors: list[str]) -> None:
        # (attr, op) -> list of (tag or "", value, selector)
        self.tests: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self.tags: dict[str, str] = {}
        self.complex: list[str] = []
        for sel in selectors:
            m = _SIMPLE.match(sel)
            if m:
                tag, attr, op, value = m.groups()
                self.tests.setdefault((attr.lower(), op or ""), []).append(((tag or "").lower(), value or "", sel))
            elif _BARE_TAG.match(sel):
                self.tags[sel.lower()] = sel
            else:
                self.complex.append(sel)
        self.attrs = {attr for attr, _op in self.tests}
        # (attr, op) -> [(tag, tuple of values)]: one C-level startswith/endswith per group
        self.fast: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        for key, entries in self.tests.items():
            by_tag: dict[str, list[str]] = {}
            for tag, value, _sel in entries:
                by_tag.setdefault(tag, []).append(value)
            self.fast[key] = [(t, tuple(v)) for t, v in by_tag.items()]

    def match(self, root: etree._Element) -> list[tuple[etree._Element, str]]:
        out = []
        for el in root.iter("*"):
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag in self.tags:
                out.append((el, self.tags[tag]))
                continue
            for attr in self.attrs.intersection(el.attrib):
                value = el.get(attr)
                hit = self._test(attr, value, tag)
                if hit:
                    out.append((el, hit))
                    break
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
            group = self.fast.get((attr, op))
            if group is None:
                continue
            for want_tag, wants in group:
                if want_tag and want_tag != tag:
                    continue
                if (op == "^=" and value.startswith(wants)) or (op == "$=" and value.endswith(wants)) \
                        or (op == "*=" and any(w in value for w in wants)) or (op == "=" and value in wants) \
                        or op == "":
                    return next(sel for t, w, sel in self.tests[(attr, op)]
                                if t == want_tag and _ok(op, value, w))
        return None


def _ok(op: str, value: str, want: str) -> bool:
    return {"^=": value.startswith, "$=": value.endswith, "*=": value.__contains__,
            "=": value.__eq__}.get(op, lambda _w: True)(want)


@functools.lru_cache(maxsize=256)
def generic_index(selectors: tuple[str, ...]) -> SelectorIndex:
    """The index for one set of page-independent selectors (the same for most URLs)."""
    return SelectorIndex(list(selectors))
