"""Hand-made pairs of snapshots: each kind of change, and the non-changes."""

from __future__ import annotations

from pagetrail.diff import diff_snapshots
from pagetrail.segment.model import Ad, Article, Block, Comment, Snapshot

PARAS = [
    "Heparin is an injectable blood thinner used in pregnancy.",
    "Recurrent miscarriages occur due to a number of causes.",
    "Thrombophilia disorders raise the tendency of the blood to clot.",
    "Low-dose aspirin is often given alongside heparin injections.",
    "Talk to your doctor about the risks before starting treatment.",
]


def snap(paras=PARAS, ads=(), comments=(), title="Heparin and miscarriage", byline="Ann") -> Snapshot:
    return Snapshot(
        url="http://example.test/post/",
        article=Article(title=title, byline=byline, blocks=[Block("paragraph", p) for p in paras]),
        ads=list(ads),
        comments=list(comments),
    )


def thread(*edits: tuple[int, str]) -> list[Comment]:
    comments = [
        Comment("comment-1", "Ann", "2011-05-06", "Has anyone tried heparin shots?", position=0),
        Comment("comment-2", "Bea", "2011-05-07", "Yes, for two pregnancies.", parent="comment-1", depth=1, position=1),
        Comment("comment-3", "Cy", "2011-05-08", "Which dose did you get?", parent="comment-2", depth=2, position=2),
        Comment("comment-4", "Dee", "2011-05-09", "Thanks for this article.", position=3),
    ]
    for i, text in edits:
        comments[i].text = text
    return comments


def test_paragraph_moved():
    moved = [PARAS[0], PARAS[2], PARAS[3], PARAS[1], PARAS[4]]
    diff = diff_snapshots(snap(), snap(moved))
    (change,) = diff.article.changes
    assert change.op == "moved" and change.before == PARAS[1]
    assert (change.index_before, change.index_after) == (1, 3)
    assert diff.summary_line() == "article: 1 moved"


def test_one_word_edited():
    edited = list(PARAS)
    edited[2] = edited[2].replace("raise", "increase")
    diff = diff_snapshots(snap(), snap(edited))
    (change,) = diff.article.changes
    assert change.op == "edited" and change.index_before == change.index_after == 2
    assert [(w.op, w.text) for w in change.words if w.op != "equal"] == [
        ("delete", "raise"), ("insert", "increase")
    ]
    assert diff.summary_line() == "article: 1 edited"


def test_paragraph_added_and_removed():
    changed = [PARAS[0], PARAS[1], "An entirely new paragraph about something else.", PARAS[3], PARAS[4]]
    diff = diff_snapshots(snap(), snap(changed))
    ops = sorted((c.op, c.before or c.after) for c in diff.article.changes)
    assert ops == [("added", changed[2]), ("removed", PARAS[2])]


def test_title_and_byline_changes():
    diff = diff_snapshots(snap(), snap(title="Heparin and recurrent miscarriage", byline="Dr. Ann"))
    kinds = {c.kind: c for c in diff.article.changes}
    assert set(kinds) == {"title", "byline"}
    assert [w.text for w in kinds["title"].words if w.op == "insert"] == ["recurrent"]
    assert diff.summary_line().startswith("article: title edited, byline edited")


def test_comment_edited_carries_author_and_word_ops():
    diff = diff_snapshots(snap(comments=thread()), snap(comments=thread((1, "Yes, for three pregnancies."))))
    (change,) = diff.comments.changes
    assert change.op == "edited" and change.detail["author"] == "Bea"
    assert change.detail["parent"] == "Ann" and change.detail["depth"] == 1
    assert [(w.op, w.text) for w in change.words if w.op != "equal"] == [("delete", "two"), ("insert", "three")]
    assert diff.summary_line() == "comments: 1 edited"


def test_reply_added_deep_in_thread():
    old = thread()
    new = thread()
    reply = Comment("comment-9", "Bea", "2011-05-10", "The standard one, twice a day.",
                    parent="comment-3", depth=3, position=3)
    new.insert(3, reply)
    new[4].position = 4
    diff = diff_snapshots(snap(comments=old), snap(comments=new))
    (change,) = diff.comments.changes
    assert change.op == "added" and change.index_after == 3
    assert change.detail["parent"] == "Cy" and change.detail["parent_id"] == "comment-3"
    assert change.detail["depth"] == 3 and change.detail["position"] == 3
    assert (diff.comments.count_before, diff.comments.count_after) == (4, 5)
    assert diff.summary_line() == "comments: 1 added (4 → 5)"


