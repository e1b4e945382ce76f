"""The metadata step's sources: each XPath in metadata.py finds its field on a page of its shape,
and where a Python finder stands in for an XPath (FINDERS, cheaper than libxml2 building a
string per element), the finder gives what the XPath gives."""

from __future__ import annotations

import pytest
from lxml import etree

from pagetrail.segment import metadata as M
from pagetrail.segment.parse import parse

#: One small page per XPath, on which that XPath finds something.
SAMPLES = {
    M.TITLE_XPATHS[0]: '<meta property="og:title" content="T">',
    M.TITLE_XPATHS[1]: '<meta name="twitter:title" content="T">',
    M.TITLE_XPATHS[2]: '<h2 class="post-title big">T</h2>',
    M.TITLE_XPATHS[3]: "<main><h1>T</h1></main>",
    M.TITLE_XPATHS[4]: "<h1>T</h1>",
    M.TITLE_XPATHS[5]: "<title>T</title>",
    M.BYLINE_XPATHS[0]: '<meta name="author" content="A">',
    M.BYLINE_XPATHS[1]: '<meta property="article:author" content="A">',
    M.BYLINE_XPATHS[2]: '<div itemprop="author"><span itemprop="name">A</span></div>',
    M.BYLINE_XPATHS[3]: '<span itemprop="author">A</span>',
    M.BYLINE_XPATHS[4]: '<a rel="author" href="/a">A</a>',
    M.BYLINE_XPATHS[5]: '<span class="entry-author">A</span>',
    M.DATE_XPATHS[0]: '<meta property="article:published_time" content="2020-01-01">',
    M.DATE_XPATHS[1]: '<meta itemprop="datePublished" content="2020-01-01">',
    M.DATE_XPATHS[2]: '<span itemprop="datePublished" datetime="2020-01-01">x</span>',
    M.DATE_XPATHS[3]: '<meta name="sailthru.date" content="2020-01-01">',
    M.DATE_XPATHS[4]: '<article><time datetime="2020-01-01">x</time></article>',
    M.DATE_XPATHS[5]: '<time class="entry-date" datetime="2020-01-01">x</time>',
}
#: Pages where a finder must find nothing: a comment's author and date, a class word that
#: only contains "byline".
MISSES = {
    M.TITLE_XPATHS[3]: '<header><h1>T</h1></header><article><h2>U</h2></article>',
    M.TITLE_XPATHS[4]: '<h2>T</h2>',
    M.BYLINE_XPATHS[2]: '<div itemtype="https://schema.org/Comment"><div itemprop="author">'
                        '<span itemprop="name">C</span></div></div>',
    M.BYLINE_XPATHS[3]: '<div itemtype="https://schema.org/Comment"><span itemprop="author">C</span></div>',
    M.BYLINE_XPATHS[5]: '<span class="bylines-list">A</span>',
    M.DATE_XPATHS[2]: '<div itemtype="https://schema.org/Comment"><span itemprop="datePublished" '
                      'datetime="2020-01-01">x</span></div>',
    M.DATE_XPATHS[4]: '<article><div class="comment-body"><time datetime="2020-01-01">x</time></div></article>'
                      '<time datetime="2020-01-02">y</time>',
    M.DATE_XPATHS[5]: '<span class="published" datetime="2020-01-01">x</span><time class="entry-date">y</time>',
}


def _page(markup: str) -> etree._Element:
    head, body = (markup, "") if markup.startswith("<meta") else ("", markup)  # as libxml2 places them
    return parse(f"<html><head>{head}</head><body>{body}</body></html>")[0]


def test_every_xpath_has_a_sample():
    assert set(SAMPLES) == {*M.TITLE_XPATHS, *M.BYLINE_XPATHS, *M.DATE_XPATHS}


@pytest.mark.parametrize("xpath", list(SAMPLES))
def test_each_source_finds_its_field_and_a_finder_agrees_with_its_xpath(xpath):
    root = _page(SAMPLES[xpath])
    expected = etree.XPath(xpath)(root)
    assert expected, "the sample must match"
    if xpath in M.FINDERS:
        assert M.FINDERS[xpath](M._Page(root)) == expected[:1]
    meta = M.read_metadata(root)
    assert "T" == meta.title or "A" == meta.byline or "2020-01-01" == meta.date


@pytest.mark.parametrize("xpath", list(MISSES))
def test_a_finder_misses_where_its_xpath_misses(xpath):
    root = _page(MISSES[xpath])
    assert etree.XPath(xpath)(root) == [] == M.FINDERS[xpath](M._Page(root))


@pytest.mark.parametrize("xpath", sorted(M._META_PLANS))
def test_meta_xpaths_answered_from_the_index_give_what_libxml2_gives(xpath):
    """The <meta> XPaths read from the attribute index (_META_PLANS) return the contents the
    XPath returns below <head>, in order: several matches, a match without content, an http
    author, and a matching <meta> outside the head, which is not read."""
    plan_attr, values = next(iter(M._META_PLANS[xpath][0].items()))
    metas = "".join(f'<meta {plan_attr}="{v}" content="c{n}"><meta {plan_attr}="{v}">'
                    f'<meta {plan_attr}="{v}" content="http://x/{n}">' for n, v in enumerate(sorted(values)))
    root = parse(f"<html><head>{metas}<meta name='other' content='o'></head>"
                 f"<body><div><meta {plan_attr}='{min(values)}' content='body'></div></body></html>")[0]
    head = root.find("head")
    expected = [str(v) for v in etree.XPath("." + xpath)(head)]
    assert expected
    assert M._meta_contents(M._Page(root), head, M._META_PLANS[xpath]) == expected
    assert M._meta_contents(M._Page(root), None, M._META_PLANS[xpath]) == [str(v) for v in etree.XPath(xpath)(root)]
