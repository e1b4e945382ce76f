"""The comment steps' data: every token of every list is found by its matcher, in any case and
between word edges, and passes the cheap pre-test in front of it (the pre-tests are derived from
the lists, so a token added to the data cannot be skipped by a hand-made shortcut). Comment
regions named in other languages or upper case are found, and their text leaves the article."""

from __future__ import annotations

import re

import pytest

from pagetrail.segment import segment
from pagetrail.segment.comments import patterns as P
from pagetrail.segment.comments.tokens import Tokens, required_literal

LISTS = {name: value for name, value in vars(P).items() if isinstance(value, Tokens)}


def samples(tokens: Tokens) -> list[str]:
    return [*tokens.words, *(example for _pattern, example in tokens.patterns)]


def test_the_data_has_token_lists():
    assert {"REGION", "ITEM_CLASS", "WIDGET", "LAYOUT", "FORM_CLASS", "CHROME_CLASS"} <= set(LISTS)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_token_passes_the_pre_test_and_the_matcher_in_any_case(name):
    tokens = LISTS[name]
    for token in samples(tokens):
        edge = tokens.edges[-1:].replace("s", " ") or " "  # a character that may end a token
        for value in (token, token.upper(), token.title(), f"x {token} y", f"x{edge}{token}{edge}y"):
            assert tokens.prefilter(value), (name, token, value)
            assert tokens.search(value), (name, token, value)


@pytest.mark.parametrize("name", sorted(name for name, t in LISTS.items() if t.edges))
def test_tokens_match_whole_words_only(name):
    tokens = LISTS[name]
    for token in tokens.words:
        assert not tokens.search(f"x{token}y"), (name, token)


def test_each_pattern_has_an_example_it_matches():
    for name, tokens in LISTS.items():
        for pattern, example in tokens.patterns:
            assert required_literal(pattern) in example.lower(), (name, pattern)


@pytest.mark.parametrize(("pattern", "literal"), [
    (r"depth-\d+", "depth-"), (r"widget[-_]recent\w*", "widget"), (r"top[-_]?discussions?", "discussion"),
    (r"most[-_]?(?:read|viewed)", "most")])
def test_the_pre_test_literal_is_what_every_match_contains(pattern, literal):
    assert required_literal(pattern) == literal


@pytest.mark.parametrize("pattern", [r"a|b", r"\d+", r"(?:abc|def)"])
def test_a_pattern_without_a_required_literal_is_refused(pattern):
    with pytest.raises(ValueError):
        required_literal(pattern)


PAGE = """<html><head><title>Bike lanes on Mill Road</title></head><body>
<div class="main"><h1>Bike lanes on Mill Road</h1>
<p>The council will paint protected bike lanes along the whole of Mill Road this summer, removing
forty parking spaces and moving two bus stops closer to the junction with the ring road.</p>
<p>Shop owners on the street have asked for a loading bay at each end of the new lanes, which the
council says it will consider at the next meeting of the transport committee in September.</p>
<p>Work starts in June and should take about six weeks, with the road open to traffic throughout.</p></div>
<div {attr}="{name}"><h3>3 Comments</h3>
 <div class="item"><span class="author">Lena</span> <time datetime="2021-05-12">12 May 2021</time>
  <p>Finally. I have been waiting ten years for this on my commute.</p></div>
 <div class="item"><span class="author">Mark</span> <time datetime="2021-05-13">13 May 2021</time>
  <p>Where are the delivery vans supposed to stop now, though?</p></div>
 <div class="item"><span class="author">Ines</span> <time datetime="2021-05-14">14 May 2021</time>
  <p>The loading bays answer that, if the committee agrees to them.</p></div>
</div></body></html>"""


@pytest.mark.parametrize(("attr", "name"), [
    ("class", "comentarios"), ("id", "disqus_thread"), ("id", "REPLIES"), ("class", "kommentare"),
    ("class", "commentaires"), ("id", "reacties"), ("class", "commenti"), ("class", "komentarze"),
    ("id", "kommentarer"), ("class", "Comments-Area")])
