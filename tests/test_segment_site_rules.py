"""Site rules act on what they match and nothing else, for every rule kind (article, ads,
comments, ignore), in CSS and in XPath: the README's own rule examples on the bundled example
and on other themes, a comment rule never multiplies comments, an unchanged page with rules
diffs as unchanged."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from pagetrail.diff.snapshots import diff_snapshots
from pagetrail.example import PAGE_PATH, VERSIONS, render
from pagetrail.seeds import Selector, SiteRules, build_seed
from pagetrail.segment import segment
from pagetrail.segment.model import normalise_text

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "pages"
EXAMPLE_URL = "http://127.0.0.1:8080" + PAGE_PATH
THREADED = PAGES / "wordpress_threaded.html"
THREADED_URL = "https://plot42.example/2019/10/dahlias/"


def readme_rules() -> SiteRules:
    """The rules of the seed example in the README's "Seed files" section, as a user copies them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Seed files", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    data = tomllib.loads(block)
    raw = {**data.get("defaults", {}), **data["seed"][0]}
    return build_seed(raw, "README.md").rules


def rules(**kinds: list[str]) -> SiteRules:
    return SiteRules(**{k: tuple(Selector.parse(x) for x in v) for k, v in kinds.items()})


def comment_view(snap) -> list[tuple]:  # noqa: ANN001 - Snapshot
    return [(c.id, c.author, c.date, c.parent, c.depth, c.text) for c in snap.comments]


# ------------------------------------------------------------------------- the README's rules
def test_readme_rules_have_every_kind():
    got = readme_rules()
    assert got.article and got.ads and got.comments and got.ignore
    assert {s.kind for s in got.ads} == {"css", "xpath"}


@pytest.mark.parametrize("number", [v.number for v in VERSIONS])
def test_readme_rules_on_the_bundled_example_find_each_comment_once(number):
    html = render(number)
    state = VERSIONS[number].state
    with_rules = segment(html, EXAMPLE_URL, readme_rules())
    assert [c.id for c in with_rules.comments] == [f"comment-{c.id}" for c in state.comments]
    assert [c.parent for c in with_rules.comments] == [f"comment-{c.parent}" if c.parent else None
                                                       for c in state.comments]
    assert [normalise_text(c.text) for c in with_rules.comments] == [normalise_text(c.text) for c in state.comments]
    assert comment_view(with_rules) == comment_view(segment(html, EXAMPLE_URL))


@pytest.mark.parametrize("number", [v.number for v in VERSIONS])
def test_readme_rules_on_the_bundled_example_keep_the_article_and_the_promo_apart(number):
    snap = segment(render(number), EXAMPLE_URL, readme_rules())
    state = VERSIONS[number].state
    assert [b.text for b in snap.article.blocks] == [normalise_text(p) for p in state.paragraphs]
    promo = [a for a in snap.ads if "Pregnancy Miracle System" in a.text]
    assert len(promo) == (1 if state.promo_link else 0)
    if promo:
        assert promo[0].links == [state.promo_link]


def test_readme_rules_on_another_wordpress_theme():
    html = THREADED.read_bytes()
    snap = segment(html, THREADED_URL, readme_rules())
    assert [(c.id, c.author, c.parent) for c in snap.comments] == [
        ("comment-901", "Martin", None), ("comment-902", "June Abbott", "comment-901"),
        ("comment-907", "Ros", None), ("comment-915", "Deepak", None)]
    assert comment_view(snap) == comment_view(segment(html, THREADED_URL))
    # ads: the div.promo match is one ad, and only it; ignore: the share box is gone everywhere
    rule_ads = [a for a in snap.ads if a.reason == "site rule"]
    assert [a.text for a in rule_ads] == ["Our readers save 20% on bulb crates this month. Shop the crates now."]
    assert "bulb crates" not in snap.article.text
    assert "Share this" not in snap.article.text and not any("Twitter" in a.text for a in snap.ads)
    # article: div.entry-content, block by block, without the ad inside it
    assert len(snap.article.blocks) == 4
    assert snap.article.blocks[0].text.startswith("Once the first frost")
    assert not any("says:" in c.text or "Reply" in c.text for c in snap.comments)


def test_readme_comment_rule_on_the_classic_theme():
    html = (PAGES / "wordpress_classic.html").read_bytes()
    snap = segment(html, "https://garden.example/tomatoes/", readme_rules())
    assert [c.id for c in snap.comments] == ["comment-501", "comment-502", "comment-503"]
    assert comment_view(snap) == comment_view(segment(html, "https://garden.example/tomatoes/"))


