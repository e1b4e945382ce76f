"""The ads channel: ad units, ad frames, sponsored and affiliate links, injected promo text.

Ads are matched in stages, each taking only what earlier stages left: the same ad (text and links
equal once noise is removed), then the same slot, then the same text, then the same links, then
similar text of the same kind. A pair that differs is "edited" and says which links it had before
and after (an affiliate id swapped in the link is an edit, a cache-buster is not). A network ad
unit in the same slot showing another creative for the same publisher account is no change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable

from pagetrail.diff.limits import Limits
from pagetrail.diff.links import is_volatile_value, normalise_links, payee_key
from pagetrail.diff.model import Change, ChannelDiff
from pagetrail.diff.noise import text_key
from pagetrail.diff.patterns import ROTATING_AD_KINDS
from pagetrail.diff.words import WordBudget, word_set, word_set_similarity
from pagetrail.segment.ads import link_kind
from pagetrail.segment.model import Ad


def _same(ad: Ad) -> Hashable:
    return (text_key(ad.text), tuple(sorted(normalise_links(ad.links))))


def _slot(ad: Ad) -> Hashable | None:
    """Where the ad sits, with random tokens in its ids folded (``div-gpt-ad-1a2b3c4d-0``)."""
    if not ad.slot:
        return None
    return _TOKEN.sub(lambda m: "*" if is_volatile_value(m.group()) else m.group(), ad.slot)


def _text(ad: Ad) -> Hashable | None:
    return text_key(ad.text) or None


def _links(ad: Ad) -> Hashable | None:
    links = tuple(sorted(normalise_links(ad.links)))
    return links or None


_TOKEN = re.compile(r"[A-Za-z0-9]+")

STAGES: list[tuple[str, Callable[[Ad], Hashable | None]]] = [
    ("same", _same),
    ("slot", _slot),
    ("text", _text),
    ("links", _links),
]


def diff_ads(old: list[Ad], new: list[Ad], limits: Limits) -> ChannelDiff:
    notes: list[str] = []
    if max(len(old), len(new)) > limits.max_items:
        notes.append(f"only the first {limits.max_items} ads were compared (limits.max_items)")
    olds = list(enumerate(old[: limits.max_items]))
    news = list(enumerate(new[: limits.max_items]))
    pairs: list[tuple[str, int, int]] = []
    for stage, key in STAGES:
        olds, news, found = _match_by_key(olds, news, key)
        pairs.extend((stage, i, j) for i, j in found)
    olds, news, found, note = _match_by_similarity(olds, news, limits)
    if note:
        notes.append(note)
    pairs.extend(("similar", i, j) for i, j in found)

    budget = WordBudget(limits.max_words, limits.max_total_words)
    changes: list[Change] = []
    for stage, i, j in pairs:
        if stage == "same" or (stage == "slot" and is_rotation(old[i], new[j])):
            continue
        a, b = old[i], new[j]
        change = Change(
            op="edited", before=a.text, after=b.text, kind=b.kind, index_before=i, index_after=j,
            detail={
                "matched_by": stage,
                "links_before": list(a.links),
                "links_after": list(b.links),
                "position": b.position,
                "slot": b.slot,
            },
        )
        if text_key(a.text) != text_key(b.text):
            change.words = budget.diff(a.text, b.text)
        changes.append(change)
    changes.extend(
        Change(op="removed", before=a.text, kind=a.kind, index_before=i, detail=_where(a))
        for i, a in olds
    )
    changes.extend(
        Change(op="added", after=b.text, kind=b.kind, index_after=j, detail=_where(b))
        for j, b in news
    )
    changes.sort(key=lambda c: (c.index_after if c.index_after is not None else c.index_before or 0))
    notes.extend(budget.notes())
    return ChannelDiff(
        changed=bool(changes), changes=changes, count_before=len(old), count_after=len(new),
        truncated="; ".join(notes) or None,
    )


def is_rotation(a: Ad, b: Ad) -> bool:
    """Two ads in the same slot that are the same network's ad unit for the same publisher
    account, showing another creative: the hosts and paying ids of their links are equal and no
    link is an affiliate or sponsored link (a swapped affiliate offer in a slot is an edit)."""
    if a.kind not in ROTATING_AD_KINDS or b.kind not in ROTATING_AD_KINDS or not (a.links or b.links):
        return False
    if any(link_kind(u, "") for u in (*a.links, *b.links)):
        return False
    return {payee_key(u) for u in a.links} == {payee_key(u) for u in b.links}


def _where(ad: Ad) -> dict:
    return {"links": list(ad.links), "position": ad.position, "slot": ad.slot, "reason": ad.reason}


Indexed = list[tuple[int, Ad]]


def _match_by_key(
    olds: Indexed, news: Indexed, key: Callable[[Ad], Hashable | None]
) -> tuple[Indexed, Indexed, list[tuple[int, int]]]:
    """Pair items with equal non-None keys, first with first; returns what is left and the pairs."""
    waiting: dict[Hashable, list[int]] = {}
    for pos, (_j, b) in enumerate(news):
        k = key(b)
        if k is not None:
            waiting.setdefault(k, []).append(pos)
    taken: set[int] = set()
    found = []
    left_old = []
    for i, a in olds:
        queue = waiting.get(key(a))
        if queue:
            pos = queue.pop(0)
            taken.add(pos)
            found.append((i, news[pos][0]))
        else:
            left_old.append((i, a))
    left_new = [item for pos, item in enumerate(news) if pos not in taken]
    return left_old, left_new, found


def _match_by_similarity(
    olds: Indexed, news: Indexed, limits: Limits
) -> tuple[Indexed, Indexed, list[tuple[int, int]], str | None]:
    budget = limits.max_pairs
    note = None
    scored = []
    for i, a in olds:
        wa = word_set(a.text)
        for j, b in news:
            if a.kind != b.kind or not wa:
                continue
            if budget <= 0:
                note = f"ad similarity comparisons stopped at limits.max_pairs={limits.max_pairs}"
                break
            budget -= 1
            score = word_set_similarity(wa, word_set(b.text))
            if score >= limits.similarity:
                scored.append((-score, i, j))
    scored.sort()
    used_old, used_new, found = set(), set(), []
    for _s, i, j in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            found.append((i, j))
    return (
        [(i, a) for i, a in olds if i not in used_old],
        [(j, b) for j, b in news if j not in used_new],
        found,
        note,
    )