def test_a_comment_region_named_in_any_language_or_case_is_found(attr, name):
    snap = segment(PAGE.replace("{attr}", attr).replace("{name}", name).encode(), "https://news.example/mill-road")
    assert [c.text for c in snap.comments] == [
        "Finally. I have been waiting ten years for this on my commute.",
        "Where are the delivery vans supposed to stop now, though?",
        "The loading bays answer that, if the committee agrees to them."]
    assert [c.author for c in snap.comments] == ["Lena", "Mark", "Ines"]
    assert [c.date for c in snap.comments] == ["2021-05-12", "2021-05-13", "2021-05-14"]
    assert "commute" not in snap.article.text
    assert "bike lanes along the whole of Mill Road" in snap.article.text


def test_patterns_are_written_in_lower_case():
    # Values are lower-cased before matching, so an upper-case literal in a pattern never matches.
    for name, tokens in LISTS.items():
        for pattern, _example in tokens.patterns:
            literal_part = re.sub(r"\\[A-Za-z]", "", pattern)
            assert literal_part == literal_part.lower(), (name, pattern)


def test_a_camel_case_name_is_split_at_its_humps():
    assert P.REGION.search("blogComments") and P.REGION.search("UserCommentList")
    assert not P.ITEM_CLASS.search("commentBody")  # a part of a comment, as comment-body is


CLASSIC = """<html><head><title>Balkin</title></head><body><div class="post">
<p>The memos were released this morning and run to some four hundred pages of argument about the
limits of executive power in wartime, much of it never seen outside the department before.</p>
<p>Readers who want the originals can find them in the archive linked below, scanned page by page.</p></div>
<div class="blogComments"><b>Comments:</b>
 <div class="blogComment"><a name="6461113152049819139"></a>Thanks, a useful resource that would make a good print collection.
  <div class="byline"><a href="/2005/09/memos.html?showComment=1183910280000#c6461113152049819139">#</a> posted by <a href="/p/1">Joe</a> : 11:58 AM</div></div>
 <div class="blogComment"><a name="3321899820090229504"></a>Who needs print when it is a keystroke away?
  <div class="byline"><a href="/2005/09/memos.html?showComment=1183919220000#c3321899820090229504">#</a> posted by <a href="/p/2">Ann</a> : 2:20 PM</div></div>
</div>
<div class="widget recent-comments"><h3>Recent comments</h3><ul>
 <li class="item"><a href="/a#c1">Pat on Budget day: 3:04 PM</a> posted by Pat</li>
 <li class="item"><a href="/b#c2">Lou on The court's week: 9:10 AM</a> posted by Lou</li></ul></div>
</body></html>"""


def test_camel_case_regions_with_time_of_day_bylines_and_no_widget_comments():
    snap = segment(CLASSIC.encode(), "https://balkin.example/2005/09/memos.html")
    assert [c.text.split(",")[0] for c in snap.comments] == ["Thanks", "Who needs print when it is a keystroke away?"]
    assert "keystroke" not in snap.article.text and "Budget day" not in snap.article.text


ARTICLE = """<div class="entry"><p>The new ferry timetable starts on Monday and cuts the crossing to forty minutes,
with two extra sailings on weekday evenings for people who work late in the city.</p>
<p>Season tickets bought before the change stay valid until they run out, the operator said.</p></div>"""


def _page(comments_html: str) -> bytes:
    return f"<html><head><title>Ferry</title></head><body>{ARTICLE}{comments_html}</body></html>".encode()


