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


def _plain_link_kind(href: str, page_site: str) -> str | None:
    """link_kind's URL tests without its shortcuts (cached URL heads, literal prefilter)."""
    from pagetrail.segment import ads
    from pagetrail.segment.textutil import host, site

    if not href[:4].lower().startswith(("http", "//")):
        return None
    if ads._AFFILIATE_HOST_RE.match(href):
        return "host"
    if any(aff in href.lower() for aff in ads._AFFILIATE_PATH):
        return "path"
    if ads._AMAZON_TAG.match(href):
        return "amazon"
    if ads.AFFILIATE_URL.search(href) and not (page_site and site(host(href)) == page_site):
        return "pattern"
    return None


@pytest.mark.parametrize("href", [
    "https://www.shareasale.com/r.cfm", "HTTPS://WWW.SHAREASALE.COM/r", "https://SHAREASALE.COM",
    "http://user@clickbank.net/x", "http://a@b@c.clickbank.net/", "https://clickbank.net:8080/x",
    "https://notclickbank.net/", "https://clickbank.net.evil.example/", "//awin1.com?x", "//awin1.com#x",
    "https://awin1.com\n", "https://awin1.com\n/x", "https://shop.example/?AFF=12", "https://shop.example/Go/deal",
    "https://shop.example/go/deal/more", "https://www.Amazon.de/x?TAG=a-21", "https://amzn.com/dp/B01",
    "https://AMZN.COM/DP/B01", "https://x.example/Recommends/y", "https://x.example/REFER/y",
    "https://x.example/out/y", "https://x.example/?clickRef=1", "https://x.example/\u017fhop/?aff=1",
    "https://x.example/?\u212alickref=1", "https://\u017fhareasale.com/", "https://x.example/plain/page",
])
def test_link_kind_shortcuts_agree_with_the_patterns(href):
    found = link_kind(href, "")
    expected = _plain_link_kind(href, "")
    assert (found is None) == (expected is None)
    if expected == "host":
        assert found[1].startswith("affiliate host")


def test_every_affiliate_token_in_the_data_passes_the_quick_pre_test():
    from pagetrail.segment import ads
    from pagetrail.segment import patterns_ads as D

    urls = [f"https://x.example/p?{k}=1" for k in D.AFFILIATE_QUERY_KEYS]
    urls += [f"https://x.example{p}deal" for p in D.AFFILIATE_PATH_PARTS]
    urls += [f"https://{h}/x" for h in D.AFFILIATE_HOSTS if "/" in h]
    urls += [f"https://www.{h}com/dp/B0?{D.AMAZON_TAG_KEY}=me-20" for h in D.AMAZON_HOSTS]
    for url in urls:
        for variant in (url, url.upper()):
            assert ads._AFFILIATE_QUICK.search(variant.lower()), variant
            assert link_kind(variant, "") is not None, variant


def test_every_ad_token_in_the_data_passes_the_quick_pre_test():
    from pagetrail.segment import ads
    from pagetrail.segment import patterns_ads as D

    for token in D.AD_TOKENS:
        for value in (token, token.upper(), f"x-{token}", f"{token}_box wide"):
            assert ads.AD_QUICK.search(value), value
            assert ads._ad_token(value), value


def test_ad_values_finds_what_testing_each_value_finds():
    from pagetrail.segment import ads
    from pagetrail.segment import patterns_ads as D

    values = ["header", "thread", "Ad", "ads-top", "AD_slot", "x\tgpt-ad", "gpt-AD\n", "add", "admin ad",
              "load-ad", "reads", "sponsored-post", "Promoted", "adv", "wrapper ad-wrapper", "ad\x1cbox",
              "native-ad", "dfp", "", " ", "ad ", "-ad-", "a d", "adbox", "badge-ad", "ſponsor", "İad"]
    values += [v for t in D.AD_TOKENS for v in (t, t.upper(), f"x-{t}", f"{t}_box wide", f"a{t}", f"{t}z")]
    expected = {v for v in values if ads._ad_token(v)}
    assert expected
    ascii_only = [v for v in values if v.isascii()]
    assert ads._ad_values(ascii_only) == {v for v in ascii_only if ads._ad_token(v)}
    assert ads._ad_values(values) == expected  # not ASCII: each value tested
    assert ads._ad_values(["header", "load", "thread-list"]) == set()
