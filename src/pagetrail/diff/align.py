"""Align two ordered lists of items (article blocks): anchor exact matches in order, pair what is
left by key (moved) and then by word-set similarity (edited); the rest is added or removed.

Exact anchoring is difflib's longest-matching-blocks over the items' keys, so the common case (a
few edits in a long page) costs little. Similarity is only computed between unmatched items, and
each unmatched old item is compared only with the unmatched new items nearest to where it would
land, so the number of comparisons stays under ``limits.max_pairs``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from pagetrail.diff.limits import Limits
from pagetrail.diff.words import word_set, word_set_similarity


@dataclass
class Pair:
    op: str  # equal | edited | moved | added | removed
    old: int | None
    new: int | None
    score: float = 1.0


def align(
    old_keys: list[str],
    new_keys: list[str],
    old_texts: list[str],
    new_texts: list[str],
    limits: Limits,
) -> tuple[list[Pair], list[str]]:
    """Pairs covering the old and new indices once each, in new-page order; and notes on any
    bound hit. Items beyond ``limits.max_items`` in the part of the page that differs are left
    out of the pairs (and a note says so)."""
    notes: list[str] = []
    pairs: list[Pair] = []
    old_at: dict[int, int] = {}  # old index -> new index, for anchors

    # The unchanged head and tail cost nothing to align, however long the page.
    n_old, n_new = len(old_keys), len(new_keys)
    head = 0
    while head < min(n_old, n_new) and old_keys[head] == new_keys[head]:
        head += 1
    tail = 0
    while tail < min(n_old, n_new) - head and old_keys[n_old - 1 - tail] == new_keys[n_new - 1 - tail]:
        tail += 1
    for k in range(head):
        old_at[k] = k
    for k in range(tail):
        old_at[n_old - 1 - k] = n_new - 1 - k
    old_end, new_end = n_old - tail, n_new - tail
    free_old: list[int] = []
    free_new: list[int] = []
    cut = _anchor_middle(old_keys, new_keys, (head, old_end), (head, new_end), old_at, free_old, free_new, limits)
    if cut:
        notes.append(
            f"{cut} stretch(es) of the page differed in more than {limits.max_items} items: only "
            f"the first {limits.max_items} of each were compared (limits.max_items)"
        )
    pairs.extend(Pair("equal", i, j) for i, j in old_at.items())

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

    landing = _landings(n_old, old_at)
    old_words = {i: word_set(old_texts[i]) for i in still_old}
    new_words = {j: word_set(new_texts[j]) for j in still_new}
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


def _anchor_middle(
    old_keys: list[str],
    new_keys: list[str],
    old_range: tuple[int, int],
    new_range: tuple[int, int],
    old_at: dict[int, int],
    free_old: list[int],
    free_new: list[int],
    limits: Limits,
) -> int:
    """Anchor the differing middle: first on keys that occur once on each side, in order (the
    longest increasing run of their positions, as patience diff does), then with difflib inside
    each stretch between anchors. Fills ``old_at`` and the free lists; returns how many stretches
    were cut to ``limits.max_items``."""
    o_lo, o_hi = old_range
    n_lo, n_hi = new_range
    count_old = Counter(old_keys[o_lo:o_hi])
    count_new = Counter(new_keys[n_lo:n_hi])
    unique_new = {new_keys[j]: j for j in range(n_lo, n_hi) if count_new[new_keys[j]] == 1}
    candidates = [
        (i, unique_new[old_keys[i]])
        for i in range(o_lo, o_hi)
        if count_old[old_keys[i]] == 1 and old_keys[i] in unique_new
    ]
    anchors = _longest_increasing(candidates)
    cuts = 0
    prev_i, prev_j = o_lo - 1, n_lo - 1
    for i, j in [*anchors, (o_hi, n_hi)]:
        a_lo, a_hi, b_lo, b_hi = prev_i + 1, i, prev_j + 1, j
        if max(a_hi - a_lo, b_hi - b_lo) > limits.max_items:
            cuts += 1
            a_hi, b_hi = min(a_hi, a_lo + limits.max_items), min(b_hi, b_lo + limits.max_items)
        if a_hi > a_lo and b_hi > b_lo:
            matcher = SequenceMatcher(None, old_keys[a_lo:a_hi], new_keys[b_lo:b_hi], autojunk=False)
            for block in matcher.get_matching_blocks():
                for k in range(block.size):
                    old_at[a_lo + block.a + k] = b_lo + block.b + k
        matched = {old_at[x] for x in range(a_lo, a_hi) if x in old_at}
        free_old.extend(x for x in range(a_lo, a_hi) if x not in old_at)
        free_new.extend(y for y in range(b_lo, b_hi) if y not in matched)
        if i < o_hi:
            old_at[i] = j
        prev_i, prev_j = i, j
    return cuts


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (already increasing in the first item) whose second items
    increase too (O(n log n))."""
    tails: list[int] = []  # tails[k]: smallest second item ending a run of length k+1
    tail_at: list[int] = []  # index into pairs of that run's end
    back: list[int] = []
    for idx, (_i, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(idx)
        else:
            tails[k] = j
            tail_at[k] = idx
        back.append(tail_at[k - 1] if k else -1)
    out = []
    idx = tail_at[-1] if tail_at else -1
    while idx >= 0:
        out.append(pairs[idx])
        idx = back[idx]
    return out[::-1]


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
    old_words: dict[int, set[str]],
    new_words: dict[int, set[str]],
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
