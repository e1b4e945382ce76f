"""Normalise text, links and dates so that noise compares equal (patterns in ``patterns.py``).

Noise is anything that changes between captures without the content changing: white space,
markup and typography, tracking parameters, cache-busters and nonces in links, relative dates.
Chrome (navigation, sidebars, forms) is already outside the channels, so its changes never reach
the differ.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pagetrail.diff.patterns import (
    COMMENT_COUNTERS,
    RANDOM_PATH_SEGMENT,
    RANDOM_TOKEN,
    RELATIVE_DATE,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    TYPOGRAPHY,
    VOLATILE_PARAMS,
)
from pagetrail.segment.model import normalise_text

PLACEHOLDER = "*"


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


def comment_text_key(text: str) -> str:
    """A comment's text as compared: ``text_key`` without vote and like counters."""
    return text_key(COMMENT_COUNTERS.sub(" ", text or ""))


def is_tracking_param(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


@functools.lru_cache(maxsize=8192)
def normalise_link(url: str) -> str:
    """The link as compared: tracking parameters dropped, volatile values and random-looking
    tokens replaced by ``*``, query sorted, fragment dropped, scheme and host lower-cased."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if is_tracking_param(name):
            continue
        if name.lower() in VOLATILE_PARAMS or RANDOM_TOKEN.match(value):
            value = PLACEHOLDER
        query.append((name, value))
    query.sort()
    path = "/".join(
        PLACEHOLDER if RANDOM_PATH_SEGMENT.match(seg) else seg for seg in parts.path.split("/")
    )
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query, safe="*/:"), "")
    )


def normalise_links(urls: list[str]) -> list[str]:
    return [normalise_link(u) for u in urls]


def is_relative_date(date: str | None) -> bool:
    return bool(date) and bool(RELATIVE_DATE.match(date))


def date_key(date: str | None) -> str | None:
    """A comment date as compared: relative dates ("3 hours ago") compare as unknown (None)."""
    if not date or is_relative_date(date):
        return None
    return normalise_text(date)
