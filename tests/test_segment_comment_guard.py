"""No comment region or comment item ever swallows the article's main block: the post's own
markup (hAtom ``hentry``, WordPress ``type-post``, schema.org Article) and its headline are
guarded, whatever comment words the wrapper's classes carry and wherever the article container
was estimated; and taxonomy classes (``category-for-discussion``) never name a comment region.
Pages written for these tests in the shapes of blog themes."""

from __future__ import annotations

import pytest

from pagetrail.segment import segment

URL = "https://allotment.example/2024/03/early-potatoes/"
TITLE = "Planting early potatoes in March"
POST = [
    "Chit the seed potatoes on a cool windowsill for four weeks before planting.",
    "Dig a trench a spade deep and line it with well rotted compost.",
    "Set the tubers a foot apart with the strongest shoots facing up.",
    "Cover them lightly and earth up the rows as the first leaves appear.",
]
#: A footer with longer paragraphs than the post's short lines: a container estimate by
#: paragraph text alone picks it.
FOOTER = [
    "The allotment society meets on the first Tuesday of every month in the church hall on Mill "
    "Lane, and new members are always welcome to come along and bring a neighbour with them.",
    "Plot rents are due at the end of March; the committee thanks everyone who helped clear the "
    "brambles from the old orchard corner and repaired the water troughs over the winter months.",
    "Seed swap, tool library and compost bays are open to all members at weekends from ten in the "
    "morning until four in the afternoon, weather permitting, except on bank holidays.",
    "Please keep the main paths clear of barrows and hoses, and close the gate behind you on the "
    "way out, since the deer from the common have found the brassica beds again this spring.",
]
COMMENTS = [
    ("Marion", "Mine went in last weekend, fingers crossed for no late frost this year."),
    ("Dev", "Do you earth up straight away or wait until the shoots show?"),
]


def page(post_class: str, wrapper_h1: bool = True) -> str:
    comments = "".join(
        f'<li id="comment-{i}" class="comment"><div class="comment-author"><cite class="fn">{who}</cite> says:</div>'
        f'<div class="comment-meta"><a href="#comment-{i}">March {i + 3}, 2024 at 9:1{i} am</a></div>'
        f"<p>{text}</p></li>" for i, (who, text) in enumerate(COMMENTS, 1))
    heading = f'<h1 class="entry-title">{TITLE}</h1>' if wrapper_h1 else ""
    return (f"<html><head><title>{TITLE} | The Allotment</title></head><body>"
            "<div id='wrap'><div id='content'>"
            f"<div id='post-41' class='{post_class}'>{heading}"
            "<div class='entry'>" + "".join(f"<p>{p}</p>" for p in POST) + "</div></div>"
            f"<div id='comments'><h3>2 Responses</h3><ol class='commentlist'>{comments}</ol></div>"
            "</div></div><div id='footer'><div id='footer-text'>"
            + "".join(f"<p>{p}</p>" for p in FOOTER) + "</div></div></body></html>")


def check(html: str) -> None:
    snap = segment(html.encode(), URL)
    for p in POST:
        assert p in snap.article.text, snap.article.text
    assert [(c.author, c.text) for c in snap.comments] == COMMENTS


@pytest.mark.parametrize("post_class", [
    "post-41 post type-post hentry category-for-discussion tag-replies",  # WordPress taxonomy terms
    "post-41 post type-post hentry category-reader-comments",
])
def test_taxonomy_classes_on_the_post_never_make_it_a_comment_region(post_class):
    check(page(post_class))


@pytest.mark.parametrize("post_class,wrapper_h1", [
    ("post hentry has-comments", True),  # guarded by its hAtom class and its headline
    ("post has-comments", True),  # by its headline alone
    ("post type-post has-comments", False),  # by WordPress's post class alone
])
def test_a_post_wrapper_named_like_comments_is_never_taken_with_the_comments(post_class, wrapper_h1):
    check(page(post_class, wrapper_h1))


def test_schema_org_article_is_guarded_too():
    html = page("post has-comments", wrapper_h1=False).replace(
        "class='post has-comments'", "class='post has-comments' itemscope itemtype='https://schema.org/BlogPosting'")
    check(html)


def test_a_comment_heading_h1_does_not_guard_the_comment_region():
    """Only the page's headline is guarded: an <h1> over the comments is not the article's."""
    html = page("post-41 post type-post hentry").replace("<h3>2 Responses</h3>", "<h1>2 Responses</h1>")
    snap = segment(html.encode(), URL)
    assert "2 Responses" not in snap.article.text
    assert [(c.author, c.text) for c in snap.comments] == COMMENTS


def test_taxonomy_words_are_not_region_words_but_the_theme_s_are():
    from pagetrail.segment.comments.patterns import REGION

    assert not REGION.search("post-41 post hentry category-for-discussion tag-replies format-standard")
    assert REGION.search("comments-area category-news")
    assert REGION.search("discussion")