def test_an_unchanged_page_with_rules_diffs_as_unchanged():
    # Version 5 only adds noise (cache-busters, nonces) to version 4.
    old = segment(render(4), EXAMPLE_URL, readme_rules())
    new = segment(render(5), EXAMPLE_URL, readme_rules())
    assert not diff_snapshots(old, new).comments.changed
    same = segment(THREADED.read_bytes(), THREADED_URL, readme_rules())
    assert not diff_snapshots(same, segment(THREADED.read_bytes(), THREADED_URL, readme_rules())).changed


# ------------------------------------------------------------------------- CSS and XPath alike
CSS_AND_XPATH = {
    "comments": ("ol.commentlist > li", "//ol[@class='commentlist']/li"),
    "article": ("div.entry-content", "//div[@class='entry-content']"),
    "ads": ("div.promo", "//div[@class='promo']"),
    "ignore": ("div.sharedaddy", "//div[contains(@class, 'sharedaddy')]"),
}


@pytest.mark.parametrize("kind", sorted(CSS_AND_XPATH))
def test_css_and_xpath_rules_give_the_same_snapshot(kind):
    css, xpath = CSS_AND_XPATH[kind]
    html = THREADED.read_bytes()
    a = segment(html, THREADED_URL, rules(**{kind: [css]}))
    b = segment(html, THREADED_URL, rules(**{kind: [xpath]}))
    assert a.to_dict() == b.to_dict()
    assert not any("matched nothing" in w for w in a.warnings)


@pytest.mark.parametrize("expr", ["ol.commentlist > li", "li.comment", "//li[contains(@class, 'comment')]",
                                  "div.comment-body", "div#comments", "ol.commentlist"])
def test_a_comment_rule_finds_each_comment_once_whatever_it_matches(expr):
    snap = segment(THREADED.read_bytes(), THREADED_URL, rules(comments=[expr]))
    assert [c.id for c in snap.comments] == ["comment-901", "comment-902", "comment-907", "comment-915"]


def test_a_comment_rule_takes_no_comment_from_outside_its_matches():
    # Only the second top-level thread: its one comment, not the page's other three.
    snap = segment(THREADED.read_bytes(), THREADED_URL, rules(comments=["li#li-comment-907"]))
    assert [c.id for c in snap.comments] == ["comment-907"]


PLAIN = b"""<html><head><title>Notes</title></head><body>
<div class="story"><p>The council voted on Tuesday to close the library on Sundays from next spring,
citing the cost of heating the old building through the winter months.</p>
<p>Campaigners said they would take the decision to the county court before the end of the year.</p></div>
<div class="thoughts">
 <div class="note"><b>Ann</b><p>Shameful. The library is the only warm place some people have on a Sunday.</p>
   <p>I will be at the meeting next week.</p></div>
 <div class="note"><b>Raj</b><p>Heating costs are real, though; someone has to pay for them.</p></div>
</div></body></html>"""


@pytest.mark.parametrize("expr", ["div.note", "//div[@class='note']"])
def test_a_comment_rule_on_markup_without_comment_classes_is_one_comment_per_match(expr):
    snap = segment(PLAIN, "https://news.example/library", rules(comments=[expr]))
    assert [c.text.split()[0] for c in snap.comments] == ["Shameful.", "Heating"]
    assert "Shameful" not in snap.article.text


def test_an_ad_rule_inside_the_article_takes_only_its_match_out():
    snap = segment(PLAIN, "https://news.example/library",
                   rules(article=["div.story"], ads=["//div[@class='story']/p[2]"]))
    assert [b.text[:12] for b in snap.article.blocks] == ["The council "]
    assert [a.text[:12] for a in snap.ads] == ["Campaigners "]


def test_an_ignore_rule_removes_its_match_from_every_channel():
    snap = segment(PLAIN, "https://news.example/library", rules(ignore=["div.note:first-child"]))
    assert "Shameful" not in snap.article.text
    assert not any("Shameful" in c.text for c in snap.comments)
    assert not any("Shameful" in a.text for a in snap.ads)


def test_an_article_rule_with_two_matches_reads_both():
    snap = segment(PLAIN, "https://news.example/library", rules(article=["div.story p"]))
    assert [b.text[:12] for b in snap.article.blocks] == ["The council ", "Campaigners "]
