"""The segmenter on every version of the bundled example site: the promo is an ad and nowhere in
the article, every comment is found with author, date and parent, the article matches the seed."""

from __future__ import annotations

from datetime import datetime

import pytest

from pagetrail.example import PAGE_PATH, TITLE, VERSIONS, render
from pagetrail.example.seedtext import load_seed
from pagetrail.segment import segment
from pagetrail.segment.model import normalise_text

URL = "http://127.0.0.1:8080" + PAGE_PATH


@pytest.fixture(scope="module")
def snapshots():
    return {v.number: segment(render(v.number), URL) for v in VERSIONS}


@pytest.mark.parametrize("number", [v.number for v in VERSIONS])
def test_article_blocks_are_the_seed_paragraphs(snapshots, number):
    snap = snapshots[number]
    state = VERSIONS[number].state
    assert snap.article.title == TITLE
    assert [b.text for b in snap.article.blocks] == [normalise_text(p) for p in state.paragraphs]
    assert all(b.kind == "paragraph" for b in snap.article.blocks)
    assert snap.article.byline == "Dr. Ellen Marsh"
    assert snap.article.date.startswith("2011-05-03")


@pytest.mark.parametrize("number", [v.number for v in VERSIONS])
def test_promo_is_an_ad_and_not_in_the_article(snapshots, number):
    snap = snapshots[number]
    state = VERSIONS[number].state
    seed = load_seed()
    article = snap.article.text.lower()
    assert "pregnancy miracle" not in article
    assert "for infertility patients" not in article
    assert "read more about it" not in article
    promos = [a for a in snap.ads if a.kind == "promo-text"]
    if state.promo_link is None:
        assert promos == []
        return
    assert len(promos) == 1
    promo = promos[0]
    assert promo.text.startswith(seed.promo_heading)
    assert "Pregnancy Miracle System" in promo.text
    assert promo.links == [state.promo_link]
    assert promo.position == "in-article"


@pytest.mark.parametrize("number", [v.number for v in VERSIONS])
def test_ad_units_are_found_outside_the_article(snapshots, number):
    snap = snapshots[number]
    units = {a.position for a in snap.ads if a.kind == "ad-unit"}
    assert {"header", "sidebar"} <= units
    assert "Advertisement" not in snap.article.text
    # Slots are stable across versions so the differ can match ads.
    assert sorted(a.slot for a in snap.ads if a.kind == "ad-unit") == sorted(
        a.slot for a in snapshots[0].ads if a.kind == "ad-unit")


@pytest.mark.parametrize("number", [v.number for v in VERSIONS])
def test_every_comment_with_author_date_and_parent(snapshots, number):
    snap = snapshots[number]
    state = VERSIONS[number].state
    assert len(snap.comments) == len(state.comments)
    by_id = {c.id: c for c in snap.comments}
    for want in state.comments:
        got = by_id[f"comment-{want.id}"]
        assert got.author == want.author
        assert datetime.fromisoformat(got.date) == want.date
        assert got.parent == (f"comment-{want.parent}" if want.parent else None)
        assert normalise_text(got.text) == normalise_text(want.text)
        assert got.permalink == f"#comment-{want.id}"
    assert [c.position for c in snap.comments] == list(range(len(snap.comments)))
    # The form is not a comment and comment text is not article text.
    assert not any("Leave a Reply" in c.text for c in snap.comments)
    assert "Lupus" not in snap.article.text


def test_chrome_is_described_as_ignored(snapshots):
    ignored = " ".join(snapshots[0].ignored)
    assert "navigation" in ignored and "sidebar" in ignored and "footer" in ignored
