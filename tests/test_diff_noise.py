"""What the differ normalises away, piece by piece."""

from __future__ import annotations

import pytest

from pagetrail.diff.noise import date_key, is_relative_date, normalise_link, text_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.test/p?id=3&utm_source=tw&utm_campaign=spring", "https://x.test/p?id=3"),
        ("https://x.test/p?fbclid=IwAR0abc&gclid=Cj0KCQ", "https://x.test/p"),
        ("https://x.test/p?mc_cid=1a2b&mc_eid=3c4d&_ga=2.123.456", "https://x.test/p"),
        ("/wp-includes/js/jquery.js?ver=3.1.3", "/wp-includes/js/jquery.js?ver=3.1.4"),
        ("http://pixel.test/p.gif?labels=x&cb=1306400000123", "http://pixel.test/p.gif?cb=1306486400987&labels=x"),
        ("https://x.test/a?token=8f3a9c2e71d4a0b9c3", "https://x.test/a?token=ffff9c2e71d4a0b9c3"),
        ("https://x.test/cache/8f3a9c2e71d4a0b9/ad.js", "https://x.test/cache/0123456789abcdef0/ad.js"),
        ("HTTPS://X.TEST/p#frag", "https://x.test/p"),
    ],
)
def test_links_that_differ_only_by_noise(a, b):
    assert normalise_link(a) == normalise_link(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://1a2b3c.pregmiracle.hop.clickbank.net/?tid=heparin", "http://7x9k2m.fertilecure.hop.clickbank.net/?tid=heparin"),
        ("http://aff.vendor.hop.clickbank.net/?tid=heparin", "http://aff.vendor.hop.clickbank.net/?tid=heparin2"),
        ("https://www.amazon.com/dp/B000123?tag=mysite-20", "https://www.amazon.com/dp/B000123?tag=other-20"),
        ("https://x.test/p?id=3", "https://x.test/p?id=4"),
    ],
)
def test_links_that_really_differ(a, b):
    assert normalise_link(a) != normalise_link(b)


@pytest.mark.parametrize("date", ["3 hours ago", "2 days ago", "a minute ago", "about an hour ago", "just now", "yesterday", "5m"])
def test_relative_dates(date):
    assert is_relative_date(date) and date_key(date) is None


def test_absolute_dates_are_kept():
    assert date_key("May 6, 2011 at 2:22 pm") == "May 6, 2011 at 2:22 pm"
    assert not is_relative_date("2011-05-06T14:22:09+00:00")


def test_text_key_ignores_white_space_and_typography():
    assert text_key("It\u2019s \u201cbaby\u201d\n aspirin \u2014 ok\u00a0") == "It's \"baby\" aspirin - ok"
    assert text_key("Heparin") != text_key("heparin")  # case is content
