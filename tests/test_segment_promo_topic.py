"""Whether a run is an injected promo or the article's own text: a promo is off the article's
topic, and frequent words ("every", "one", "first") or the promo's own call to action ("read
more") are no sign of a topic; a bold sentence before a promo is the author's, not its lead-in;
and a call to action alone, before a plain link, cites a source or points home: a promo needs a
link that pays or an offer. Pages written for these tests, in the shapes the web has."""

from __future__ import annotations

import pytest

from pagetrail.diff.snapshots import diff_snapshots
from pagetrail.segment import segment

URL = "https://workshop.example/2024/05/hand-cut-dovetails/"
HOP = "http://q7w8e9.sleepform.hop.clickbank.net/?tid=dovetails"
PROMO = ("Struggling with restless nights? The first thing I give every reader who asks me is the Deep "
         f'Sleep Formula, a gentle herbal blend. Read more about it <a href="{HOP}">here</a>.')
PROMO_TEXT = ("Struggling with restless nights? The first thing I give every reader who asks me is the Deep "
              "Sleep Formula, a gentle herbal blend. Read more about it here.")
#: A long how-to that uses the frequent words the promo uses too (first, thing, give, every,
#: reader, ask, read, one ...), as long articles do, and nothing of its subject.
SECTIONS = [
    ("Marking out", [
        "The first thing every reader asks me is which saw to buy, and my answer is always the same: "
        "the one you already own, kept sharp.",
        "Mark the baseline on both boards with a cutting gauge set to the thickness of the other board, "
        "and give every line a second pass so the knife wall is clean.",
        "Read the grain before you mark the tails, since a board that tears out will show every mistake "
        "you make in the joint.",
    ]),
    ("Sawing the tails", [
        "Clamp the tail board upright in the vice and saw down to the baseline on the waste side of each "
        "line, keeping the saw plate square to the face.",
        "One reader asked whether to saw the tails or the pins first; I cut tails first because the "
        "angles are easier to see and transfer.",
        "Chop out the waste with a chisel from both faces, working halfway through from each side so "
        "the shoulders stay crisp.",
    ]),
    ("Fitting the joint", [
        "Transfer the tails onto the end grain of the pin board with a sharp knife, holding the boards "
        "together with a square block.",
        "Saw the pins, chop the waste, and test the fit; pare a thin shaving where the joint binds "
        "instead of forcing it together.",
        "Glue the joint, clamp it lightly and check the diagonals before the glue grabs, then plane the "
        "protruding ends flush the next day.",
    ]),
]


def page(promo_at: str | None = None, extra: str = "", head: str = "") -> str:
    body = []
    for n, (heading, paras) in enumerate(SECTIONS):
        body.append(f"<h2>{heading}</h2>")
        if promo_at == "after-heading" and n == 1:
            body.append(f"<p>{PROMO}</p>")
        body += [f"<p>{p}</p>" for p in paras]
    if promo_at == "end":
        body.append(f"<p>{PROMO}</p>")
    body.append(extra)
    return ("<html><head><title>Hand-cut dovetails</title>" + head + "</head><body>"
            "<header><a href='/'>The Workshop</a></header>"
            "<article class='post'><h1>Hand-cut dovetails</h1><div class='entry-content'>"
            + "".join(body) + "</div></article><footer>The Workshop</footer></body></html>")


def promos(snap) -> list:
    return [a for a in snap.ads if a.kind == "promo-text"]


@pytest.mark.parametrize("promo_at", ["after-heading", "end"])
def test_a_promo_sharing_only_frequent_words_with_a_long_article_is_cut_whole(promo_at):
    snap = segment(page(promo_at).encode(), URL)
    assert "Deep Sleep Formula" not in snap.article.text
    assert "Read more about it" not in snap.article.text
    found = promos(snap)
    assert len(found) == 1 and found[0].text == PROMO_TEXT and found[0].links == [HOP]
    for _heading, paras in SECTIONS:
        for p in paras:
            assert p in snap.article.text


@pytest.mark.parametrize("promo_at", ["after-heading", "end"])
def test_injecting_a_promo_into_a_long_article_is_an_ads_change_only(promo_at):
    old, new = segment(page().encode(), URL), segment(page(promo_at).encode(), URL)
    d = diff_snapshots(old, new)
    assert d.ads.changed and not d.article.changed and not d.comments.changed


