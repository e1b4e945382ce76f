"""Huge or heavily rewritten pages stay bounded, and say so when a bound cut work short."""

from __future__ import annotations

from pagetrail.diff import Limits, diff_snapshots
from pagetrail.segment.model import Article, Block, Comment, Snapshot


def snap(paras, comments=()) -> Snapshot:
    return Snapshot(url="http://x.test/", article=Article(title="t", blocks=[Block("paragraph", p) for p in paras]),
                    comments=list(comments))


def para(i: int, salt: str = "") -> str:
    return f"Paragraph {i} {salt} talks about topic{i} and detail{i * 7} with words w{i} x{i} y{i}."


def test_word_diff_bound_sets_truncated():
    long_a = " ".join(f"word{i}" for i in range(500))
    long_b = long_a.replace("word250", "changed")
    diff = diff_snapshots(snap([long_a]), snap([long_b]), limits=Limits(max_words=100))
    (change,) = diff.article.changes
    assert change.op == "edited" and change.words == []
    assert "limits.max_words" in diff.article.truncated


def test_total_word_budget_sets_truncated():
    old = [para(i) for i in range(20)]
    new = [para(i, "edited") for i in range(20)]
    diff = diff_snapshots(snap(old), snap(new), limits=Limits(max_total_words=100))
    assert sum(1 for c in diff.article.changes if c.op == "edited") == 20
    assert sum(1 for c in diff.article.changes if c.words) < 20
    assert "limits.max_total_words" in diff.article.truncated


def test_pair_bound_sets_truncated_on_rewritten_page():
    old = [para(i) for i in range(200)]
    new = [para(i, "rewritten") for i in range(200)]
    diff = diff_snapshots(snap(old), snap(new), limits=Limits(max_pairs=400))
    assert "limits.max_pairs" in diff.article.truncated
    # each block still finds its edited counterpart, because candidates are the nearest ones
    assert all(c.op == "edited" and c.index_before == c.index_after for c in diff.article.changes)


def test_item_bound_sets_truncated():
    old = [para(i) for i in range(50)]
    new = [para(i, "edited") for i in range(50)]
    diff = diff_snapshots(snap(old), snap(new), limits=Limits(max_items=30))
    assert len(diff.article.changes) == 30 and "limits.max_items" in diff.article.truncated
    assert diff.article.count_after == 50


def test_unchanged_head_and_tail_do_not_count_against_the_item_bound():
    old = [para(i) for i in range(50)]
    new = old[:20] + ["A new paragraph."] + old[20:]
    diff = diff_snapshots(snap(old), snap(new), limits=Limits(max_items=5))
    assert diff.article.truncated is None
    assert [(c.op, c.index_after) for c in diff.article.changes] == [("added", 20)]


def test_comment_pair_bound_sets_truncated():
    def anon(n, salt=""):
        return [Comment(None, f"a{i}", None, para(i, salt), position=i) for i in range(n)]

    diff = diff_snapshots(snap(["p"], anon(40)), snap(["p"], anon(40, "edited")), limits=Limits(max_pairs=50))
    assert "limits.max_pairs" in diff.comments.truncated


def test_large_page_with_few_edits_is_exact_within_default_bounds():
    old = [para(i) for i in range(3000)]
    new = list(old)
    new[1500] = para(1500, "edited")
    del new[10]
    new.insert(2500, "A brand new paragraph here.")
    diff = diff_snapshots(snap(old), snap(new))
    assert diff.article.truncated is None
    assert sorted(c.op for c in diff.article.changes) == ["added", "edited", "removed"]
