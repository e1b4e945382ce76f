"""Small tree helpers shared by the steps: class/id tokens, text without some subtrees, hosts."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import compress
from operator import itemgetter, not_
from urllib.parse import urlsplit

from lxml import etree

BLOCK_TAGS = frozenset(
    "p div li dt dd h1 h2 h3 h4 h5 h6 blockquote pre table tr td th ul ol dl section article "
    "header footer aside nav form br hr figure figcaption address main".split()
)
_WORD = re.compile(r"[^\W\d_]{3,}", re.U)
#: The parts of a PageAttributes entry (rank, element, value), for C-level map() over entries.
ENTRY_RANK, ENTRY_ELEMENT, ENTRY_VALUE = itemgetter(0), itemgetter(1), itemgetter(2)


def attrs(el: etree._Element) -> str:
    """The element's id and class, space separated, for token matching."""
    return f"{el.get('id') or ''} {el.get('class') or ''}".strip()


def is_element(el: object) -> bool:
    return isinstance(el, etree._Element) and isinstance(el.tag, str)


def raw_text(el: etree._Element) -> str:
    """``el.text_content()`` as libxml2 gives it (the text nodes joined, no space added between
    blocks), from the text serialiser, which skips the XPath evaluation set up per call."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def text_of(el: etree._Element, skip: Iterable[etree._Element] = ()) -> str:
    """Normalised text of ``el`` without the subtrees in ``skip`` (their tails are kept), with a
    space between block elements so words from adjacent blocks do not run together."""
    if not isinstance(skip, (set, frozenset)):
        skip = set(skip)  # callers with hundreds of comments to skip pass a set: not copied per call
    parts: list[str] = []
    add = parts.append
    # The stack holds elements to open and, for each opened one, the string its end adds (a
    # block's space, its tail), so no element is visited twice and its tag is read once: 20%
    # faster than (element, closing) pairs on the comments set's elements.
    stack: list = [el]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if type(node) is str:
            add(node)
            continue
        tag = node.tag
        if node in skip or type(tag) is not str or tag == "script" or tag == "style":
            if node is not el:
                tail = node.tail
                if tail:
                    add(tail)
            continue
        block = tag in BLOCK_TAGS
        if block:
            add(" ")
        text = node.text
        if text:
            add(text)
        tail = node.tail if node is not el else None
        if block:
            push(" " + tail if tail else " ")
        elif tail:
            push(tail)
        if len(node):
            extend(reversed(node))
    # normalise_text's result, cheaper: str.split() and the regex \s+ both split on exactly
    # the characters str.isspace() accepts (NBSP included).
    return " ".join("".join(parts).split())


def any_of(literals: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    """One regex finding any of ``literals`` (plain strings, not patterns): a single C-level
    search where a test per literal would run in Python."""
    return re.compile("|".join(map(re.escape, literals)), flags)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def site(hostname: str) -> str:
    """The last two labels of a host (good enough to tell outbound links from internal ones)."""
    parts = hostname.removeprefix("www.").split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else hostname


def remove(el: etree._Element) -> None:
    """Remove an element but keep its tail text in the tree."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def outermost(els: list[etree._Element]) -> list[etree._Element]:
    """The elements of ``els`` inside none of the others, in their order."""
    listed = set(els)
    return [el for el in els if not any(a in listed for a in el.iterancestors())]


def slot_path(el: etree._Element, levels: int = 3) -> str:
    """A stable name for where an element sits: tag#id.class for it and a few ancestors, with
    digit runs (counters, cache-busters) folded so the slot survives small markup changes."""
    names = []
    node = el
    while node is not None and len(names) < levels and node.tag not in ("body", "html"):
        name = node.tag
        if node.get("id"):
            name += "#" + node.get("id")
        classes = (node.get("class") or "").split()[:3]
        if classes:
            name += "." + ".".join(classes)
        names.append(re.sub(r"\d{3,}", "N", name))
        node = node.getparent()
    return " > ".join(reversed(names))


#: A child further than this from its parent's first child has its index read from all the
#: parent's children at once, kept for the next: one ``index()`` scan each would make a hostile
#: page's 20,000 sibling sidebars quadratic.
_SCAN_CHILDREN = 32


class DocOrder:
    """Sort keys in document order for elements below ``root``, worked out only for the
    elements asked about (ads, sidebars, chrome): each one's child index under its parent, from
    ``root`` down, so an ancestor's key is a prefix of its descendants' and sorts first. A rank
    for every element of the page cost a dict entry per element and kept every element's
    Python object alive. Keys are kept: the tree must not change while this is in use."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._keys: dict[etree._Element, tuple[int, ...] | None] = {}
        self._children: dict[etree._Element, dict[etree._Element, int]] = {}

    def rank(self, el: etree._Element) -> tuple[int, ...] | None:
        """``el``'s key, None when it is not below ``root`` (taken out of the page)."""
        keys = self._keys
        if el in keys:
            return keys[el]
        chain = []  # (node, parent) up to the first node with a key, or the top
        node = el
        while node not in keys:
            parent = node.getparent()
            if parent is None:
                keys[node] = () if node is self.root else None
                break
            chain.append((node, parent))
            node = parent
        key = keys[node]
        for node, parent in reversed(chain):
            if key is not None:
                key = (*key, self._index(parent, node))
            keys[node] = key
        return key

    def key(self, el: etree._Element) -> tuple[int, ...]:
        """A sort key; an element out of the tree sorts with the root (as rank 0 did)."""
        return self.rank(el) or ()

    def _index(self, parent: etree._Element, child: etree._Element) -> int:
        found = self._children.get(parent)
        if found is None:
            try:
                # index() counts the siblings before the child (len() would count them all)
                return parent.index(child, 0, _SCAN_CHILDREN)
            except ValueError:
                found = self._children[parent] = {c: i for i, c in enumerate(parent)}
        return found[child]


