"""The segmenter on hand-written pages in the common shapes (tests/pages/), no site rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagetrail.segment import segment

PAGES = Path(__file__).parent / "pages"


def seg(name: str, url: str = "https://site.example/post/1"):
    return segment((PAGES / name).read_bytes(), url)


def test_classic_wordpress_comments_and_form():
    snap = seg("wordpress_classic.html")
    assert [(c.id, c.author, c.date) for c in snap.comments] == [
        ("comment-501", "Priya", "June 3rd, 2010 at 8:14 am"),
        ("comment-502", "Tom Baker", "June 4th, 2010 at 6:30 pm"),
        ("comment-503", "Priya", "June 5th, 2010 at 9:01 am"),
    ]
    assert snap.comments[0].text == "Do you use crocks in the bottom of the pot for drainage or not?"
    assert all(c.parent is None for c in snap.comments)
    assert snap.comments[1].permalink == "#comment-502"
    text = snap.article.text
    assert "twenty litres of compost" in text and "pinch out side shoots" in text
    assert "crocks" not in text and "Leave a Reply" not in text and "Says" not in text


def test_blogger_threaded_comments():
    snap = seg("blogger.html")
    got = [(c.id, c.author, c.date, c.parent) for c in snap.comments]
    assert got == [
        ("c1001", "Helen K", "March 4, 2012 at 10:12 PM", None),
        ("c1002", "Maggie", "March 5, 2012 at 1:03 AM", "c1001"),
        ("c1003", "Anonymous", "March 6, 2012 at 2:00 AM", None),
    ]
    assert snap.comments[1].text.startswith("It is a hand dyed merino")
    assert snap.comments[1].depth == 1
    assert "Reply" not in snap.comments[0].text
    assert "double pointed needles" in snap.article.text
    assert "Lovely colour" not in snap.article.text and "Post a Comment" not in snap.article.text


def test_news_site_ad_slots_frames_and_sponsored_link():
    snap = seg("news_ads.html", "https://ledger.example/news/cycle-lanes")
    kinds = {(a.kind, a.position) for a in snap.ads}
    assert ("ad-unit", "header") in kinds  # the div.ad-slot before the article
    assert ("ad-unit", "in-article") in kinds  # div.advertisement between paragraphs
    assert ("ad-frame", "sidebar") in kinds  # the doubleclick iframe in the aside
    sponsored = [a for a in snap.ads if a.kind == "sponsored-link"]
    assert len(sponsored) == 1 and sponsored[0].links == ["https://www.bikeshop.example/sale"]
    assert sponsored[0].text == "Save 20% on commuter bikes at BikeShop"
    assert any(a.kind == "ad-frame" and "doubleclick" in a.links[0] for a in snap.ads)
    text = snap.article.text
    assert "Advertisement" not in text and "BikeShop" not in text
    assert "protected cycle lanes" in text and "regional transport board" in text
    assert snap.comments == []
    assert snap.article.date == "2023-09-14T07:30:00Z"
    assert any(b.kind == "heading" and b.text == "What happens next" for b in snap.article.blocks)


def test_forum_thread_first_post_is_article_replies_are_comments():
    snap = seg("forum_thread.html")
    assert [c.author for c in snap.comments] == ["wrench", "frosty"]
    assert [c.id for c in snap.comments] == ["p9002", "p9003"]
    assert snap.comments[0].date == "Jan 09, 2017 9:02 am" or "Jan 09, 2017" in snap.comments[0].date
    assert snap.comments[0].text.startswith("Check the coolant temperature sensor")
    assert "cranks but will not fire" in snap.article.text
    assert "coolant" not in snap.article.text


def test_schema_org_microdata_comments():
    snap = seg("microdata.html")
    assert [(c.id, c.author, c.date) for c in snap.comments] == [
        ("r-11", "Omar", "2021-04-19T10:00:00Z"),
        ("r-12", "Bea", "2021-04-20T08:30:00Z"),
    ]
    assert snap.comments[1].text == "Too slow for me, I gave up halfway through the drought years."
    assert snap.article.byline == "Lena Fischer"
    assert "three generations" in snap.article.text
    assert "one sitting" not in snap.article.text


def test_page_without_comments():
    snap = seg("no_comments.html")
    assert snap.comments == []
    assert snap.ads == []
    assert "white vinegar" in snap.article.text
    assert any(b.kind == "list-item" for b in snap.article.blocks)


def test_comment_form_without_comments_gives_zero_comments():
    snap = seg("form_only.html")
    assert snap.comments == []
    text = snap.article.text
    assert "wild yeast" in text
    assert "Leave a Reply" not in text and "Post a Comment" not in text and "email address" not in text


def test_affiliate_promo_injected_mid_article():
    snap = seg("promo_mid_article.html", "https://castiron.example/care")
    promos = [a for a in snap.ads if a.kind == "promo-text"]
    assert len(promos) == 1
    promo = promos[0]
    assert promo.text.startswith("Want to lose weight fast?")
    assert promo.links == ["https://www.amazon.com/dp/B00TEST123/?tag=ketoburn-20"]
    assert promo.position == "in-article"
    text = snap.article.text
    assert "Keto" not in text and "lose weight" not in text
    assert "steel wool" in text and "paper towel" in text  # paragraphs on both sides stay


def test_page_that_is_all_comments():
    snap = seg("all_comments.html")
    assert [(c.author, c.date) for c in snap.comments] == [
        ("Ann", "2020-01-01T10:00:00Z"), ("Ben", "2020-01-02T10:00:00Z")]
    assert "First comment" not in snap.article.text


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_snapshot_round_trips_through_dict(name):
    from pagetrail.segment.model import Snapshot

    snap = seg(name)
    assert Snapshot.from_dict(snap.to_dict()) == snap


DRUPAL = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Road closures this weekend</title></head>
<body><div id="page"><article class="node node--type-article"><h1>Road closures this weekend</h1>
<div class="field--name-body"><p>The bridge on Mill Street closes from Friday night until Monday morning while
the deck is resurfaced; buses will divert along Station Road for the whole weekend.</p>
<p>Cyclists and pedestrians can still cross on the temporary walkway on the east side of the bridge.</p></div></article>
<section class="comments"><h2>Comments</h2>
<a id="comment-41"></a>
<article data-comment-user-id="7" class="comment js-comment"><footer><span class="username">kmiller</span>
<time datetime="2022-03-04T09:15:00+00:00">Fri, 03/04/2022 - 09:15</time></footer>
<div class="field--name-comment-body"><p>Will the walkway be lit at night?</p></div></article>
<div class="indented">
<a id="comment-42"></a>
<article data-comment-user-id="1" class="comment js-comment"><footer><span class="username">admin</span>
<time datetime="2022-03-04T10:02:00+00:00">Fri, 03/04/2022 - 10:02</time></footer>
<div class="field--name-comment-body"><p>Yes, there are temporary lights along its whole length.</p></div></article>
</div>
<h2>Add new comment</h2><form class="comment-form"><textarea></textarea></form>
</section></div></body></html>"""

