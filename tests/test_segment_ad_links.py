"""Paid-link recognition by URL and rel, as used for sponsored and affiliate ads."""

from __future__ import annotations

import pytest

from pagetrail.segment.ads import link_kind


@pytest.mark.parametrize("href,rel,kind", [
    ("http://1a2b3c.pregmiracle.hop.clickbank.net/?tid=x", "", "affiliate-link"),
    ("https://www.anrdoezrs.net/click-123-456", "", "affiliate-link"),
    ("https://www.kqzyfj.com/click-1-2", "", "affiliate-link"),
    ("https://www.shareasale.com/r.cfm?b=1&u=2&m=3", "", "affiliate-link"),
    ("https://www.awin1.com/cread.php?awinmid=1", "", "affiliate-link"),
    ("https://click.linksynergy.com/deeplink?id=x", "", "affiliate-link"),
    ("https://go.skimresources.com/?id=1X2&url=https%3A%2F%2Fshop.example", "", "affiliate-link"),
    ("https://www.amazon.com/dp/B000/?tag=site-20", "", "affiliate-link"),
    ("https://amzn.to/2iJFhRj", "", "affiliate-link"),
    ("https://shop.example/bike", "sponsored noopener", "sponsored-link"),
])
def test_paid_links(href, rel, kind):
    assert link_kind(href, rel)[0] == kind


@pytest.mark.parametrize("href,page_site", [
    ("https://www.cbsnews.com/video/watch/?id=1&tag=mncol;lst;3", "cbsnews.com"),
    ("https://en.wikipedia.org/wiki/Heparin", ""),
    ("/2011/05/other-post/", "example.com"),
    ("https://www.amazon.com/dp/B000/", ""),
    ("https://news.example/out/partner", "news.example"),
])
def test_ordinary_links(href, page_site):
    assert link_kind(href, "nofollow", page_site) is None
