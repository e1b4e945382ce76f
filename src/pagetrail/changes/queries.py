"""Timeline queries: the public API that the report commands and the web app call.

- ``find_page(archive, url)``: the URL as captured (with or without a trailing slash) and its
  page captures;
- ``history(archive, url, seeds)``: one entry per crawl, oldest first, with its stored summary;
- ``changes_since(archive, seeds, since, url=None)``: the entries that changed or had a fetch
  problem, as PageDiffs, page by page;
- ``diff_between(archive, url, seeds, from_ts, to_ts, rules)``: the PageDiff between two captures
  named by timestamp prefixes, or the latest change;
- ``diff_captures(archive, a, b, rules)``: the PageDiff between two given captures;
- ``parse_since(when)``: ``24h``, ``7d``, an ISO date or a timestamp prefix as 17 digits.

Every function reads the archive and stores summaries that were missing; none writes captures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pagetrail.archive.model import Capture
from pagetrail.archive.naming import timestamp17
from pagetrail.changes.captures import capture_ref, is_page_capture, truncation_problem
from pagetrail.changes.processing import IDENTICAL, ChangeProcessor, page_urls
from pagetrail.changes.snapshots import rules_key, segmenter_key
from pagetrail.diff.model import PageDiff
from pagetrail.errors import UsageError
from pagetrail.seeds import Seed, SiteRules

_AGO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_AGO_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PREFIX = re.compile(r"\d{4,17}")


def find_page(archive, url: str) -> tuple[str, list[Capture]]:  # noqa: ANN001
    """The captures of ``url`` (or of the same URL with/without a trailing slash), oldest first;
    a URL never captured is a UsageError naming it."""
    for candidate in (url, url.rstrip("/") if url.endswith("/") else url + "/"):
        found = [c for c in archive.captures(url=candidate) if is_page_capture(c)]
        if found:
            return candidate, found
    raise UsageError(f"{url}: no captures of this URL in {archive.root} (see 'pagetrail captures')")


def history(archive, url: str, seeds: Sequence[Seed] = ()) -> list[tuple[Capture, dict]]:  # noqa: ANN001
    """One entry per crawl of ``url``, oldest first: (its last attempt, its stored summary);
    missing summaries are computed once and stored."""
    return ChangeProcessor(archive, seeds).timeline(url)


def changes_since(archive, seeds: Sequence[Seed], since: str | None,  # noqa: ANN001
                  url: str | None = None) -> list[PageDiff]:
    """PageDiffs of the entries at or after ``since`` (17 digits) that changed or had a fetch
    problem, page by page (pages in first-capture order, each page's entries oldest first)."""
    proc = ChangeProcessor(archive, seeds)
    if url is not None:
        urls = [url]
    else:
        recent = {c.url for c in archive.captures(since=since)} if since else None
        urls = [u for u in page_urls(archive) if recent is None or u in recent]
    items = []
    for page in urls:
        for capture, summary in proc.timeline(page):
            if since and capture.timestamp < since:
                continue
            if summary.get("changed") or summary.get("fetch_problem"):
                items.append(PageDiff.from_dict(summary))
    return items


def diff_captures(archive, a: Capture, b: Capture, rules: SiteRules | None = None) -> PageDiff:  # noqa: ANN001
    """The change from capture ``a`` to capture ``b`` (any two captures of a page). When ``b``'s
    stored summary already compares it with ``a`` under the same segmenter and rules, that is used."""
    proc = ChangeProcessor(archive)
    proc.rules_for = lambda _capture: rules  # type: ignore[method-assign]
    stored = archive.get_summary(b.id)
    if (stored and (stored.get("from") or {}).get("record_id") == a.record_id
            and stored.get("segmenter") == segmenter_key() and stored.get("rules") == rules_key(rules)):
        return PageDiff.from_dict(stored)
    if a.kind == "failed":
        return PageDiff(b.url, capture_ref(a), capture_ref(b),
                        fetch_problem=f"the earlier capture failed: {a.error or 'fetch failed'}")
    if truncation_problem(a):
        return PageDiff(b.url, capture_ref(a), capture_ref(b),
                        fetch_problem=f"the earlier capture is a {truncation_problem(a)}")
    if b.kind != "failed" and a.digest and proc.view(a).digest == proc.view(b).digest:
        return PageDiff(b.url, capture_ref(a), capture_ref(b), notes=[f"{IDENTICAL} (same digest)"])
    return proc.summarise(b, a)


def diff_between(archive, url: str, seeds: Sequence[Seed] = (), from_ts: str | None = None,  # noqa: ANN001
                 to_ts: str | None = None, rules: SiteRules | None = None) -> PageDiff:
    """What ``pagetrail diff`` shows. With timestamps (4-17 digit prefixes): ``from_ts`` names the
    *earliest* entry in that period, ``to_ts`` the *latest* (default: the latest entry); with only
    ``to_ts``, the last good entry before it is the baseline. Without timestamps: the latest
    entry that changed, else the latest entry. ``rules`` re-segments with those site rules
    instead of the stored summaries."""
    url, _captures = find_page(archive, url)
    proc = ChangeProcessor(archive, seeds)
    timeline = proc.timeline(url)
    if from_ts or to_ts:
        to = _at(url, timeline, to_ts, latest=True) if to_ts else timeline[-1][0]
        if from_ts:
            before = _at(url, timeline, from_ts, latest=False)
        else:
            earlier = [c for c, s in timeline if c.timestamp < to.timestamp and proc.is_good(c, s)]
            if not earlier:
                raise UsageError(f"{url}: no good capture before {to.timestamp} to compare with")
            before = earlier[-1]
        if before.id == to.id:
            raise UsageError(f"{url}: --from and --to name the same capture ({to.timestamp}); "
                             "give a shorter --from prefix or another --to")
        if before.timestamp > to.timestamp:
            before, to = to, before
        return diff_captures(archive, before, to, rules if rules is not None else proc.rules_for(to))
    chosen = next((s for _c, s in reversed(timeline) if s.get("changed") and s.get("from")), None)
    summary = chosen or timeline[-1][1]
    if rules is not None and summary.get("from"):
        by_ts = {c.timestamp: c for c, _s in timeline}
        return diff_captures(archive, by_ts[summary["from"]["timestamp"]], by_ts[summary["to"]["timestamp"]], rules)
    return PageDiff.from_dict(summary)


def _at(url: str, timeline: list[tuple[Capture, dict]], prefix: str, *, latest: bool) -> Capture:
    """The earliest (or latest) entry whose timestamp starts with ``prefix``."""
    if not _PREFIX.fullmatch(prefix or ""):
        raise UsageError(f"{url}@{prefix}: the timestamp must be 4 to 17 digits")
    found = [c for c, _s in timeline if c.timestamp.startswith(prefix)]
    if not found:
        raise UsageError(f"{url}@{prefix}: no capture of this URL at that time (see 'pagetrail history')")
    return found[-1] if latest else found[0]


def parse_since(when: str, now: datetime | None = None) -> str:
    """``24h``, ``7d``, ``90m``, ``2w``, an ISO date or time, or a 4-17 digit timestamp -> 17 digits."""
    now = now or datetime.now(UTC)
    text = when.strip()
    m = _AGO.match(text)
    if m:
        when_dt = now - timedelta(**{_AGO_UNITS[m.group(2)]: float(m.group(1))})
    elif _PREFIX.fullmatch(text):
        return text.ljust(17, "0")
    else:
        try:
            when_dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--since {when!r}: use e.g. 24h, 7d, 2026-11-01 or 2026-11-01T06:00Z") from None
        if when_dt.tzinfo is None:
            when_dt = when_dt.replace(tzinfo=UTC)
    return timestamp17(when_dt)