def test_zebra_striped_comments_with_item_ids_are_one_list_not_pairs():
    items = "".join(
        f'<div class="{"odd" if i % 2 else "even"}" id="comment-item-{i}"><span class="comment-author">{name}</span>'
        f'<span class="comment-date">2011-08-0{i} 20:40</span><div class="comment-body">{text}</div></div>'
        for i, (name, text) in enumerate([("Ann", "Will the evening sailings run in winter too?"),
                                          ("Bo", "Finally a ferry that fits a late shift."),
                                          ("Cy", "Forty minutes is still slower than the old hovercraft."),
                                          ("Di", "Do the season tickets cover the new sailings?")], 1))
    snap = segment(_page(f'<div id="comments"><div class="comments-list">{items}</div></div>'), "https://x.example/")
    assert [c.author for c in snap.comments] == ["Ann", "Bo", "Cy", "Di"]
    assert [c.id for c in snap.comments] == [f"comment-item-{i}" for i in range(1, 5)]


def test_one_list_per_comment_is_one_comment_system():
    lists = "".join(
        f'<a name="c{i}"></a><ol class="commentlist"><li class="commentpost"><strong>{i} {name}</strong> | '
        f'<small class="commentmetadata">11/{i}/2012 11:57:57 PM</small><p>{text}</p></li></ol>'
        for i, (name, text) in enumerate([("Stuart", "Thanks, this was not an easy change to get done."),
                                          ("Patrice", "Great news and a good starting point for customers."),
                                          ("Paul", "Great news indeed, thanks for pushing it through.")], 1))
    snap = segment(_page(f'<div class="commentsblock"><h3>Post a Comment</h3>{lists}</div>'), "https://x.example/")
    assert len(snap.comments) == 3
    assert "starting point" not in snap.article.text


def test_a_posted_by_footer_gives_the_author_and_the_date_with_its_time():
    items = "".join(
        f'<div class="comment" id="comment-6a00d8345{i}"><div class="comment-content"><p>{text}</p></div>'
        f'<p class="comment-footer">Posted by: <a href="/u/{i}">{name}</a> | '
        f'<a href="/post.html#comment-6a00d8345{i}">September 2{i}, 2012 at 10:5{i} AM</a></p></div>'
        for i, (name, text) in enumerate([("Adele Revella", "Signed up, and thinking of you in the rain."),
                                          ("Rob Masters", "I may have to get this on my phone.")], 1))
    snap = segment(_page(f'<div class="comments-content">{items}</div>'), "https://x.example/")
    assert [(c.author, c.date) for c in snap.comments] == [
        ("Adele Revella", "September 21, 2012 at 10:51 AM"), ("Rob Masters", "September 22, 2012 at 10:52 AM")]
    assert "Posted by" not in " ".join(c.text for c in snap.comments)


def test_name_said_lines_mark_comments_in_a_region_without_dates():
    items = "".join(
        f'<div class="coms" id="com_{i}"><span class="blod-user"><a href="/u{i}">{name}</a> said, </span>'
        f'<div class="blod-text"><p>{text}</p></div></div>'
        for i, (name, text) in enumerate([("Progress Trap", "The domain name ranks first for early retirement."),
                                          ("Jacob", "That was how I thought about it in the beginning too."),
                                          ("Nikos", "The name put me off for a year before I read it.")], 1))
    snap = segment(_page(f'<div id="comment_tpl"><h2>3 users responded</h2>{items}</div>'), "https://x.example/")
    assert len(snap.comments) == 3
    assert "first for early retirement" not in snap.article.text


def test_blogger_name_said_is_the_name_alone():
    items = "".join(
        f'<dt class="comment-author" id="c{1000 + i}"><a name="c{1000 + i}"></a><a href="/p/{i}">{name}</a> said...</dt>'
        f'<dd class="comment-body"><p>{text}</p></dd><dd class="comment-footer">October {i}, 2012 3:04 PM</dd>'
        for i, (name, text) in enumerate([("Emily", "Just made a batch of this, delicious."),
                                          ("Grandma G", "Mum would have loved these shoes.")], 1))
    snap = segment(_page(f'<div id="comments"><dl id="comments-block">{items}</dl></div>'), "https://x.example/")
    assert [c.author for c in snap.comments] == ["Emily", "Grandma G"]
