"""The metadata step skips an XPath when the page source lacks every string it needs; those
strings are read from the XPath itself. On a page where the XPath matches, the pre-test passes."""

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


def test_every_xpath_has_a_sample():
    assert set(SAMPLES) == set(M.NEEDS)


@pytest.mark.parametrize("xpath", list(SAMPLES))
def test_the_pre_test_passes_wherever_the_xpath_matches(xpath):
    html = f"<html><head></head><body>{SAMPLES[xpath]}</body></html>"
    root, _ = parse(html)
    assert etree.XPath(xpath)(root), "the sample must match"
    assert M._Tokens(html.lower()).any(M.NEEDS[xpath])
    assert M._Tokens(html.lower().encode()).any(M.NEEDS[xpath])
