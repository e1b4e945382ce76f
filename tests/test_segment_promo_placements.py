"""An injected promo is found wherever it was put (after or inside a paragraph, in a list item, in
a div or loose in the article container, after a heading, at the end, in a sidebar) and taken out
of the article whole: no word of it left there, every article sentence kept. Checked on the
bundled example and on a page of another shape."""

from __future__ import annotations

import re
from html import escape

import pytest

from pagetrail.example import VERSIONS, render
from pagetrail.example.seedtext import load_seed
from pagetrail.segment import segment
from pagetrail.segment.model import normalise_text

HOP = "http://1a2b3c.pregmiracle.hop.clickbank.net/?tid=heparin"
SEED = load_seed()
HEADING = SEED.promo_heading  # "For infertility Patients:"
BODY = SEED.promo_text  # ends "Read more about it here."
BODY_LINKED = escape(BODY[:BODY.rindex("here")]) + f'<a href="{HOP}">here</a>.'
PROMO_BLOCKS = f"<p><strong>{escape(HEADING)}</strong></p><p>{BODY_LINKED}</p>"
PROMO_INLINE = f"<strong>{escape(HEADING)}</strong> {BODY_LINKED}"
#: Word 4-shingles of the promo: none may be left in the article.
WORD = re.compile(r"\w+")


def shingles(text: str) -> set[tuple[str, ...]]:
    toks = WORD.findall(text.lower())
    return {tuple(toks[i:i + 4]) for i in range(len(toks) - 3)}


PROMO_SHINGLES = shingles(HEADING + " " + BODY)


def example_without_promo() -> tuple[str, list[str]]:
    version = next(v for v in VERSIONS if v.state.promo_link is None)
    return render(version.number).decode("utf-8"), [normalise_text(p) for p in version.state.paragraphs]


def check(html: str, paragraphs: list[str], url: str, position: str | None = "in-article") -> None:
    snap = segment(html.encode("utf-8"), url)
    article = snap.article.text
    assert not shingles(article) & PROMO_SHINGLES, article
    assert "infertility patients" not in article.lower()
    for p in paragraphs:
        assert p in article
    promos = [a for a in snap.ads if a.kind == "promo-text"]
    assert len(promos) == 1, snap.ads
    assert "Pregnancy Miracle System" in promos[0].text and promos[0].text.endswith("Read more about it here.")
    assert promos[0].links == [HOP]
    if position:
        assert promos[0].position == position
    assert not [a for a in snap.ads if a.kind == "affiliate-link" and HOP in a.links]  # part of the promo


# ------------------------------------------------------------------ the bundled example
EXAMPLE_URL = "http://127.0.0.1:8080/2011/05/how-does-heparin-help-treat-recurrent-miscarriages/"


def nth_paragraph_end(html: str, n: int) -> int:
    """Index of the ``</p>`` closing the n-th article paragraph."""
    start = html.index('<div class="entry-content">')
    at = start
    for _ in range(n + 1):
        at = html.index("</p>", at + 1)
    return at


@pytest.mark.parametrize("placement", [
    "after-paragraph", "inside-paragraph-end", "inside-paragraph-after-br", "own-div", "loose-in-container",
    "list-item", "after-heading", "end-of-article",
])
def test_promo_anywhere_in_the_example_article(placement):
    html, paragraphs = example_without_promo()
    at = nth_paragraph_end(html, 2)
    if placement == "after-paragraph":
        html = html[:at + 4] + PROMO_BLOCKS + html[at + 4:]
    elif placement == "inside-paragraph-end":
        html = html[:at] + " " + PROMO_INLINE + html[at:]
    elif placement == "inside-paragraph-after-br":
        html = html[:at] + "<br>" + PROMO_INLINE + html[at:]
    elif placement == "own-div":
        html = html[:at + 4] + f"<div>{PROMO_INLINE}</div>" + html[at + 4:]
    elif placement == "loose-in-container":
        html = html[:at + 4] + PROMO_INLINE + html[at + 4:]
    elif placement == "list-item":
        items = "<ul><li>Heparin is given by injection under the skin.</li>" f"<li>{PROMO_INLINE}</li></ul>"
        html = html[:at + 4] + items + html[at + 4:]
        paragraphs = [*paragraphs, "Heparin is given by injection under the skin."]
    elif placement == "after-heading":
        section = "<h2>Treatment with heparin</h2>" + PROMO_BLOCKS
        html = html[:at + 4] + section + html[at + 4:]
        paragraphs = [*paragraphs, "Treatment with heparin"]
    elif placement == "end-of-article":
        end = html.index("</div><!-- .entry-content -->")
        html = html[:end] + PROMO_BLOCKS + html[end:]
    check(html, paragraphs, EXAMPLE_URL)