class PageAttributes:
    """Every attribute of a page by name, as (rank, element, value) in document order (the rank
    is the element's: an element's attributes share it), from
    one walk shared by the steps that test class, id, role and markup attributes (comments,
    ads, chrome): each of them walking the tree or running XPaths over it again cost more than the
    test itself. A step that adds, moves or re-attributes elements calls ``changed()`` and the
    next reader walks the tree afresh."""

    def __init__(self, root: etree._Element, walk: tuple[str, ...] = ()) -> None:
        """``walk``: tags whose elements a later step will ask ``tagged`` for."""
        self.root = root
        self._by_name: dict[str, list[tuple[int, etree._Element, str]]] | None = None
        self._names: frozenset[str] | None = None
        self._screens: dict[tuple[str, re.Pattern[str]], set[str]] = {}
        self._walk = frozenset(walk)
        self._walked: tuple[frozenset[str], list[etree._Element]] | None = None

    def changed(self) -> None:
        self._by_name = self._names = self._walked = None
        self._screens.clear()

    def tagged(self, tags: Iterable[str]) -> list[etree._Element]:
        """The elements with one of ``tags``, in document order, from one libxml2 walk of the
        page for these and the tags named at construction, kept until the tree changes: each
        step walking the page for its own few tags (EasyList's tag selectors, the sidebars, the
        chrome) cost ~75 us a walk on a comments page (-0.07 s on the comments set a walk)."""
        tags = frozenset(tags)
        if self._walked is None or not tags <= self._walked[0]:
            every = tags | self._walk
            self._walked = (every, list(self.root.iter(*every)))
        return [el for el in self._walked[1] if el.tag in tags]

    def _screened(self, name: str, screen: re.Pattern[str]) -> set[str]:
        """The distinct values of ``name`` in which ``screen`` finds something once lower-cased,
        kept for the other tests behind the same screen."""
        found = self._screens.get((name, screen))
        if found is None:
            found = self._screens[(name, screen)] = {
                v for v in set(map(ENTRY_VALUE, self.named(name))) if screen.search(v.lower()) is not None}
        return found

    def removed(self, subtrees: Iterable[etree._Element]) -> None:
        """Forget the elements of ``subtrees``, just taken out of the tree (the rest's attributes
        untouched): the index a new walk would give (ranks keep their order, with gaps), without
        walking the page again. Lets the index be built before the pipeline drops scripts and
        the like, for the metadata step: its searches 0.40 -> 0.16 s on the 1,117 pages (index
        built apart), for 0.12 s here."""
        by = self._by_name
        if by is None:
            return  # nothing built: the first reader walks the tree as it is then
        gone = {el for sub in subtrees for el in sub.iter(etree.Element)}
        if not gone:
            return
        for name in {name for el in gone for name in el.keys()}:
            group = by.get(name)
            if group is not None:
                # C-level loops (map, compress) instead of a Python test per entry: the class
                # group is most of a page's entries and loses a few svg or noscript ones
                kept = list(compress(group, map(not_, map(gone.__contains__, map(ENTRY_ELEMENT, group)))))
                if kept:
                    by[name] = kept
                else:
                    del by[name]
        self._names = self._walked = None
        self._screens.clear()

    def _grouped(self) -> dict[str, list[tuple[int, etree._Element, str]]]:
        if self._by_name is None:
            # a defaultdict's C-level lookup instead of get() and a test per attribute: 8% of
            # the walk (0.544 -> 0.498 s on the 1,117 pages); handed on as a plain dict
            # The rank is the element's place in the walk, shared by its attributes: enumerate's
            # C-level count instead of an addition and a new int per attribute (the build 0.68 ->
            # 0.56 s on the comments set, freeing included).
            by: defaultdict[str, list[tuple[int, etree._Element, str]]] = defaultdict(list)
            for i, el in enumerate(self.root.iter(etree.Element)):
                for name, value in el.items():
                    by[name].append((i, el, value))
            self._by_name = dict(by)
        return self._by_name

    def named(self, name: str) -> list[tuple[int, etree._Element, str]]:
        """(rank in document order, element, value) of every ``name`` attribute."""
        return self._grouped().get(name, [])

    def names(self) -> frozenset[str]:
        """The attribute names that occur on the page."""
        if self._names is None:
            self._names = frozenset(self._grouped())
        return self._names

    def values(self, name: str) -> list[str]:
        return [v for _i, _el, v in self.named(name)]

    def elements(self, tests: dict[str, Callable[[str], object]]) -> list[etree._Element]:
        """Elements, in document order and each once, with an attribute whose value passes the
        attribute's test. Each distinct value is tested once (a thread repeats its classes)."""
        hits: list[tuple[int, etree._Element, str]] = []
        for name, test in tests.items():
            entries = self.named(name)
            if not entries:
                continue
            # The distinct values are tested, and the entries holding one that passed picked,
            # by C-level loops (set, map, compress): a Python loop over every entry with a
            # verdict lookup each cost more than the tests (0.70 -> 0.64 s on the comments set).
            screen = getattr(test, "screen", None)  # comments.tokens.Screened
            distinct = self._screened(name, screen) if screen is not None else set(map(ENTRY_VALUE, entries))
            passed = {value for value in distinct if test(value)}
            if passed:
                hits += compress(entries, map(passed.__contains__, map(ENTRY_VALUE, entries)))
        if len(tests) > 1:
            hits.sort(key=ENTRY_RANK)
        return list(dict.fromkeys(map(ENTRY_ELEMENT, hits)))  # each once, first place kept
