"""Over the example site's whole timeline, each version's change shows in exactly its channel with
the right content, and the noise-only version shows none. Run on the ground-truth snapshots and,
when the segmenter is there, on the segmented HTML."""

from __future__ import annotations

import pytest

from pagetrail.diff import diff_snapshots
from pagetrail.example import PAGE_PATH, VERSIONS, render
from pagetrail.example.expected import expected_snapshot
from pagetrail.segment import segment

URL = "http://127.0.0.1:8080" + PAGE_PATH


def _segmented(n: int):
    return segment(render(n), URL)


SOURCES = {"expected": lambda n: expected_snapshot(n, URL), "segmented": _segmented}


@pytest.fixture(params=sorted(SOURCES))
def snapshot_of(request):
    return SOURCES[request.param]


@pytest.mark.parametrize("n", range(1, len(VERSIONS)))
def test_each_version_changes_exactly_its_channels(snapshot_of, n):
    diff = diff_snapshots(snapshot_of(n - 1), snapshot_of(n))
    want = VERSIONS[n].changed_channels
    got = [name for name, ch in diff.channels().items() if ch.changed]
    assert got == want, diff.summary_line()
    assert diff.changed == bool(want)
    for name, ch in diff.channels().items():
        expected_ops = sorted(c["op"] for c in VERSIONS[n].changes[name])
        assert sorted(c.op for c in ch.changes) == expected_ops, (name, diff.summary_line())
        assert ch.truncated is None


def test_noise_only_version_reports_nothing(snapshot_of):
    last = len(VERSIONS) - 1
    assert VERSIONS[last].noise and not VERSIONS[last].changed_channels
    diff = diff_snapshots(snapshot_of(last - 1), snapshot_of(last))
    assert not diff.changed and diff.summary_line() == "no change"


def test_promo_injection_is_an_added_ad(snapshot_of):
    (change,) = diff_snapshots(snapshot_of(0), snapshot_of(1)).ads.changes
    want = VERSIONS[1].changes["ads"][0]
    assert change.op == "added" and change.kind == "promo-text"
    assert want["text"] in change.after
    assert change.detail["links"] == want["links"]


def test_new_comments_and_deep_reply(snapshot_of):
    diff = diff_snapshots(snapshot_of(1), snapshot_of(2))
    got = {c.detail["id"]: c for c in diff.comments.changes}
    for want in VERSIONS[2].changes["comments"]:
        change = got[want["id"]]
        assert change.op == "added" and change.after == want["text"]
        assert change.detail["author"] == want["author"]
        assert change.detail["parent"] == want["parent_author"]
        assert change.detail["depth"] == want["depth"]
    deep = got["comment-1315"]
    assert (deep.detail["parent"], deep.detail["depth"]) == ("Deb", 2)
    assert (diff.comments.count_before, diff.comments.count_after) == (3, 6)


def test_article_edit_has_word_ops_and_added_paragraph(snapshot_of):
    diff = diff_snapshots(snapshot_of(2), snapshot_of(3))
    edited = next(c for c in diff.article.changes if c.op == "edited")
    added = next(c for c in diff.article.changes if c.op == "added")
    want_edit, want_add = VERSIONS[3].changes["article"]
    assert (edited.before, edited.after) == (want_edit["before"], want_edit["after"])
    assert [w.text for w in edited.words if w.op == "insert"] == want_edit["words_inserted"]
    assert not [w for w in edited.words if w.op == "delete"]
    assert added.after == want_add["text"] and added.index_after == want_add["index_after"]


def test_promo_link_swap_and_comment_moderation(snapshot_of):
    diff = diff_snapshots(snapshot_of(3), snapshot_of(4))
    (ad,) = diff.ads.changes
    want = VERSIONS[4].changes["ads"][0]
    assert ad.op == "edited" and ad.before == ad.after
    assert ad.detail["links_before"] == want["links_before"]
    assert ad.detail["links_after"] == want["links_after"]
    by_op = {c.op: c for c in diff.comments.changes}
    assert by_op["removed"].detail["author"] == "cheap nursing scrubs"
    assert by_op["edited"].detail["author"] == "Karen M"
    inserted = " ".join(w.text for w in by_op["edited"].words if w.op == "insert")
    assert "23" in inserted and "healthy boy" in inserted


def test_first_and_last_versions_differ_in_every_channel(snapshot_of):
    diff = diff_snapshots(snapshot_of(0), snapshot_of(len(VERSIONS) - 1))
    assert all(ch.changed for ch in diff.channels().values())
    assert diff.summary_line() == "article: 1 edited, 1 added; ads: 1 added; comments: 2 added (3 → 5)"


def test_served_timeline_end_to_end():
    """Fetch every version from the running example site (gzip and all), segment, diff."""
    import gzip
    import urllib.request

    from pagetrail.example import ExampleSite
    from pagetrail.segment import segment

    snapshots = []
    with ExampleSite(mode="sequence") as site:
        for _ in VERSIONS:
            req = urllib.request.Request(site.page_url, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req, timeout=10) as resp:
                body = gzip.decompress(resp.read())
            snapshots.append(segment(body, site.page_url))
    lines = [diff_snapshots(a, b).summary_line() for a, b in zip(snapshots, snapshots[1:], strict=False)]
    assert lines == [
        "ads: 1 added",
        "comments: 3 added (3 → 6)",
        "article: 1 edited, 1 added",
        "ads: 1 edited; comments: 1 edited, 1 removed (6 → 5)",
        "no change",
    ]
