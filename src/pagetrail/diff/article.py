"""The article channel: title, byline and the body blocks."""

from __future__ import annotations

from pagetrail.diff.align import align
from pagetrail.diff.limits import Limits
from pagetrail.diff.model import Change, ChannelDiff
from pagetrail.diff.noise import article_text_key
from pagetrail.diff.words import WordBudget
from pagetrail.segment.model import Article


def diff_article(old: Article, new: Article, limits: Limits) -> ChannelDiff:
    budget = WordBudget(limits.max_words, limits.max_total_words)
    notes: list[str] = []
    changes = [
        c
        for c in (
            _field_change("title", old.title, new.title, budget),
            _field_change("byline", old.byline, new.byline, budget),
        )
        if c
    ]
    old_blocks, new_blocks = old.blocks, new.blocks
    pairs, align_notes = align(
        [article_text_key(b.text) for b in old_blocks],
        [article_text_key(b.text) for b in new_blocks],
        [b.text for b in old_blocks],
        [b.text for b in new_blocks],
        limits,
    )
    notes.extend(align_notes)
    for p in pairs:
        if p.op == "equal":
            continue
        before = old_blocks[p.old] if p.old is not None else None
        after = new_blocks[p.new] if p.new is not None else None
        change = Change(
            op=p.op,
            before=before.text if before else None,
            after=after.text if after else None,
            kind=(after or before).kind,  # type: ignore[union-attr]
            index_before=p.old,
            index_after=p.new,
        )
        if p.op == "edited":
            change.words = budget.diff(change.before or "", change.after or "")
            change.detail = {"similarity": round(p.score, 3)}
        changes.append(change)
    notes.extend(budget.notes())
    return ChannelDiff(
        changed=bool(changes),
        changes=changes,
        count_before=len(old.blocks),
        count_after=len(new.blocks),
        truncated="; ".join(notes) or None,
    )


def _field_change(kind: str, before: str | None, after: str | None, budget: WordBudget) -> Change | None:
    if article_text_key(before or "") == article_text_key(after or ""):
        return None
    if not before:
        return Change(op="added", after=after, kind=kind)
    if not after:
        return Change(op="removed", before=before, kind=kind)
    return Change(op="edited", before=before, after=after, kind=kind, words=budget.diff(before, after))