def test_comments_without_ids_match_by_content():
    def anon(cs):
        for c in cs:
            c.id = c.parent = None
        return cs

    old = anon(thread())
    new = anon(thread((3, "Thanks for this great article.")))
    new.pop(0)
    diff = diff_snapshots(snap(comments=old), snap(comments=new))
    ops = sorted((c.op, c.detail["author"]) for c in diff.comments.changes)
    assert ops == [("edited", "Dee"), ("removed", "Ann")]


def test_relative_comment_dates_are_not_changes():
    old, new = thread(), thread()
    old[0].date, new[0].date = "3 hours ago", "2 days ago"
    assert not diff_snapshots(snap(comments=old), snap(comments=new)).changed


def promo(link: str, text: str = "Try the Miracle System today. Read more about it here.", slot: str = "") -> Ad:
    return Ad("affiliate-link", text, links=[link], position="after-article", slot=slot)


def test_ad_link_target_changed_with_same_text():
    a = promo("http://aff1.vendor.hop.clickbank.net/?tid=post")
    b = promo("http://aff2.vendor.hop.clickbank.net/?tid=post")
    diff = diff_snapshots(snap(ads=[a]), snap(ads=[b]))
    (change,) = diff.ads.changes
    assert change.op == "edited" and change.words == []
    assert change.detail["links_before"] == a.links and change.detail["links_after"] == b.links
    assert diff.summary_line() == "ads: 1 edited"


def test_ad_text_changed_in_same_slot():
    a = promo("http://x.test/a", "Buy the course now", slot="div#sidebar-promo")
    b = promo("http://y.test/b", "Get the free ebook instead", slot="div#sidebar-promo")
    (change,) = diff_snapshots(snap(ads=[a]), snap(ads=[b])).ads.changes
    assert change.op == "edited" and change.detail["matched_by"] == "slot" and change.words


def test_ads_added_and_removed():
    a = promo("http://x.test/a", "Buy the course now")
    b = Ad("ad-unit", "", links=[], slot="ins.adsbygoogle")
    diff = diff_snapshots(snap(ads=[a]), snap(ads=[b]))
    assert sorted(c.op for c in diff.ads.changes) == ["added", "removed"]


def test_identical_text_from_different_markup_is_no_change():
    # Two segmentations of differently marked-up pages: spacing, NBSP and typographic quotes differ.
    old = snap(["It\u2019s  also been\ntheorized \u2014 \u201cbaby\u201d aspirin."] + PARAS[1:])
    new = snap(["It's also\u00a0been theorized - \"baby\" aspirin."] + PARAS[1:])
    diff = diff_snapshots(old, new)
    assert not diff.changed and diff.summary_line() == "no change"


def test_tracking_parameters_and_cache_busters_only_is_no_change():
    old_ads = [
        promo("http://aff1.vendor.hop.clickbank.net/?tid=post&utm_source=feed&utm_medium=rss"),
        Ad("ad-frame", "", links=["https://googleads.g.doubleclick.net/pagead/ads?client=ca-pub-1&correlator=1306400000123"]),
        Ad("sponsored-link", "Sponsored: clinic", links=["https://clinic.test/?ref=blog&fbclid=IwAR3xyz&gclid=abc"]),
    ]
    new_ads = [
        promo("http://aff1.vendor.hop.clickbank.net/?utm_medium=email&tid=post#top"),
        Ad("ad-frame", "", links=["https://googleads.g.doubleclick.net/pagead/ads?correlator=1306486400987&client=ca-pub-1"]),
        Ad("sponsored-link", "Sponsored: clinic", links=["https://clinic.test/?mc_cid=99&_ga=2.1.2"]),
    ]
    diff = diff_snapshots(snap(ads=old_ads), snap(ads=new_ads))
    assert not diff.changed, diff.summary_line()


def test_identical_snapshots_no_change():
    diff = diff_snapshots(snap(comments=thread()), snap(comments=thread()))
    assert not diff.changed and all(not ch.changes for ch in diff.channels().values())
    assert diff.to_dict()["changed"] is False


def test_vote_counters_in_comments_are_not_changes():
    old, new = thread((0, "Has anyone tried heparin shots? 3 likes")), thread((0, "Has anyone tried heparin shots? 12 likes"))
    assert not diff_snapshots(snap(comments=old), snap(comments=new)).changed
    edited = thread((0, "Has anyone tried enoxaparin shots? 12 likes"))
    assert diff_snapshots(snap(comments=old), snap(comments=edited)).comments.changed
