"""Normalise text, links and dates so that noise compares equal (patterns in ``patterns.py``).

Noise is anything that changes between captures without the content changing: white space,
markup and typography, counters, relative dates (links: ``links.py``).
Chrome (navigation, sidebars, forms) is already outside the channels, so its changes never reach
the differ.
"""

from __future__ import annotations

import functools
import re

from pagetrail.diff.patterns import (
    ARTICLE_TICKER_WORDS,
    ARTICLE_TICKERS,
    COMMENT_COUNTER_WORDS,
    COMMENT_COUNTERS,
    RELATIVE_DATE,
    RELATIVE_DATE_IN_TEXT,
    RELATIVE_DATE_WORDS,
    TYPOGRAPHY,
)
from pagetrail.segment.model import normalise_text

__all__ = ["article_text_key", "comment_text_key", "date_key", "is_relative_date", "text_key"]


# The characters TYPOGRAPHY maps, as one regex: finding none of them (most texts, and every ASCII
# one) is much cheaper than str.translate, which looks every character up in a dict.
_TYPOGRAPHIC = re.compile("[" + "".join(map(chr, TYPOGRAPHY)) + "]")


@functools.lru_cache(maxsize=8192)
def text_key(text: str) -> str:
    """The text as compared: white space collapsed, typographic quotes and dashes made plain.
    Cached: the ad and comment matchers compare the same texts many times."""
    text = text or ""
    if not text.isascii() and _TYPOGRAPHIC.search(text):
        text = text.translate(TYPOGRAPHY)
    # str.split() splits on all Unicode white space (NBSP included), like normalise_text.
    return " ".join(text.split())


_DIGIT = re.compile(r"\d")


def _may_hold(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text`` holds one of ``words`` (lower-case); the quick test before a pattern."""
    low = text.lower()
    return any(w in low for w in words)


@functools.lru_cache(maxsize=8192)
def article_text_key(text: str) -> str:
    """An article block's text as compared: ``text_key`` with comment counts and fresh relative
    times ("12 Comments", "Posted 3 hours ago") as ``#``. Cached, like ``text_key``."""
    key = text_key(text)
    if _DIGIT.search(key) and _may_hold(key, ARTICLE_TICKER_WORDS):
        return ARTICLE_TICKERS.sub("#", key)
    return key


@functools.lru_cache(maxsize=8192)
def comment_text_key(text: str) -> str:
    """A comment's text as compared: ``text_key`` without vote and like counters and without
    relative dates printed inside it. Cached: the comment matcher compares each text often."""
    text = text or ""
    if _DIGIT.search(text) and _may_hold(text, COMMENT_COUNTER_WORDS):
        text = COMMENT_COUNTERS.sub(" ", text)
    if _may_hold(text, RELATIVE_DATE_WORDS):
        text = RELATIVE_DATE_IN_TEXT.sub(" ", text)
    return text_key(text)


def is_relative_date(date: str | None) -> bool:
    return bool(date) and bool(RELATIVE_DATE.match(date))


def date_key(date: str | None) -> str | None:
    """A comment date as compared: relative dates ("3 hours ago") compare as unknown (None)."""
    if not date or is_relative_date(date):
        return None
    return normalise_text(date)
