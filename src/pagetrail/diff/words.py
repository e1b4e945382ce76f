"""Word-level diff of two texts: runs of equal, inserted and deleted words (``WordOp``)."""

from __future__ import annotations

from difflib import SequenceMatcher

from pagetrail.diff.model import WordOp
from pagetrail.diff.noise import text_key


def word_diff(before: str, after: str) -> list[WordOp]:
    """Word runs; a replaced run comes out as a delete then an insert. Words are compared with
    typography normalised, and shown as they appear (deleted words from ``before``, the rest
    from ``after``)."""
    a, b = before.split(), after.split()
    ka, kb = [text_key(w) for w in a], [text_key(w) for w in b]
    ops: list[WordOp] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(WordOp("equal", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            ops.append(WordOp("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(WordOp("insert", " ".join(b[j1:j2])))
    return ops


def word_set_similarity(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two word sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def word_set(text: str) -> set[str]:
    return set(text_key(text).casefold().split())


class WordBudget:
    """Hands out word diffs within ``max_words`` per side and ``max_total_words`` per channel;
    remembers which bound stopped one, for ``ChannelDiff.truncated``."""

    def __init__(self, max_words: int, max_total_words: int) -> None:
        self.max_words = max_words
        self.left = max_total_words
        self.max_total = max_total_words
        self.skipped_long = 0
        self.skipped_total = 0

    def diff(self, before: str, after: str) -> list[WordOp]:
        na, nb = len(before.split()), len(after.split())
        if max(na, nb) > self.max_words:
            self.skipped_long += 1
            return []
        if na + nb > self.left:
            self.skipped_total += 1
            return []
        self.left -= na + nb
        return word_diff(before, after)

    def notes(self) -> list[str]:
        out = []
        if self.skipped_long:
            out.append(
                f"word diff left out for {self.skipped_long} edited item(s) longer than "
                f"{self.max_words} words (limits.max_words)"
            )
        if self.skipped_total:
            out.append(
                f"word diff left out for {self.skipped_total} edited item(s) after "
                f"{self.max_total} words were diffed (limits.max_total_words)"
            )
        return out
