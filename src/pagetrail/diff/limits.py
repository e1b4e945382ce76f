"""The bounds that keep a diff of a huge or rewritten page fast. Each is named in the sentence
``ChannelDiff.truncated`` carries when it cuts work short."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_items: int = 5000  # blocks / ads / comments per side that are compared at all
    max_pairs: int = 20000  # similarity comparisons between unmatched items, per channel
    max_words: int = 3000  # words per side of one word-level diff
    max_total_words: int = 200000  # words word-diffed in one channel, all edits together
    similarity: float = 0.5  # word-set similarity for two items to count as one item edited


DEFAULT_LIMITS = Limits()
