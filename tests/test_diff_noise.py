"""What the differ normalises away, piece by piece."""

from __future__ import annotations

import pytest

from pagetrail.diff.links import normalise_link
from pagetrail.diff.noise import date_key, is_relative_date, text_key


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


# Issue 10 item 1: noise parameters compare as absent whether they changed, appeared or
# disappeared; the rules hold by value shape on names never seen before.
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.test/wp-content/plugins/ads/ad.js", "https://x.test/wp-content/plugins/ads/ad.js?ver=6.4.2"),
        ("https://x.test/ad.js?ver=1234", "https://x.test/ad.js"),
        ("https://x.test/i.png", "https://x.test/i.png?v=20261206"),
        ("https://x.test/i.png?_=1765012345678", "https://x.test/i.png"),
        ("https://x.test/i.png?cb=1&size=2", "https://x.test/i.png?size=2"),
        ("https://ad.doubleclick.net/N1234/adj/site/zone;sz=300x250;ord=123456789?",
         "https://ad.doubleclick.net/N1234/adj/site/zone;sz=300x250;ord=987654321012?"),
        ("https://ad.doubleclick.net/adj/site/zone;sz=300x250", "https://ad.doubleclick.net/adj/site/zone;sz=300x250;ord=5551234567"),
        ("https://pubads.g.doubleclick.net/gampad/ad?iu=/1/x&correlator=4437391022712345&u_tz=60",
         "https://pubads.g.doubleclick.net/gampad/ad?iu=/1/x"),
        # names we have never seen, values shaped like cache-busters and random tokens
        ("https://cdn.test/a.js?zq=1765012345", "https://cdn.test/a.js"),
        ("https://cdn.test/a.js?k=0.8273645512", "https://cdn.test/a.js?k=0.1182736455"),
        ("https://cdn.test/a.js?h=8f3a9c2e", "https://cdn.test/a.js?h=77aa01ff"),
        ("https://cdn.test/a.js?q=aB3xK9pQ2mN7vL0zR5tY", "https://cdn.test/a.js"),
        ("https://cdn.test/a.js?sess=4f1c2b7a-9d3e-4c1b-8a2f-0e9d8c7b6a54", "https://cdn.test/a.js"),
        ("https://cdn.test/style.css?1765012345", "https://cdn.test/style.css"),
        ("https://cdn.test/app.8f3a9c2e.js", "https://cdn.test/app.1b2c3d4e.js"),
        ("http://x.test/p", "https://x.test/p"),
        ("https://x.test/p;jsessionid=ABC123DEF456GHI789", "https://x.test/p"),
        # a click wrapper whose target gained tracking parameters
        ("https://ads.test/click?adurl=https%3A%2F%2Fshop.test%2Fp%3Futm_source%3Dx",
         "https://ads.test/click?adurl=https%3A%2F%2Fshop.test%2Fp"),
    ],
)
def test_noise_parameters_compare_as_absent(a, b):
    assert normalise_link(a) == normalise_link(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.test/go?aff_id=1234", "https://x.test/go?aff_id=9876"),
        ("https://x.test/go?affiliate=alice", "https://x.test/go?affiliate=bob"),
        ("https://x.test/go?affiliate=alice", "https://x.test/go"),
        ("http://vendor.hop.clickbank.net/?tid=8f3a9c2e71d4", "http://vendor.hop.clickbank.net/?tid=1b2c3d4e5f60"),
        ("https://www.amazon.com/dp/B000123?tag=mysite-20", "https://www.amazon.com/dp/B000123"),
        ("https://x.test/spring-sale-2011", "https://x.test/summer-sale-2011"),
        ("https://x.test/p?slug=heparin-and-miscarriage-2011", "https://x.test/p?slug=heparin-and-miscarriage-2012"),
        ("https://ad.doubleclick.net/N1234/adj/site/zone;sz=300x250", "https://ad.doubleclick.net/N1234/adj/site/zone;sz=728x90"),
    ],
)
def test_paying_and_content_parameters_stay_changes(a, b):
    assert normalise_link(a) != normalise_link(b)


def _ads_diff(old_ads, new_ads):
    from pagetrail.diff.ads import diff_ads
    from pagetrail.diff.limits import DEFAULT_LIMITS

    return diff_ads(old_ads, new_ads, DEFAULT_LIMITS)


def test_an_ad_whose_only_difference_is_a_noise_link_is_no_change():
    from pagetrail.segment.model import Ad

    old = [Ad("ad-frame", "", ["https://ads.test/show_ads.js"], slot="div.ad"),
           Ad("ad-frame", "", ["https://ad.doubleclick.net/adj/site/z;sz=300x250;ord=1234567890?"], slot="div#top")]
    new = [Ad("ad-frame", "", ["https://ads.test/show_ads.js?ver=5.8.1"], slot="div.ad"),
           Ad("ad-frame", "", ["https://ad.doubleclick.net/adj/site/z;sz=300x250;ord=9876543210?"], slot="div#top")]
    assert not _ads_diff(old, new).changed


def test_a_rotating_creative_in_the_same_slot_is_no_change():
    from pagetrail.segment.model import Ad

    old = [Ad("ad-unit", "Cheap flights to Rome", ["https://ads.test/click?cr=1111", "https://ads.test/cr/1111.jpg"], slot="div#sidebar-ad")]
    new = [Ad("ad-unit", "Winter boots sale", ["https://ads.test/click?cr=2222", "https://ads.test/cr/2222.jpg"], slot="div#sidebar-ad")]
    assert not _ads_diff(old, new).changed