def test_a_bold_sentence_before_a_promo_stays_in_the_article():
    bold = "<p><strong>A sharp saw matters more than an expensive one.</strong></p>"
    html = page().replace("<h2>Sawing the tails</h2>", f"<h2>Sawing the tails</h2>{bold}<p>{PROMO}</p>")
    snap = segment(html.encode(), URL)
    assert "A sharp saw matters more than an expensive one." in snap.article.text
    assert [p.text for p in promos(snap)] == [PROMO_TEXT]


def test_a_bold_label_before_a_promo_goes_with_it():
    html = page().replace("<h2>Sawing the tails</h2>",
                          f"<h2>Sawing the tails</h2><p><strong>A note from our sponsor</strong></p><p>{PROMO}</p>")
    snap = segment(html.encode(), URL)
    assert "A note from our sponsor" not in snap.article.text
    assert [p.text for p in promos(snap)] == ["A note from our sponsor " + PROMO_TEXT]


# ------------------------------------------------------------------ a call to action is not enough
CITATION = ("<p>(<em>Excerpted from &#8220;The Joiner&#8217;s Notebook&#8221;. To read more about each "
            'joint, please <a href="https://joinersnotebook.example/files/free-chapter.pdf">CLICK HERE</a></em>)</p>')


def test_a_source_cited_with_click_here_is_article_text_not_a_promo():
    snap = segment(page(extra=CITATION).encode(), URL)
    assert not promos(snap), snap.ads
    assert "Excerpted from" in snap.article.text


def test_click_here_to_the_pages_own_site_is_not_a_promo_when_fetched_under_another_host():
    """A capture fetched through a mirror or another host name: the page's head names its own
    address (canonical, og:url), and a link there is not outbound."""
    home = ('<p>Want the cutting list? <a href="https://workshop.example/plans/dovetail-box/">Click here</a> '
            "to read more about the plans and order now while the spring offer lasts.</p>")
    head = ('<link rel="canonical" href="https://workshop.example/2024/05/hand-cut-dovetails/">'
            '<meta property="og:url" content="https://workshop.example/2024/05/hand-cut-dovetails/">')
    snap = segment(page(extra=home, head=head).encode(), "http://203.0.113.9:8080/hand-cut-dovetails/")
    assert not promos(snap), snap.ads
    assert "Want the cutting list?" in snap.article.text


def test_a_promo_with_a_plain_link_and_an_offer_is_still_a_promo():
    offer = ('<p>Struggling with restless nights? Check out the Deep Sleep Formula, a gentle herbal blend, only '
             '$19 this week. Click <a href="https://deepsleepformula.example/">here</a> to order now.</p>')
    snap = segment(page(extra=offer).encode(), URL)
    assert [p.links for p in promos(snap)] == [["https://deepsleepformula.example/"]]
    assert "Deep Sleep Formula" not in snap.article.text


def test_a_newsletter_signup_with_a_plain_link_is_still_a_promo():
    """Soliciting a signup is an offer too: a site's "subscribe to our newsletter" box with a link to
    a mailing-list host is not article text."""
    box = ('<p>Click <a href="https://lists.mailhost.example/subscribe?u=9">here</a> to subscribe to the '
           "Workshop Letter, tips on hand tools every Friday.</p>")
    snap = segment(page(extra=box).encode(), URL)
    assert len(promos(snap)) == 1
    assert "Workshop Letter" not in snap.article.text


def test_comments_sharing_the_article_container_are_not_the_article_s_topic():
    """Movable Type style: the comments are siblings of the article's paragraphs. Spam comments
    that talk like the promo do not make it look on the article's topic."""
    spam = [("sleepy", "Restless nights? A gentle herbal blend and a deep sleep formula helped me, ask me."),
            ("herbs4u", "Every reader who asks about sleep: the first thing is a gentle herbal formula."),
            ("nightowl", "Struggling with restless nights for years, a herbal sleep blend was the thing.")]
    comments = "".join(
        f'<div id="c2400{n}"><p>{text}</p></div><p class="posted">Posted by: {who} at June {n}, 2024 9:0{n} AM</p>'
        for n, (who, text) in enumerate(spam, 1))
    paras = [p for _h, ps in SECTIONS for p in ps]
    html = ("<html><head><title>Hand-cut dovetails</title></head><body><div id='center'><div class='content'>"
            "<h2>Hand-cut dovetails</h2>" + "".join(f"<p>{p}</p>" for p in paras) + f"<p>{PROMO}</p>"
            + f"<h3>Comments</h3>{comments}</div></div></body></html>")
    snap = segment(html.encode(), URL)
    assert len(snap.comments) == 3
    assert [p.text for p in promos(snap)] == [PROMO_TEXT]
    assert "Deep Sleep Formula" not in snap.article.text
