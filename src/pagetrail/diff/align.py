"""Align two ordered lists of items (article blocks): anchor exact matches in order, pair what is
left by key (moved) and then by word-set similarity (edited); the rest is added or removed.

Exact anchoring is difflib's longest-matching-blocks over the items' keys, so the common case (a
few edits in a long page) costs little. Similarity is only computed between unmatched items, and
each unmatched old item is compared only with the unmatched new items nearest to where it would
land, so the number of comparisons stays under ``limits.max_pairs``.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from difflib import SequenceMatcher

from pagetrail.diff.limits import Limits
from pagetrail.diff.words import word_set_similarity


@dataclass
class Pair:
    op: str  # equal | edited | moved | added | removed
    old: int | None
    new: int | None
    score: float = 1.0


def align(
    old_keys: list[str],
    new_keys: list[str],
    old_words: list[set[str]],
    new_words: list[set[str]],
    limits: Limits,
) -> tuple[list[Pair], list[str]]:
    """Pairs covering every old and new index once, in new-page order; and notes on any bound hit."""
    notes: list[str] = []
    pairs: list[Pair] = []
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    old_at: dict[int, int] = {}  # old index -> new index, for anchors
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            pairs.append(Pair("equal", block.a + k, block.b + k))
            old_at[block.a + k] = block.b + k
    free_old = [i for i in range(len(old_keys)) if i not in old_at]
    matched_new = set(old_at.values())
    free_new = [j for j in range(len(new_keys)) if j not in matched_new]

    # Same key, different relative order: moved.
    waiting: dict[str, list[int]] = {}
    for j in free_new:
        waiting.setdefault(new_keys[j], []).append(j)
    still_old = []
    for i in free_old:
        queue = waiting.get(old_keys[i])
        if queue:
            pairs.append(Pair("moved", i, queue.pop(0)))
        else:
            still_old.append(i)
    taken_new = {p.new for p in pairs if p.op == "moved"}
    still_new = [j for j in free_new if j not in taken_new]

    landing = _landings(len(old_keys), old_at)
    edited, note = _pair_by_similarity(still_old, still_new, old_words, new_words, landing, limits)
    if note:
        notes.append(note)
    pairs.extend(edited)
    done_old = {p.old for p in edited}
    done_new = {p.new for p in edited}
    pairs.extend(Pair("removed", i, None) for i in still_old if i not in done_old)
    pairs.extend(Pair("added", None, j) for j in still_new if j not in done_new)
    pairs.sort(key=lambda p: _order(p, landing))
    return pairs, notes


def _landings(n: int, old_at: dict[int, int]) -> list[int]:
    """Where each old item would sit in the new list: as far after the nearest earlier anchor
    as it was in the old list (with no anchors at all, its own index)."""
    out, last_old, last_new = [], -1, -1
    for i in range(n):
        out.append(last_new + (i - last_old))
        if i in old_at:
            last_old, last_new = i, old_at[i]
    return out


def _order(p: Pair, landing: list[int]) -> tuple[float, int]:
    if p.new is not None:
        return (p.new, 1)
    return (landing[p.old or 0] - 0.5, 0)  # removed items sort before what replaced them


def _pair_by_similarity(
    olds: list[int],
    news: list[int],
    old_words: list[set[str]],
    new_words: list[set[str]],
    landing: list[int],
    limits: Limits,
) -> tuple[list[Pair], str | None]:
    if not olds or not news:
        return [], None
    per_old = max(1, limits.max_pairs // len(olds))
    note = None
    if per_old < len(news):
        note = (
            f"each of {len(olds)} unmatched items was compared with only its {per_old} nearest "
            f"candidates of {len(news)} (limits.max_pairs={limits.max_pairs})"
        )
    candidates: list[tuple[float, int, int, int]] = []
    for i in olds:
        for j in _nearest(news, landing[i], per_old):
            score = word_set_similarity(old_words[i], new_words[j])
            if score >= limits.similarity:
                candidates.append((-score, abs(j - landing[i]), i, j))
    candidates.sort()
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs = []
    for neg_score, _dist, i, j in candidates:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append(Pair("edited", i, j, -neg_score))
    return pairs, note


def _nearest(sorted_indices: list[int], target: int, k: int) -> list[int]:
    """The ``k`` entries of ``sorted_indices`` closest to ``target``."""
    if k >= len(sorted_indices):
        return sorted_indices
    at = bisect_left(sorted_indices, target)
    lo, hi = at, at
    while hi - lo < k:
        if lo > 0 and (hi >= len(sorted_indices) or target - sorted_indices[lo - 1] <= sorted_indices[hi] - target):
            lo -= 1
        else:
            hi += 1
    return sorted_indices[lo:hi]
