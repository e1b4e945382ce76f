"""The page list's filters, read from the query string (so every filtered view is a link, and the
Atom feed of a filter is the same query on another path)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from pagetrail.archive.pages import CHANNELS, PageRow
from pagetrail.changes import parse_since
from pagetrail.errors import UsageError

PER_PAGE = 50
SORTS = ("change", "capture", "url")
STATES = ("", "ok", "problem")


@dataclass
class Filters:
    q: str = ""
    tag: str = ""
    channel: str = ""  # "", "any", or one of CHANNELS
    since: str = ""  # as typed: 2026-11-01, 7d, 20261101 ...
    until: str = ""
    state: str = ""
    sort: str = "change"
    page: int = 1
    error: str = ""  # a filter that could not be read (shown, then ignored)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        f = cls(q=args.get("q", "").strip()[:200], tag=args.get("tag", "").strip()[:100])
        channel = args.get("channel", "")
        f.channel = channel if channel in ("any", *CHANNELS) else ""
        f.state = args.get("state", "") if args.get("state", "") in STATES else ""
        f.sort = args.get("sort", "change") if args.get("sort") in SORTS else "change"
        try:
            f.page = max(1, min(int(args.get("page", "1")), 1_000_000))
        except ValueError:
            f.page = 1
        f.since, f.until = args.get("since", "").strip()[:40], args.get("until", "").strip()[:40]
        try:
            f.bounds()
        except UsageError as exc:
            f.error = str(exc).replace("--since ", "")
            f.since = f.until = ""
        return f

    def bounds(self) -> tuple[str | None, str | None]:
        """``[since, until)`` as 17-digit timestamps; a date ``until`` includes that whole day."""
        since = parse_since(self.since) if self.since else None
        until = None
        if self.until:
            until = parse_since(self.until)
            if len(self.until) == 10 and self.until[4] == "-":  # a plain date: up to its end
                day = datetime.strptime(self.until, "%Y-%m-%d").replace(tzinfo=UTC)
                until = (day + timedelta(days=1)).strftime("%Y%m%d%H%M%S") + "000"
        return since, until

    @property
    def ranged(self) -> bool:
        return bool(self.since or self.until)

    def keep(self, row: PageRow, seed_name: str, tags: tuple[str, ...]) -> bool:
        if self.channel == "any" and not row.changes:
            return False
        if self.channel in CHANNELS and self.channel not in row.changes:
            return False
        if self.ranged and not row.changes:
            return False
        if self.tag and self.tag not in tags:
            return False
        if self.state == "problem" and not row.fetch_problem:
            return False
        if self.state == "ok" and row.fetch_problem:
            return False
        if self.q:
            hay = " ".join((row.url, seed_name, *tags)).casefold()
            if not all(word in hay for word in self.q.casefold().split()):
                return False
        return True

    def sort_rows(self, rows: list[PageRow]) -> list[PageRow]:
        if self.sort == "url":
            return sorted(rows, key=lambda r: r.url)
        if self.sort == "capture":
            return sorted(rows, key=lambda r: r.last, reverse=True)
        return rows  # page_rows gives them newest change first

    def query(self, **override: object) -> str:
        """This filter as a query string, with some values replaced (e.g. ``page=2``)."""
        values = {"q": self.q, "tag": self.tag, "channel": self.channel, "since": self.since,
                  "until": self.until, "state": self.state,
                  "sort": "" if self.sort == "change" else self.sort,
                  "page": str(self.page)}
        values.update({k: str(v) for k, v in override.items()})
        if values["page"] == "1":
            values["page"] = ""
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def active(self) -> bool:
        return bool(self.q or self.tag or self.channel or self.since or self.until or self.state)
