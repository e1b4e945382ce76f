"""An edit to anything a commenter's comment shows is a comments change and nothing else: its
title or subject line (outside its body), its date printed in a format no pattern reads, and, in
themes where comments share the article's container, the "Posted by" line printed after each
comment, which must leave the article with its comment. Pages written for these tests."""

from __future__ import annotations

from pagetrail.diff.snapshots import diff_snapshots
from pagetrail.segment import segment

URL = "https://velo.example/2024/06/chain-wear/"
ARTICLE = [
    "A worn chain stretches as its pins and rollers wear, and a stretched chain wears the cassette.",
    "Measure it every thousand kilometres with a chain checker or a steel rule over twelve links.",
    "Replace the chain at half a percent of wear on eleven speed drivetrains and the cassette lives on.",
]


def check_comment_edit(old: str, new: str) -> None:
    assert old != new
    a, b = segment(old.encode(), URL), segment(new.encode(), URL)
    assert a.comments, "the fixture's comments are found"
    d = diff_snapshots(a, b)
    assert d.comments.changed and not d.article.changed and not d.ads.changed, d.summary_line()


def titled_page() -> str:
    """Comments with a subject line beside the body (Joomla's and Drupal's comment systems)."""
    items = "".join(
        f'<div class="entry" id="pc_{n}"><span class="cm_comment_title">{title}</span><br>'
        f'<span class="small">written by {who}, June {n}, 2024</span><br>'
        f'<div class="comment-text">{text}</div></div>'
        for n, (title, who, text) in enumerate([
            ("Wax versus oil", "ines", "I switched to hot wax last year and my chains last twice as long now."),
            ("Checker accuracy", "bram", "Cheap checkers read high because they measure roller wear as well."),
        ], 1))
    return ("<html><head><title>Chain wear</title></head><body><div class='post'><h1>Chain wear</h1>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>"
            f"<div id='comments_list'>{items}</div></body></html>")


def test_editing_a_comment_title_is_a_comment_edit():
    old = titled_page()
    check_comment_edit(old, old.replace("Checker accuracy", "Checker precision"))


def test_a_comment_title_is_part_of_the_comment_text():
    snap = segment(titled_page().encode(), URL)
    assert [c.text for c in snap.comments][1].startswith("Checker accuracy Cheap checkers")
    assert "Checker accuracy" not in snap.article.text


def dated_page(date: str) -> str:
    """A WordPress-like comment whose date line is in a format the date patterns do not read."""
    return ("<html><head><title>Chain wear</title></head><body><article class='post'><h1>Chain wear</h1>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</article><div id='comments'><ol class='commentlist'>"
            "<li id='comment-7' class='comment'><div class='comment-author'><cite class='fn'>Aino</cite></div>"
            f"<div class='comment-meta'>{date}</div><p>My chain checker says the chain is fine.</p></li>"
            "<li id='comment-8' class='comment'><div class='comment-author'><cite class='fn'>Jens</cite></div>"
            "<div class='comment-meta'>13. kesäkuuta 2024 klo 9.12</div><p>Mine wore out in a wet winter.</p></li>"
            "</ol></div></body></html>")


def test_editing_a_date_printed_in_another_language_is_a_comment_edit():
    check_comment_edit(dated_page("12. kesäkuuta 2024 klo 18.40"), dated_page("14. kesäkuuta 2024 klo 18.40"))


def shared_container_page() -> str:
    """Movable Type style: comments and their "Posted by" lines are siblings of the article's
    paragraphs in one container."""
    comments = "".join(
        f'<div id="c1700{n}"><p>{text}</p></div><p class="posted">Posted by: {who} at June {n}, 2024 9:0{n} AM</p>'
        for n, (who, text) in enumerate([
            ("Marit", "Twelve links on a steel rule is the old trick and still the best one."),
            ("Olu", "My shop replaces the chain at three quarters of a percent on ten speed."),
            ("Kai", "A chain bath every month kept my drivetrain quiet all through the spring."),
        ], 1))
    return ("<html><head><title>Chain wear</title></head><body><div id='center'><div class='content'>"
            "<h2>Chain wear</h2>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
            + f"<h3>Comments</h3>{comments}</div></div></body></html>")


def test_posted_by_lines_leave_the_article_with_their_comments():
    snap = segment(shared_container_page().encode(), URL)
    assert len(snap.comments) == 3
    assert "Posted by" not in snap.article.text
    for p in ARTICLE:
        assert p in snap.article.text


def test_editing_a_posted_by_line_is_a_comment_edit_only():
    old = shared_container_page()
    check_comment_edit(old, old.replace("Posted by: Olu at June 2", "Posted by: Olu at June 5"))


def wrapped_list_page(first_text: str) -> str:
    """Comments without comment markup (inline styles, an anchor before each, a hidden reply form
    after each) in a list whose wrapper sits beside a "showing N of M" line."""
    items = "".join(
        f"<a name='5{n}'></a><div style='padding:10px'><div style='float:left'><b>{who}</b></div>"
        f"<div style='float:right'>06/{n:02d}/2024</div><div style='margin:10px'>{text}</div>"
        f"<div class='reply-link'><a href='#'>reply to this comment</a></div></div>"
        f"<div class='comment-reply-form' style='display:none'><form><textarea name='comment'></textarea>"
        f"<input type='submit' value='Submit Reply'></form></div>"
        for n, (who, text) in enumerate([
            ("tuuli", first_text),
            ("rasmus", "Does the checker work on twelve speed chains as well as on eleven?"),
            ("noor", "Thanks, this finally explained why my new cassette skipped on the old chain."),
        ], 1))
    return ("<html><head><title>Chain wear</title></head><body><div class='post'><h1>Chain wear</h1>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>"
            "<div id='comments_container'><div>Currently showing 3 of 3 comments on this tutorial "
            f"and the newest come first</div><div id='comments_displayed'>{items}</div></div></body></html>")


def test_comments_in_a_wrapped_list_without_markup_are_found_and_their_edits_seen():
    old = wrapped_list_page("I measured mine after reading this and it was already at one percent.")
    snap = segment(old.encode(), URL)
    assert [c.author for c in snap.comments] == ["tuuli", "rasmus", "noor"]
    check_comment_edit(old, old.replace("already at one percent", "already at two percent"))