def test_another_publisher_account_or_an_affiliate_swap_in_the_slot_is_a_change():
    from pagetrail.segment.model import Ad

    old = [Ad("ad-unit", "", ["https://ads.test/show?client=ca-pub-111"], slot="div#a"),
           Ad("ad-unit", "Pregnancy Miracle", ["http://aa.pregmiracle.hop.clickbank.net/"], slot="div#b")]
    new = [Ad("ad-unit", "", ["https://ads.test/show?client=ca-pub-222"], slot="div#a"),
           Ad("ad-unit", "Fertility Cure", ["http://bb.fertilecure.hop.clickbank.net/"], slot="div#b")]
    diff = _ads_diff(old, new)
    assert [c.op for c in diff.changes] == ["edited", "edited"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Posted by Bruce at 6:12 AM | 41 Comments | Link", "Posted by Bruce at 6:12 AM | 44 Comments | Link"),
        ("Filed under health. Comments (3)", "Filed under health. Comments (4)"),
        ("Updated 5 hours ago", "Updated 6 hours ago"),
    ],
)
def test_counters_in_article_text_are_noise(a, b):
    from pagetrail.diff.noise import article_text_key

    assert article_text_key(a) == article_text_key(b)


def test_article_numbers_that_are_content_stay_changes():
    from pagetrail.diff.noise import article_text_key

    assert article_text_key("We lost 3 babies in 2 years.") != article_text_key("We lost 4 babies in 2 years.")
    assert article_text_key("It started 3 years ago.") != article_text_key("It started 4 years ago.")


def test_counter_glued_to_the_next_words_and_in_titles_is_noise():
    from pagetrail.diff.article import diff_article
    from pagetrail.diff.limits import DEFAULT_LIMITS
    from pagetrail.segment.model import Article, Block

    old = Article("How to Lose 100 Pounds 386 Comments", blocks=[Block("paragraph", "at 1:39 PM • 20 CommentsTo receive these entries")])
    new = Article("How to Lose 100 Pounds 387 Comments", blocks=[Block("paragraph", "at 1:39 PM • 23 CommentsTo receive these entries")])
    assert not diff_article(old, new, DEFAULT_LIMITS).changed


def test_relative_date_inside_comment_text_and_repeated_ids_are_noise():
    from pagetrail.diff.comments import diff_comments
    from pagetrail.diff.limits import DEFAULT_LIMITS
    from pagetrail.segment.model import Comment

    old = [Comment("reply", "ann", "3 day ago", "6 hours ago Mita B. I always used hairspray"),
           Comment("reply", "bob", "2 day ago", "Great turkey, it got us through the storm"), Comment("reply", "cy", None, "Thanks all")]
    new = [Comment("reply", "ann", "2 day ago", "5 hours ago Mita B. I always used hairspray"),
           Comment("reply", "bob", "1 day ago", "Great turkey, it got us through the storm"), Comment("reply", "cy", None, "Thanks all")]
    assert not diff_comments(old, new, DEFAULT_LIMITS).changed
    new[1] = Comment("reply", "bob", "1 day ago", "Great chicken, it got us through the storm")
    assert [c.op for c in diff_comments(old, new, DEFAULT_LIMITS).changes] == ["edited"]


@pytest.mark.parametrize("date", ["hace 3 horas", "vor 2 Tagen", "il y a 5 minutes", "3 uur geleden", "2 giorni fa", "há 4 dias"])
def test_localised_relative_dates(date):
    assert is_relative_date(date) and date_key(date) is None


def test_a_rotating_creative_in_a_slot_with_a_random_id_is_no_change():
    from pagetrail.segment.model import Ad

    old = [Ad("ad-frame", "Boots", ["https://ads.test/cr/1.jpg"], slot="div#div-gpt-ad-1a2b3c4d-0")]
    new = [Ad("ad-frame", "Flights", ["https://ads.test/cr/2.jpg"], slot="div#div-gpt-ad-9f8e7d6c-0")]
    assert not _ads_diff(old, new).changed


def test_the_quick_word_tests_hold_a_word_of_every_pattern_alternative():
    """Each alternative of the ticker, counter and relative-date patterns needs one of the words
    the quick tests look for, so skipping a text without them never changes a key."""
    from pagetrail.diff import patterns as P

    samples = {
        "ARTICLE": ["41 Comments", "3 responses", "2 replies", "4 trackbacks", "5 pingbacks", "10 views",
                    "7 shares", "Comments (3)", "Views: 12", "5 hours ago", "2 days ago"],
        "COMMENT": ["12 likes", "-3 votes", "+5 points", "4 replies", "2 people found this helpful",
                    "Reply (3)", "Likes (4)", "Votes (2)"],
        "RELATIVE": ["an hour ago", "3 days ago", "hace 3 horas", "há 4 dias", "vor 2 Tagen",
                     "il y a 5 minutes", "3 uur geleden", "2 giorni fa", "2 dias atrás"],
    }
    pairs = {"ARTICLE": (P.ARTICLE_TICKERS, P.ARTICLE_TICKER_WORDS),
             "COMMENT": (P.COMMENT_COUNTERS, P.COMMENT_COUNTER_WORDS),
             "RELATIVE": (P.RELATIVE_DATE_IN_TEXT, P.RELATIVE_DATE_WORDS)}
    for name, texts in samples.items():
        pattern, words = pairs[name]
        for text in texts:
            match = pattern.search(f"x {text} y")
            assert match, (name, text)
            assert any(w in f" {match.group(0).lower()} " or w in f"x {text} y".lower() for w in words), (name, text)
