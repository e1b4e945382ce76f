"""The field XPaths (patterns.AUTHOR_XPATH, DATE_XPATH, TEXT_XPATH) run below one comment, with
what makes them cheap: one look at the comment's class and itemprop values, read once, tells
which XPaths cannot match, and an XPath that only tests class values (``.//*[contains(@class,
'a') or ...]``) is answered from that same list of elements instead of by libxml2, whose
``contains()`` chains cost 40-120 microseconds a comment (0.4 s on the comments set)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import etree

from pagetrail.segment.comments.tokens import Tokens
from pagetrail.segment.textutil import any_of

_COMPILED: dict[str, etree.XPath] = {}
_LITERAL = re.compile(r"'([^']*)'")
#: One term of a class-only XPath: contains() on @class as it is, padded with spaces, or padded
#: and normalize-space()d, with a literal.
_TERM = re.compile(r"contains\((@class|concat\(' ', @class, ' '\)|concat\(' ', normalize-space\(@class\), ' '\)), "
                   r"'([^']+)'\)")
_CLASS_TESTS: dict[str, Callable[[str], object] | None] = {}
_XML_SPACE = re.compile(r"[ \t\r\n]+")
#: One step down to a named element, with predicates that hold no brackets of their own.
_ONE_STEP = re.compile(r"\.//([a-z][a-z0-9]*)(?:\[[^\[\]]*\])*")
_ELEMENT_TESTS: dict[str, str | None] = {}


def _xp(expr: str) -> etree.XPath:
    """A compiled XPath (``el.xpath(str)`` would compile it again for every comment)."""
    xp = _COMPILED.get(expr)
    if xp is None:
        xp = _COMPILED[expr] = etree.XPath(expr)
    return xp


def class_test(expr: str) -> Callable[[str], object] | None:
    """For an XPath ``.//*[T or T ...]`` whose terms T are ``contains()`` tests of @class (as it
    is, in ``concat(' ', @class, ' ')``, or in ``concat(' ', normalize-space(@class), ' ')``)
    against a literal: the same test on one class value, as one regular expression. None for
    any other XPath. Read from the XPath itself, so the data stays the one place that says what
    is tested."""
    if expr in _CLASS_TESTS:
        return _CLASS_TESTS[expr]
    test = None
    if expr.startswith(".//*[") and expr.endswith("]"):
        terms = [_TERM.fullmatch(t.strip()) for t in expr[5:-1].split(" or ")]
        alternatives = [_term_regex(m.group(1), m.group(2)) if m else None for m in terms]
        if alternatives and all(alternatives):
            test = re.compile("|".join(alternatives)).search
    _CLASS_TESTS[expr] = test
    return test


def _term_regex(where: str, literal: str) -> str | None:
    """A regular expression over the class value that matches when ``contains(where, literal)``
    is true, or None when the term has a form not handled here."""
    if where == "@class":
        return re.escape(literal)
    word = literal[1:-1]
    if not (literal.startswith(" ") and literal.endswith(" ") and word and not _XML_SPACE.search(word)):
        return None
    # ' w ' inside ' ' + value + ' ': w with a space or the value's edge on each side; with
    # normalize-space(), any of XPath's white space characters (space, tab, CR, LF) instead.
    edge = "[^ ]" if where.startswith("concat(' ', @class") else r"[^ \t\r\n]"
    return f"(?<!{edge}){re.escape(word)}(?!{edge})"


def element_test(expr: str) -> str | None:
    """The tag every match of ``expr`` has when it is ``.//TAG`` with predicates only
    (``.//cite``, ``.//b[1]``, ``.//time[@datetime]``), else None: no such descendant, no match."""
    try:
        return _ELEMENT_TESTS[expr]
    except KeyError:
        m = _ONE_STEP.fullmatch(expr)
        tag = _ELEMENT_TESTS[expr] = m.group(1) if m else None
        return tag


def _literals(expr: str) -> re.Pattern | None:
    """The pre-test of an XPath that only tests @class/@itemprop against its literals: one of
    them must occur in those values (in the itemprop values alone when the XPath tests no
    class). None for XPaths without literals (``.//cite``): they always run. Derived from the
    XPath itself, so it cannot miss one of its literals."""
    lits = [x.strip() for x in _LITERAL.findall(expr) if x.strip()]
    return any_of(lits) if lits else None


#: An XPath and what decides whether and how it runs below a comment: (index, XPath, literal
#: pre-test, whether it reads the itemprop values only, element_test's tag, class_test's test).
_Step = tuple[int, str, re.Pattern | None, bool, str | None, Callable[[str], object] | None]
_PLANS: dict[tuple[str, ...], list[_Step]] = {}


def _plan(xpaths: tuple[str, ...]) -> list[_Step]:
    """Each XPath's pre-tests and test, worked out once per tuple of XPaths (reading them for
    every comment cost more dict look-ups and calls than the tests themselves)."""
    plan = _PLANS.get(xpaths)
    if plan is None:
        plan = _PLANS[xpaths] = [(i, expr, _literals(expr), "@class" not in expr, element_test(expr), class_test(expr))
                                 for i, expr in enumerate(xpaths)]
    return plan


def skipped(node: etree._Element, el: etree._Element, skip: set) -> bool:
    """True when ``node`` (below ``el``) sits inside one of the ``skip`` subtrees."""
    if not skip:
        return False  # most comments hold no reply by the time they are read (threads.read_all)
    while node is not None and node is not el:
        if node in skip:
            return True
        node = node.getparent()
    return False


class Marked:
    """One comment's descendants that carry a class or an itemprop, in document order, and
    those values joined (``blob``: the cheap pre-test of what can match below the comment)."""

    def __init__(self, el: etree._Element) -> None:
        self.el = el
        self._has: dict[str, bool] = {}
        # One walk reading each descendant's class and itemprop once: the XPath
        # ``.//*[@class or @itemprop]`` and reading the values again after it cost 0.255 s on
        # the comments set's 8,241 comments against 0.164 s.
        self.els: list[etree._Element] = []
        self.classes: list[tuple[etree._Element, str | None]] = []
        props: list[str] = []
        for x in el.iterdescendants(etree.Element):
            cls, prop = x.get("class"), x.get("itemprop")
            if cls is not None or prop is not None:
                self.els.append(x)
                self.classes.append((x, cls))
                if prop is not None:
                    props.append(prop)
        self.props = " ".join(props)
        self.blob = " ".join([cls for _x, cls in self.classes if cls is not None] + [self.props])

    def has(self, tag: str) -> bool:
        """True when a ``tag`` element is below the comment. A C-level walk that stops at the
        first one, asked once per tag: a ``.//cite`` or ``.//b[1]`` XPath for a tag not there is
        not run (libxml2 sets up each XPath call: 20,000 such calls on the comments set, 97%
        finding nothing)."""
        found = self._has.get(tag)
        if found is None:
            found = self._has[tag] = next(self.el.iterdescendants(tag), None) is not None
        return found

    def with_class(self, tokens: Tokens) -> list[etree._Element]:
        """The elements whose class holds one of ``tokens``, in document order (none when the
        comment's values cannot hold one: the token list's own pre-test, on all of them)."""
        if not tokens.prefilter(self.blob):
            return []
        return [x for x, cls in self.classes if cls is not None and tokens.search(cls)]

    def found(self, xpaths: tuple[str, ...], skip: set) -> Iterator[tuple[int, etree._Element]]:
        """(index of the XPath, element) for what each XPath finds outside ``skip``, in order."""
        el = self.el
        for i, expr, literals, props_only, tag, test in _plan(xpaths):
            if tag is not None and not self.has(tag):
                continue
            if literals is not None and literals.search(self.props if props_only else self.blob) is None:
                continue
            if test is not None:
                hits = [x for x, cls in self.classes if cls is not None and test(cls)]
            else:
                hits = [x for x in _xp(expr)(el) if isinstance(x, etree._Element)]
            for x in hits:
                if not skipped(x, el, skip):
                    yield i, x
