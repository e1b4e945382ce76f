"""The article step: trafilatura through its public API, on the tree left once ads and comments are
out; the page's own blocks when trafilatura finds nothing; other users of trafilatura unaffected."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import trafilatura
from lxml import etree

from pagetrail.segment import segment, trafilatura_run
from pagetrail.segment.article import extract_article
from pagetrail.segment.metadata import Metadata
from pagetrail.segment.parse import parse
from pagetrail.segment.patterns_article import TRAFILATURA_OPTIONS

PAGES = Path(__file__).parent / "pages"
STORY = "".join(f"<p>Paragraph {i} of the story about tomato seedlings and their first true leaves, "
                "which the gardener pricks out into pots of their own.</p>" for i in range(8))


def page(body: str):
    return parse(f"<html><head><title>T</title></head><body>{body}</body></html>")[0]


def test_extraction_leaves_the_callers_tree_as_it_was():
    root = page(f"<nav><a href='/'>Home</a></nav><main>{STORY}</main><aside>Popular</aside>")
    before = etree.tostring(root)
    body, text = trafilatura_run.extract(root, "https://site.example/")
    assert body is not None and "Paragraph 7" in text
    assert etree.tostring(root) == before


def test_segmenting_does_not_change_what_other_callers_of_trafilatura_get():
    html = (PAGES / "news_ads.html").read_text(encoding="utf-8")
    before = trafilatura.extract(html, include_comments=False)
    segment(html.encode(), "https://ledger.example/news/cycle-lanes")
    assert trafilatura.extract(html, include_comments=False) == before


@pytest.mark.parametrize("name", ["no_comments.html", "news_ads.html", "wordpress_classic.html"])
def test_article_text_is_trafilaturas_with_the_same_options_less_ads_and_comments(name):
    """What trafilatura keeps (with the article step's options) stays in the article, unless
    pagetrail reported it as an ad or a comment."""
    html = (PAGES / name).read_bytes()
    snap = segment(html, "https://site.example/post/1")
    theirs = trafilatura.bare_extraction(html.decode("utf-8"), **TRAFILATURA_OPTIONS)
    a = snap.article
    accounted = " ".join([a.text, a.title, a.byline or "", a.date or ""] + [x.text for x in snap.ads]
                         + [" ".join((c.author or "", c.date or "", c.text)) for c in snap.comments])
    missing = set(re.findall(r"\w+", (theirs.raw_text or "").lower())) - set(re.findall(r"\w+", accounted.lower()))
    assert not missing


def test_the_pages_own_blocks_when_trafilatura_finds_nothing():
    root = page("<p></p><aside><div>Opening hours: nine to five, every day but Sunday.</div></aside>")
    fallback = root.find(".//aside")
    article = extract_article(root, "https://site.example/", Metadata(), fallback=fallback)
    assert [b.text for b in article.blocks] == ["Opening hours: nine to five, every day but Sunday."]


def test_a_trafilatura_failure_gives_the_pages_own_blocks(monkeypatch):
    def broken(*_args, **_kwargs):
        raise ValueError("odd tree")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    root = page(f"<main>{STORY}</main>")
    article = extract_article(root, "https://site.example/", Metadata(), fallback=root.find(".//main"))
    assert len(article.blocks) == 8 and article.blocks[0].text.startswith("Paragraph 0")


def test_the_same_page_gives_the_same_article_twice():
    html = (PAGES / "promo_mid_article.html").read_bytes()
    first = segment(html, "https://site.example/post/1").article
    second = segment(copy.copy(html), "https://site.example/post/1").article
    assert first == second and first.blocks


def test_a_headline_trafilatura_keeps_stays_in_the_article():
    html = (f"<html><head><title>Tomato seedlings</title></head><body><article><h1>Tomato seedlings</h1>"
            f"{STORY}</article></body></html>").encode()
    snap = segment(html, "https://site.example/post")
    assert snap.article.title == "Tomato seedlings"
    assert (snap.article.blocks[0].kind, snap.article.blocks[0].text) == ("heading", "Tomato seedlings")
    assert snap.article.blocks[1].text.startswith("Paragraph 0")


def test_loose_text_between_blocks_is_a_paragraph_of_the_article():
    html = (PAGES / "wordpress_classic.html").read_bytes()
    snap = segment(html, "https://site.example/post/1")
    assert "June 2nd, 2010 by Sam Green" in [b.text for b in snap.article.blocks]


def test_pre_cleaning_takes_chrome_out_but_never_the_article():
    from pagetrail.segment.article import pre_clean

    root = page(f"<nav><a href='/'>Home</a></nav><aside><div id='story'>{STORY}</div></aside>"
                "<footer>Copyright</footer>")
    story = root.find(".//div[@id='story']")
    assert pre_clean(root, story) == 3  # head, nav, footer
    assert root.find("head") is None and root.find(".//nav") is None and root.find(".//footer") is None
    assert story.getparent() is not None and root.find(".//aside") is not None


def test_pre_cleaning_takes_out_blocks_named_sidebar_or_related_but_never_the_article():
    from pagetrail.segment.article import pre_clean

    root = page(f"<div class='layout has-sidebar'><div id='story'>{STORY}</div>"
                "<div class='Widget-Area SIDEBAR-right'><p>Archives</p><div class='sidebar-box'>Tags</div></div>"
                "</div><section id='related-posts'><p>More stories</p></section>"
                "<div class='sidebar'><h1>The headline</h1></div><p class='related'>Kept: not a div</p>")
    story = root.find(".//div[@id='story']")
    assert pre_clean(root, story) == 3  # head, the right sidebar (with the box inside), the related posts
    assert story.getparent() is not None and root.find(".//div[@class='layout has-sidebar']") is not None
    assert root.find(".//h1") is not None and root.find(".//p[@class='related']") is not None
    assert "Archives" not in "".join(root.itertext()) and "More stories" not in "".join(root.itertext())


def test_without_an_article_container_no_block_is_taken_out_for_its_name_alone():
    from pagetrail.segment.article import pre_clean

    root = page(f"<div class='content has-sidebar'>{STORY}</div><div class='sidebar'>Archives</div>")
    assert pre_clean(root) == 1  # the head only
    assert pre_clean(root, root.find("body")) == 0
    text = "".join(root.itertext())
    assert "Paragraph 7" in text and "Archives" in text


def test_pre_cleaning_words_must_be_lowercase():
    from pagetrail.segment.article import _lowercase

    assert _lowercase(("sidebar",)) == ("sidebar",)
    with pytest.raises(ValueError, match="must be lowercase"):
        _lowercase(("SideBar",))


def test_pre_stripped_images_and_inputs_change_nothing_trafilatura_finds():
    """Images and inputs go before trafilatura runs (it strips them itself with images off):
    their tails stay, and the body it finds is the one it finds with them in."""
    from pagetrail.segment.article import body_blocks, extract_blocks

    inline = ("<p>Seedlings<img src='a.png' alt='a seedling'> need light, <input type='checkbox'>"
              "water<img src='b.png'> and <b>patience<img src='c.png'></b> above all.</p>")
    root = page(f"<main>{STORY}{inline}<div><img src='d.png'></div>{STORY}</main>")
    untouched = copy.deepcopy(root)
    untouched.remove(untouched.find("head"))
    body, _text = trafilatura_run.extract(untouched, "https://site.example/")
    blocks = extract_blocks(root, "https://site.example/")
    assert root.find(".//img") is None and root.find(".//input") is None
    assert "Seedlings need light, water and patience above all." in [b.text for b in blocks]
    assert blocks == body_blocks(body)