JSONLD = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Q&amp;A</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "DiscussionForumPosting",
 "headline": "Best soil for blueberries?", "comment": [
  {"@type": "Comment", "@id": "#c1", "author": {"@type": "Person", "name": "Ines"},
   "dateCreated": "2023-06-01T08:00:00Z", "text": "Acidic, with plenty of pine bark.",
   "comment": [{"@type": "Comment", "@id": "#c2", "author": "Raj", "dateCreated": "2023-06-01T09:00:00Z",
                "text": "Agreed, and keep the pH under 5.5."}]}]}</script></head>
<body><article><h1>Best soil for blueberries?</h1><p>My blueberry bushes have yellow leaves every summer even
though I water them well and they get plenty of sun. What soil mix should I use for them?</p></article></body></html>"""


def test_drupal_comments_with_anchor_ids_and_indented_replies():
    snap = segment(DRUPAL, "https://city.example/news/road-closures")
    assert [(c.id, c.author, c.date, c.parent) for c in snap.comments] == [
        ("comment-41", "kmiller", "2022-03-04T09:15:00+00:00", None),
        ("comment-42", "admin", "2022-03-04T10:02:00+00:00", "comment-41"),
    ]
    assert snap.comments[1].text == "Yes, there are temporary lights along its whole length."
    assert "walkway be lit" not in snap.article.text and "Add new comment" not in snap.article.text
    assert "Mill Street" in snap.article.text


def test_json_ld_comments_when_the_markup_has_none():
    snap = segment(JSONLD, "https://garden.example/q/1")
    assert [(c.id, c.author, c.parent, c.depth) for c in snap.comments] == [
        ("#c1", "Ines", None, 0), ("#c2", "Raj", "#c1", 1)]
    assert snap.comments[1].text == "Agreed, and keep the pH under 5.5."
