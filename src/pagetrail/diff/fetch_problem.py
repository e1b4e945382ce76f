"""Is a capture a fetch problem (error page, bot wall, login redirect) rather than the page?

A capture with a problem is reported as ``PageDiff.fetch_problem`` and never diffed: a captcha
page must not read as "the whole article was removed".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from pagetrail.segment.model import Snapshot

#: Text of bot walls and captcha pages (matched against short pages only).
BOT_WALL = re.compile(
    r"just a moment\.\.\.|checking your browser|attention required!? \| cloudflare|"
    r"verify (?:that )?you are (?:a )?human|are you a robot|captcha|access denied|"
    r"enable javascript and cookies to continue|request unsuccessful\. incapsula|"
    r"pardon our interruption|please verify you are a human|ddos protection by",
    re.IGNORECASE,
)
#: Where login walls send you.
LOGIN_PATH = re.compile(
    r"/(?:wp-login\.php|log-?in|sign-?in|signin|sso|auth(?:enticate)?|account/login|users/sign_in)\b",
    re.IGNORECASE,
)
LOGIN_TITLE = re.compile(r"^\s*(?:log ?in|sign ?in)\b", re.IGNORECASE)
SHORT_PAGE = 2000  # characters of text: longer pages that mention "captcha" are articles about it


def classify_fetch(
    status: int | None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
    snapshot: Snapshot | None,
    followed: bool = True,
) -> str | None:
    """A one-line problem ("HTTP 503", "login redirect to /wp-login.php", "bot wall or captcha
    page", "empty body") or None when the capture is the page itself. ``followed=False``: a 3xx
    the crawl did not follow (another site, a ``file:`` URL) is the answer, so a problem too."""
    if status is None:
        return "no response"
    location = _header(headers, "location")
    if 300 <= status < 400:
        if location and LOGIN_PATH.search(urlsplit(location).path or ""):
            return f"login redirect to {location}"
        if not followed:
            return f"redirect not followed (HTTP {status} to {location or 'nowhere'})"
        return None  # an ordinary redirect: the capture that follows it is what counts
    if status >= 400:
        return f"HTTP {status}"
    return classify_snapshot(snapshot)


def classify_snapshot(snapshot: Snapshot | None) -> str | None:
    """The checks that need only the segmented page: empty, bot wall, login page."""
    if snapshot is None:
        return "empty body"
    body = snapshot.article.text
    comments = " ".join(c.text for c in snapshot.comments)
    if not body.strip() and not snapshot.article.title.strip() and not comments.strip():
        return "empty body"
    visible = f"{snapshot.article.title}\n{body}\n{comments}"
    if len(visible) <= SHORT_PAGE:
        if BOT_WALL.search(visible):
            return "bot wall or captcha page"
        if LOGIN_TITLE.match(snapshot.article.title) and len(body) < 500:
            return "login page"
    return None


def _header(headers: Mapping | Iterable[tuple] | None, name: str) -> str | None:
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        key = key.decode("latin-1") if isinstance(key, bytes) else key
        if key.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None
