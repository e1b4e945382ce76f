"""``ref`` is a tracker on an ordinary link (``?ref=hn``, a share button's ``?ref=twitter``) but
some affiliate and referral programs pay through it: its shape decides. On a known affiliate link,
beside another paying parameter, or on a product, checkout or signup path, a changed ``ref`` is
a change; on a shop whose own navigation tracker it is (Amazon, which pays through ``tag``) and
on any other link it is noise."""

from __future__ import annotations

import pytest

from pagetrail.diff.links import normalise_link
from pagetrail.segment.model import Ad


@pytest.mark.parametrize(("a", "b"), [
    ("https://news.example/2024/story?ref=hn", "https://news.example/2024/story?ref=twitter"),
    ("https://news.example/2024/story?ref=hn", "https://news.example/2024/story"),
    ("https://blog.example/about/?ref=footer", "https://blog.example/about/?ref=sidebar"),
    # Amazon's own tracker beside its paying tag: only the tag pays
    ("https://www.amazon.com/dp/B000TEST/?ref=sr_1_1&tag=site-20", "https://www.amazon.com/dp/B000TEST/?ref=sr_1_7&tag=site-20"),
])
def test_ref_on_an_ordinary_link_is_noise(a, b):
    assert normalise_link(a) == normalise_link(b)


@pytest.mark.parametrize(("a", "b"), [
    # a product, checkout or signup page: a referral program's id
    ("https://app.example/pricing?ref=alice42", "https://app.example/pricing?ref=bob77"),
    ("https://courses.example/course/rust-101?ref=alice42", "https://courses.example/course/rust-101"),
    ("https://shop.example/products/kettle?ref=alice42", "https://shop.example/products/kettle?ref=bob77"),
    # a known affiliate network's link
    ("http://vendor1.offer.hop.clickbank.net/?ref=alice", "http://vendor1.offer.hop.clickbank.net/?ref=bob"),
    # beside another paying parameter
    ("https://partner.example/?ref=alice&aff_id=12", "https://partner.example/?ref=bob&aff_id=12"),
])
def test_ref_on_an_affiliate_or_product_link_is_content(a, b):
    assert normalise_link(a) != normalise_link(b)


def test_a_swapped_referral_id_on_an_ad_is_an_ads_edit():
    from pagetrail.diff.ads import diff_ads
    from pagetrail.diff.limits import DEFAULT_LIMITS

    old = [Ad("affiliate-link", "Try the app", ["https://app.example/signup?ref=alice42"], slot="div.promo")]
    new = [Ad("affiliate-link", "Try the app", ["https://app.example/signup?ref=mallory9"], slot="div.promo")]
    assert diff_ads(old, new, DEFAULT_LIMITS).changed
    same = [Ad("affiliate-link", "Try the app", ["https://app.example/signup?ref=alice42&utm_source=x"], slot="div.promo")]
    assert not diff_ads(old, same, DEFAULT_LIMITS).changed
