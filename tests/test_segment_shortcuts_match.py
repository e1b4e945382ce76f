"""The segmenter's shortcuts give what the plain way gives: EasyList selectors run from the
elements carrying their leading class or id find what the selector run over the whole page finds."""

from __future__ import annotations

import pytest
from lxml import etree

from pagetrail.segment import easylist
from pagetrail.segment.parse import parse
from pagetrail.segment.textutil import PageAttributes

PAGE = """<html><head></head><body>
<div id="header">top</div>
<div id="content"><div id="left"><div id="rlblock_left">ad</div></div>
  <div id="center"><div class="dose x"><div class="dosesingle">one</div></div>
    <div class="dose"><div class="dosesingle">two</div><div class="dose">
      <div class="dosesingle">nested</div></div></div></div></div>
<div class="grid"><div class="container"><div id="aside-promotion">promo</div></div></div>
<div class="grid"><div class="container"><p id="aside-promotion">not a div, still an id</p></div></div>
<div class="nrelate"><span class="nr_partner">a</span><span class="nr_partner">b</span></div>
<div class="dosesingle-wide"><div class="dosesingle">inside a longer class name</div></div>
<div class="a1 b2"><em class="c3">c</em></div><div class="a1"></div><em class="c3">no</em>
</body></html>"""

SELECTORS = [
    "#header + #content > #left > #rlblock_left",
    "#content > #center > .dose > .dosesingle",
    "#content .dose .dosesingle",
    ".dose > .dosesingle",
    ".dose .dosesingle",
    ".grid > .container > #aside-promotion",
    ".nrelate .nr_partner",
    ".a1.b2 > .c3",
    ".a1 + .c3",
    ".dosesingle",
    "#content > :not(#left)",
    "#nothing > div",
    ".a1, .c3",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_a_selector_run_from_its_leading_name_finds_what_it_finds_on_the_whole_page(selector):
    root, _ = parse(PAGE)
    everywhere = easylist.compiled(selector)(root)
    assert easylist.select(selector, root, PageAttributes(root)) == everywhere


def test_a_selector_cssselect_cannot_read_matches_nothing():
    root, _ = parse(PAGE)
    assert easylist.select(".dose:has-text(one)", root, PageAttributes(root)) == []


def test_an_escaped_leading_name_is_not_read_as_its_first_part():
    root, _ = parse('<html><body><div id="a:b"><p>x</p></div><div id="a"><p>y</p></div></body></html>')
    found = easylist.select(r"#a\:b > p", root, PageAttributes(root))
    assert [etree.tostring(el, encoding=str, with_tail=False) for el in found] == ["<p>x</p>"]


def test_the_engine_is_asked_about_the_names_a_rule_may_be_keyed_by_only():
    from pagetrail.segment import easylist_names

    engine = easylist.engine()
    known = easylist_names.rule_names()
    assert known and "-partners" in known  # an escaped key (##.\-partners) is read as the engine reads it
    listed = sorted(known)[::50]
    classes = ["ad", "Ad-300x100", "ads", "dose", "dosesingle", "grid", "container", "-partners", "a:b",
               "advert", "sidebar", "ébène", "nr_partner", *listed]
    ids = ["header", "content", "slashboxes", "ads", "x y", "aside-promotion", *listed]
    for exceptions in (set(), {".Ad-300x100", "#header + #content > #left > #rlblock_left"}):
        for names in ((classes, ids), (classes, []), ([], ids), (["grid", "nothing-here"], ["none"])):
            assert easylist_names.hidden_class_id_selectors(*names, exceptions) == \
                engine.hidden_class_id_selectors(*names, exceptions)
    # the names the engine answers for are all known
    assert all(c in known for c in classes if engine.hidden_class_id_selectors([c], [], set()))
    assert all(i in known for i in ids if engine.hidden_class_id_selectors([], [i], set()))
