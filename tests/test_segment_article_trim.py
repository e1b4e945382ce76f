"""Before trafilatura runs, the article step deletes what trafilatura's cleaning would delete
unread (asides, footers, the head) and keeps navigation as words only. trafilatura's result and
its page-size measure must come out the same as on the whole tree."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lxml import etree
from trafilatura import html2txt

from pagetrail.segment import trafilatura_run
from pagetrail.segment.article import _options, body_blocks
from pagetrail.segment.article_trim import trim
from pagetrail.segment.parse import parse

PAGES = Path(__file__).parent / "pages"

ARTICLE = "".join(f"<p>Paragraph {i} of the story about tomato seedlings and their first true leaves.</p>"
                  for i in range(8))


def page(body: str, head: str = "<title>T</title>"):
    root, _ = parse(f"<html><head>{head}</head><body>{body}</body></html>")
    return root


def tags(root) -> list[str]:
    return [el.tag for el in root.iter() if isinstance(el.tag, str)]


def test_asides_footers_and_head_go_their_tails_stay():
    root = page(f"<div>lead <aside><p>Popular</p></aside>after aside<main>{ARTICLE}</main>"
                "<footer><ul><li>About</li></ul></footer>after footer</div>")
    assert trim(root) == 3
    assert "aside" not in tags(root) and "footer" not in tags(root) and "head" not in tags(root)
    div = root.find(".//div")
    assert div.text == "lead after aside"
    assert div.find("main").tail == "after footer"


def test_navigation_is_kept_as_spaced_words():
    root = page(f"<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>{ARTICLE}")
    trim(root)
    nav = root.find(".//nav")
    assert len(nav) == 0
    assert nav.text.split() == ["Home", "News"]


def test_void_images_and_inputs_go_with_their_tails_kept():
    root = page(f"<div>a<img src='x.png'>b<input name='q'>c</div>{ARTICLE}")
    trim(root)
    div = root.find(".//div")
    assert len(div) == 0 and div.text == "abc"


def test_a_select_whose_options_run_together_is_kept_whole():
    # the page-size measure reads "OneTwo", baseline's last resort "One" and "Two": no single text
    # node gives both, so the select stays as it is
    root = page(f"<select><option>One</option><option>Two</option></select>{ARTICLE}")
    trim(root)
    assert [o.text for o in root.iter("option")] == ["One", "Two"]
    root = page(f"<select>\n<option>One</option>\n<option>Two</option>\n</select>{ARTICLE}")
    trim(root)
    assert root.find(".//option") is None and root.find(".//select").text.split() == ["One", "Two"]


def test_a_figure_holding_a_table_is_kept():
    # trafilatura turns it into a div and keeps the table
    root = page(f"<figure><table><tr><td>cell</td></tr></table></figure>{ARTICLE}")
    trim(root)
    assert root.find(".//td") is not None


def test_after_an_aside_holding_an_aside_the_rest_stay():
    # trafilatura's own cleaning stops deleting asides there (lxml's walk steps into the deleted
    # one), and what survives may be extracted: deleting them here would change its result
    root = page(f"<aside>one</aside><aside>two<aside>inner</aside></aside>{ARTICLE}<aside>three</aside>")
    trim(root)
    assert [a.text for a in root.iter("aside")] == ["two", "inner", "three"]


@pytest.mark.parametrize("body", [
    f"<aside><h1>The headline</h1></aside>{ARTICLE}",  # the raw prune reads <h1> inside containers
    f"<nav><p>A paragraph in navigation</p></nav>{ARTICLE}",  # baseline reads paragraphs anywhere
    "<aside><p>Only paragraph is in an aside</p></aside>",  # recall mode un-deletes these
    f"<div id='data-preloaded' data-preloaded='{{}}'></div><aside>x</aside>{ARTICLE}",
])
def test_what_trafilatura_reads_before_its_cleaning_is_left(body):
    root = page(body)
    before = etree.tostring(root.find("body"))
    trim(root)
    assert etree.tostring(root.find("body")) == before


def test_a_page_with_json_ld_is_left_whole():
    root = page(f"<aside>x</aside>{ARTICLE}",
                head='<script type="application/ld+json">{"articleBody": "x"}</script>')
    assert trim(root) == 0
    assert root.find("head") is not None and root.find(".//aside") is not None


def trafilatura_result(root):
    body, text = trafilatura_run.extract(root, _options())
    return (body_blocks(body) if body is not None else None), text


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_trafilatura_extracts_the_same_from_the_trimmed_tree(name):
    whole, _ = parse((PAGES / name).read_text(encoding="utf-8"))
    trimmed = copy.deepcopy(whole)
    trim(trimmed)
    assert len(html2txt(trimmed)) == len(html2txt(whole))  # decides trafilatura's recall retry
    assert trafilatura_result(trimmed) == trafilatura_result(whole)


def test_the_fallback_is_read_even_if_the_trim_detached_it():
    from pagetrail.segment.article import extract_article
    from pagetrail.segment.metadata import Metadata

    root = page("<p></p><aside><div>Opening hours: nine to five, every day but Sunday.</div></aside>")
    fallback = root.find(".//aside")
    article = extract_article(root, "https://site.example/", Metadata(), fallback=fallback)
    assert fallback.getparent() is None  # the trim deleted it: trafilatura deletes asides unread
    assert [b.text for b in article.blocks] == ["Opening hours: nine to five, every day but Sunday."]
