"""The comment field XPaths answered in Python (comments/xpaths.py) find what libxml2 finds."""

from __future__ import annotations

import itertools
import re

from lxml import etree, html

from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.xpaths import Marked, class_test

FIELD_XPATHS = P.AUTHOR_XPATH + P.DATE_XPATH + P.TEXT_XPATH

#: Class values around the literals the field XPaths test: whole, inside words, at the edges,
#: beside tabs, newlines and runs of spaces, in another case.
_LITERALS = sorted({x.strip() for expr in FIELD_XPATHS for x in re.findall(r"'([^']*)'", expr) if x.strip()})
_WORDS = _LITERALS + ["xfn", "fnx", "Date", "Content", "user-x", "a"]
_SEPARATORS = [" ", "\t", "\n", "  ", "\r\n", "-", "_", "\u00a0"]


def _page() -> etree._Element:
    values = [""] + _WORDS
    values += [f"{a}{sep}{b}" for a, b in itertools.combinations(_WORDS[::4], 2) for sep in _SEPARATORS[:3]]
    values += [f"{sep}{w}{sep}" for w in _WORDS for sep in _SEPARATORS]
    root = html.fromstring("<html><body><div id='c'></div></body></html>")
    comment = root.find(".//div")
    for i, value in enumerate(values):
        item = etree.SubElement(comment, "span" if i % 2 else "div", {"class": value})
        item.text = "x"
        if i % 3 == 0:
            etree.SubElement(item, "a", {"class": values[-1 - i]}).text = "y"
    comment.set("class", "content")  # the comment's own class is not below it
    return comment


def test_every_class_only_field_xpath_is_answered_as_libxml2_answers_it():
    comment = _page()
    marked = Marked(comment)
    translated = [expr for expr in FIELD_XPATHS if class_test(expr) is not None]
    assert len(translated) >= 8  # the expensive contains() chains are among them
    for expr in translated:
        mine = [x for _i, x in marked.found((expr,), set())]
        assert mine == comment.xpath(expr), expr
        assert mine, expr  # the page exercises each of them


def test_other_xpaths_are_left_to_libxml2():
    for expr in (".//cite", ".//*[@itemprop='author']", ".//*[contains(@class, 'user')]//a",
                 ".//*[contains(@class, 'a') and contains(@class, 'b')]", ".//*[contains(@class, '')]",
                 ".//*[contains(concat(' ', @class, ' '), ' a b ')]"):
        assert class_test(expr) is None, expr