def test_promo_in_the_example_sidebar():
    html, paragraphs = example_without_promo()
    at = html.index('<aside id="recent-posts-2"')
    html = html[:at] + f'<aside id="text-9" class="widget widget_text"><div class="textwidget">{PROMO_BLOCKS}</div></aside>' + html[at:]
    check(html, paragraphs, EXAMPLE_URL, position="sidebar")


# ------------------------------------------------------------------ another page shape
STORY = [
    "Sourdough starts with a culture of wild yeast and lactic acid bacteria kept alive in flour and water.",
    "Feed the starter twice a day at room temperature until it doubles within six hours of a feeding.",
    "Mix the dough with the active starter, rest it for an hour, then fold it every half hour for two hours.",
    "Shape the loaf, proof it overnight in the fridge and bake it in a covered pot at a high heat.",
]


def news_page(promo_at: str) -> str:
    paras = [f"<p>{p}</p>" for p in STORY]
    if promo_at == "inside-second-paragraph":
        paras[1] = f"<p>{STORY[1]} {PROMO_INLINE}</p>"
    elif promo_at == "between-sections":
        paras.insert(2, f'<div class="inline-note">{PROMO_BLOCKS}</div>')
    body = "".join(paras)
    return ("<html><head><title>Baking sourdough at home</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/recipes'>Recipes</a></nav>"
            "<main><section class='story'><h1>Baking sourdough at home</h1>"
            f"<div class='story-body'>{body}</div></section></main>"
            "<footer>Copyright The Crumb Gazette</footer></body></html>")


@pytest.mark.parametrize("promo_at", ["inside-second-paragraph", "between-sections"])
def test_promo_in_a_news_page(promo_at):
    check(news_page(promo_at), STORY, "https://crumb.example/baking/sourdough")


def test_affiliate_link_in_an_article_sentence_is_an_ad_but_the_sentence_stays():
    sentence = ('I bake mine in a <a href="https://www.amazon.com/dp/B00TEST/?tag=crumb-20">cast iron '
                "dutch oven</a>, which holds the heat evenly.")
    html = news_page("none").replace(f"<p>{STORY[3]}</p>", f"<p>{STORY[3]}</p><p>{sentence}</p>")
    snap = segment(html.encode(), "https://crumb.example/baking/sourdough")
    assert "I bake mine in a cast iron dutch oven, which holds the heat evenly." in snap.article.text
    links = [a for a in snap.ads if a.kind == "affiliate-link"]
    assert len(links) == 1 and links[0].position == "in-article"
    assert not [a for a in snap.ads if a.kind == "promo-text"]


def test_a_sponsored_post_is_the_article_not_a_promo():
    """When the "promos" would be most of the article, the page is an advertorial: its text is
    the article (trafilatura keeps it, and so do we)."""
    paras = [f'<p>{BODY_LINKED}</p>', "<p>Readers of this blog get a discount, so do not miss it.</p>",
             f'<p>Order now and get the holistic guide free. Click here to <a href="{HOP}">order</a>.</p>']
    html = ("<html><head><title>New sponsor</title></head><body><article><h1>New sponsor</h1>"
            + "".join(paras) + "</article></body></html>")
    snap = segment(html.encode(), "https://blog.example/sponsor")
    assert "Pregnancy Miracle System" in snap.article.text
    assert not [a for a in snap.ads if a.kind == "promo-text"]


@pytest.mark.parametrize("before,after", [
    ("which holds the heat evenly", "which keeps the heat even"),  # the sentence around the link
    ("cast iron dutch oven", "cast-iron Dutch pot"),  # the linked words themselves
])
def test_editing_the_sentence_around_an_affiliate_link_is_an_article_change_only(before, after):
    from pagetrail.diff.snapshots import diff_snapshots

    sentence = ('I bake mine in a <a href="https://www.amazon.com/dp/B00TEST/?tag=crumb-20">cast iron '
                "dutch oven</a>, which holds the heat evenly.")
    old = news_page("none").replace(f"<p>{STORY[3]}</p>", f"<p>{STORY[3]}</p><p>{sentence}</p>")
    new = old.replace(before, after)
    assert new != old
    url = "https://crumb.example/baking/sourdough"
    d = diff_snapshots(segment(old.encode(), url), segment(new.encode(), url))
    assert d.article.changed and not d.ads.changed and not d.comments.changed


def test_an_article_heading_before_a_promo_stays_in_the_article():
    html, paragraphs = example_without_promo()
    at = nth_paragraph_end(html, 2)
    section = f"<h2>Is heparin safe in pregnancy?</h2><p>{BODY_LINKED}</p>"
    html = html[:at + 4] + section + html[at + 4:]
    snap = segment(html.encode("utf-8"), EXAMPLE_URL)
    assert "Is heparin safe in pregnancy?" in [b.text for b in snap.article.blocks]
    promos = [a for a in snap.ads if a.kind == "promo-text"]
    assert len(promos) == 1 and promos[0].text == BODY
