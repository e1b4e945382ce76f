"""trafilatura's pruning XPaths checked by hand run during the article step with "has one of the
attributes it tests" as their first predicate: the same elements, in the same order, fewer calls
back into Python. Other callers keep trafilatura's own XPaths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from pagetrail.segment import trafilatura_run
from pagetrail.segment.article import _options
from pagetrail.segment.parse import parse

PAGES = Path(__file__).parent / "pages"

PRUNED_PAGE = """<html><body><div><div class="comments-title">Comments</div><p id="reply-3">r</p>
<div style="display:none">hidden</div><span aria-hidden="true">x</span><div class="share-buttons">s</div>
<div id="Cookie-note">c</div><section class="post-comments">pc</section><ul id="comments"><li>c1</li></ul>
<div class="infinite-scroll"><p>more</p></div><div role="Navigation">n</div><div data-lp-replacement-content="">d</div>
<p>Plain text, no attributes.</p><div><span>bare</span></div></div></body></html>"""


def lists() -> dict[str, list]:
    from trafilatura import xpaths

    trafilatura_run._install_guards()
    return {name: getattr(xpaths, name) for name, _ in trafilatura_run.GUARDABLE}


def test_installed_trafilatura_has_the_xpaths_checked_by_hand():
    assert trafilatura_run._install_guards() == len(trafilatura_run.GUARDABLE)
    for name, index in trafilatura_run.GUARDABLE:
        assert isinstance(lists()[name][index], trafilatura_run._Guarded)


def test_the_tested_patterns_do_not_match_an_empty_value():
    for name, index in trafilatura_run.GUARDABLE:
        path = lists()[name][index].path
        assert "re:test" in path
        for pattern in re.findall(r"re:test\([^,]+, '([^']*)'", path):
            assert re.search(pattern, "") is None


@pytest.mark.parametrize("name", ["pruned", *sorted(p.name for p in PAGES.glob("*.html"))])
@pytest.mark.parametrize("key", sorted(trafilatura_run.GUARDABLE))
def test_guarded_xpath_selects_the_same_elements(name, key):
    html = PRUNED_PAGE if name == "pruned" else (PAGES / name).read_text(encoding="utf-8")
    root = parse(html)[0]
    expr = lists()[key[0]][key[1]]
    fast, original = expr.fast(root), expr.original(root)
    assert len(fast) == len(original)
    assert all(a is b for a, b in zip(fast, original, strict=True))
    assert expr.fast.path.startswith("\n        .//*[@")


def test_the_pruned_page_has_something_for_each_xpath():
    root = parse(PRUNED_PAGE)[0]
    for key in trafilatura_run.GUARDABLE:
        assert lists()[key[0]][key[1]].original(root)


def test_other_callers_get_trafilaturas_own_xpaths():
    root = parse(PRUNED_PAGE)[0]
    expr = lists()["OVERALL_DISCARD_XPATH"][0]
    assert isinstance(expr.original, etree.XPath)
    assert expr(root) == expr.original(root)  # not inside our call: trafilatura's own
    trafilatura_run.extract(parse(PRUNED_PAGE)[0], _options())
    assert not getattr(trafilatura_run._ours, "on", False)
