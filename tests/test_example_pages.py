"""Every version of the example page is well-formed HTML carrying the seed text verbatim, and its
timeline entry describes exactly what its HTML changed."""

from __future__ import annotations

import lxml.html
import pytest

from pagetrail.example import TITLE, VERSIONS, render
from pagetrail.example.seedtext import load_seed
from pagetrail.example.timeline import HOP_LINK_1, HOP_LINK_2


def tree(n: int):
    return lxml.html.fromstring(render(n))


def texts(doc, css: str) -> list[str]:
    return [" ".join(el.text_content().split()) for el in doc.cssselect(css)]


@pytest.mark.parametrize("n", range(len(VERSIONS)))
def test_every_version_parses_as_a_wordpress_page(n):
    doc = tree(n)
    assert doc.cssselect("h1.entry-title")[0].text_content() == TITLE
    assert doc.cssselect("#respond form#commentform")
    assert doc.cssselect("ol.commentlist > li.comment")
    assert doc.cssselect("ins.adsbygoogle") and doc.cssselect("div.advertisement iframe")
    assert doc.cssselect("img.tracking-pixel[width='1'][height='1']")
    assert render(n).decode("utf-8")  # valid UTF-8


def test_seed_text_is_verbatim_in_the_original():
    seed = load_seed()
    doc = tree(0)
    assert texts(doc, ".entry-content > p") == seed.paragraphs
    html = render(0).decode()
    for para in seed.paragraphs:
        assert f"<p>{para}</p>" in html
    comments = texts(doc, "li.comment .comment-content")
    assert len(comments) == len(seed.comments)
    for got, want in zip(comments, seed.comments, strict=True):
        assert got == want.text
    assert texts(doc, "b.fn") == [c.author for c in seed.comments]
    assert "4 thoughts on “Lupus Anticoagulant Miscarriage Symptoms”" in texts(doc, ".comments-title")[0]
    assert seed.promo_text not in html
    assert seed.reply_notes in texts(doc, ".comment-notes")[0]


def test_promo_is_injected_with_the_affiliate_link():
    seed = load_seed()
    doc = tree(1)
    paras = texts(doc, ".entry-content > p")
    assert paras[-2:] == [seed.promo_heading, seed.promo_text]
    links = [a.get("href") for a in doc.cssselect(".entry-content a")]
    assert links == [HOP_LINK_1]
    assert [a.get("href") for a in tree(4).cssselect(".entry-content a")] == [HOP_LINK_2]


def test_reply_threading_in_markup():
    doc = tree(2)
    reply = doc.cssselect("li#li-comment-1315")[0]
    ancestors = [li.get("id") for li in reply.iterancestors("li")]
    assert ancestors == ["li-comment-1187", "li-comment-1021"]
    assert reply.cssselect(".comment-metadata a")[0].get("href") == "#comment-1315"
    assert reply.cssselect("time")[0].get("datetime").startswith("2011-05-25T18:40")
    deb = doc.cssselect("li#li-comment-1187 b.fn")[0].text
    assert deb == "Deb"


def _state_comments(n):
    return {f"comment-{c.id}": c for c in VERSIONS[n].state.comments}


@pytest.mark.parametrize("n", range(1, len(VERSIONS)))
def test_changes_describe_the_difference_from_the_previous_version(n):
    before, after = VERSIONS[n - 1].state, VERSIONS[n].state
    changes = VERSIONS[n].changes
    assert set(changes) == {"article", "ads", "comments"}
    # article
    if not changes["article"]:
        assert before.paragraphs == after.paragraphs
    for ch in changes["article"]:
        if ch["op"] == "edited":
            assert before.paragraphs[ch["index_before"]] == ch["before"]
            assert after.paragraphs[ch["index_after"]] == ch["after"]
        if ch["op"] == "added":
            assert after.paragraphs[ch["index_after"]] == ch["text"]
            assert ch["text"] not in before.paragraphs
    # ads
    if not changes["ads"]:
        assert before.promo_link == after.promo_link
    for ch in changes["ads"]:
        assert after.promo_link in ch["links"]
    # comments
    old, new = _state_comments(n - 1), _state_comments(n)
    if not changes["comments"]:
        assert [(c.id, c.text) for c in before.comments] == [(c.id, c.text) for c in after.comments]
    for ch in changes["comments"]:
        if ch["op"] == "added":
            assert ch["id"] in new and ch["id"] not in old
        elif ch["op"] == "removed":
            assert ch["id"] in old and ch["id"] not in new
        elif ch["op"] == "edited":
            assert old[ch["id"]].text == ch["before"] and new[ch["id"]].text == ch["after"]


def test_timeline_shape():
    assert VERSIONS[0].changed_channels == []
    assert VERSIONS[1].changed_channels == ["ads"]
    assert VERSIONS[2].changed_channels == ["comments"]
    assert VERSIONS[3].changed_channels == ["article"]
    assert VERSIONS[4].changed_channels == ["ads", "comments"]
    assert VERSIONS[5].changed_channels == [] and VERSIONS[5].noise
    deep = VERSIONS[2].changes["comments"][0]
    assert (deep["parent_author"], deep["depth"]) == ("Deb", 2)


def test_noise_version_differs_only_outside_the_channels():
    a, b = render(4).decode(), render(5).decode()
    assert a != b
    for old, new in [("ver=3.1.3", "ver=3.1.4"), ("4f9a1c2e7b", "b83e0d51aa")]:
        assert old in a and new in b
    ta, tb = tree(4), tree(5)
    for css in (".entry-content", "ol.commentlist", ".entry-title"):
        assert texts(ta, css) == texts(tb, css)
    assert texts(ta, "#recent-posts-2 li") != texts(tb, "#recent-posts-2 li")
    assert sorted(texts(ta, "#recent-posts-2 li")) == sorted(texts(tb, "#recent-posts-2 li"))
