"""The comments channel: matched by id when the markup has one, else by author and text.

A comment is "edited" when its text (or author, or absolute date) changed; relative dates ("3
hours ago") are not compared. Each change's detail says who wrote it, when, to whom it replies
(the parent's author), how deep in the thread it sits and where on the page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from pagetrail.diff.limits import Limits
from pagetrail.diff.model import Change, ChannelDiff
from pagetrail.diff.noise import comment_text_key, date_key, text_key
from pagetrail.diff.words import WordBudget, word_set, word_set_similarity
from pagetrail.segment.model import Comment

SAME_AUTHOR_OR = 0.8  # similarity above which two comments pair even if the author differs


def diff_comments(old: list[Comment], new: list[Comment], limits: Limits) -> ChannelDiff:
    notes: list[str] = []
    if max(len(old), len(new)) > limits.max_items:
        notes.append(f"only the first {limits.max_items} comments were compared (limits.max_items)")
    olds = list(range(min(len(old), limits.max_items)))
    news = list(range(min(len(new), limits.max_items)))

    old, new = _unique_ids(old), _unique_ids(new)
    pairs: list[tuple[int, int]] = []
    new_by_id = {new[j].id: j for j in news if new[j].id}
    taken_new: set[int] = set()
    left_old = []
    for i in olds:
        j = new_by_id.get(old[i].id) if old[i].id else None
        if j is not None and j not in taken_new:
            pairs.append((i, j))
            taken_new.add(j)
        else:
            left_old.append(i)
    left_new = [j for j in news if j not in taken_new]
    found, note = _match_by_content(old, new, left_old, left_new, limits)
    if note:
        notes.append(note)
    pairs.extend(found)
    paired_old = {i for i, _ in found}
    paired_new = {j for _, j in found}

    budget = WordBudget(limits.max_words, limits.max_total_words)
    changes: list[Change] = []
    for i, j in pairs:
        a, b = old[i], new[j]
        what = _what_changed(a, b)
        if not what:
            continue  # the same comment, perhaps moved down by new ones: not a change
        change = Change(
            op="edited", before=a.text, after=b.text, kind="comment", index_before=i,
            index_after=j, detail={**_detail(b, new), **what},
        )
        if "text_changed" in what:
            change.words = budget.diff(a.text, b.text)
        changes.append(change)
    changes.extend(
        Change(op="removed", before=old[i].text, kind="comment", index_before=i, detail=_detail(old[i], old))
        for i in left_old
        if i not in paired_old
    )
    changes.extend(
        Change(op="added", after=new[j].text, kind="comment", index_after=j, detail=_detail(new[j], new))
        for j in left_new
        if j not in paired_new
    )
    changes.sort(key=lambda c: (c.index_after if c.index_after is not None else c.index_before or 0))
    notes.extend(budget.notes())
    return ChannelDiff(
        changed=bool(changes), changes=changes, count_before=len(old), count_after=len(new),
        truncated="; ".join(notes) or None,
    )


def _unique_ids(comments: list[Comment]) -> list[Comment]:
    """The comments with ids that repeat on the page (``id="reply"`` on every comment) cleared:
    an id that names several comments identifies none of them."""
    counts = Counter(c.id for c in comments if c.id)
    if all(n == 1 for n in counts.values()):
        return comments
    return [replace(c, id=None) if c.id and counts[c.id] > 1 else c for c in comments]


def _what_changed(a: Comment, b: Comment) -> dict:
    what: dict = {}
    if comment_text_key(a.text) != comment_text_key(b.text):
        what["text_changed"] = True
    if text_key(a.author or "") != text_key(b.author or ""):
        what["author_before"] = a.author
    da, db = date_key(a.date), date_key(b.date)
    if da and db and da != db:
        what["date_before"] = a.date
    return what


def _detail(c: Comment, thread: list[Comment]) -> dict:
    parent_author = None
    if c.parent:
        parent = next((p for p in thread if p.id == c.parent), None)
        parent_author = parent.author if parent else None
    return {
        "id": c.id,
        "author": c.author,
        "date": c.date,
        "parent": parent_author,
        "parent_id": c.parent,
        "depth": c.depth,
        "position": c.position,
        "permalink": c.permalink,
    }


def _match_by_content(
    old: list[Comment], new: list[Comment], olds: list[int], news: list[int], limits: Limits
) -> tuple[list[tuple[int, int]], str | None]:
    """Pair comments that cannot be paired by id (one side has none): exact author and text first,
    then similar text by the same author, then very similar text by anyone."""
    def pairable(i: int, j: int) -> bool:
        return not (old[i].id and new[j].id)  # two different ids are two different comments

    found = []
    used_new: set[int] = set()
    exact: dict[tuple[str, str], list[int]] = {}
    for j in news:
        exact.setdefault((text_key(new[j].author or ""), comment_text_key(new[j].text)), []).append(j)
    rest_old = []
    for i in olds:
        queue = [j for j in exact.get((text_key(old[i].author or ""), comment_text_key(old[i].text)), [])
                 if j not in used_new and pairable(i, j)]
        if queue:
            found.append((i, queue[0]))
            used_new.add(queue[0])
        else:
            rest_old.append(i)
    rest_new = [j for j in news if j not in used_new]
    budget, note, scored = limits.max_pairs, None, []
    for i in rest_old:
        wa = word_set(old[i].text)
        for j in rest_new:
            if not pairable(i, j):
                continue
            if budget <= 0:
                note = f"comment similarity comparisons stopped at limits.max_pairs={limits.max_pairs}"
                break
            budget -= 1
            score = word_set_similarity(wa, word_set(new[j].text))
            same_author = text_key(old[i].author or "") == text_key(new[j].author or "")
            if score >= limits.similarity and (same_author or score >= SAME_AUTHOR_OR):
                scored.append((-score, i, j))
    scored.sort()
    used_old: set[int] = set()
    for _s, i, j in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            found.append((i, j))
    return found, note
