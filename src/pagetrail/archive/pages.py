"""Read-only queries over the catalog's stored change summaries: the list of watched pages with the
last change per channel, and one page's timeline, a page of rows at a time.

They answer from indexes, not by parsing every summary: ``index_statements`` are partial indexes
on ``(url, timestamp)`` over the summarised captures and over the captures whose summary says a
channel changed (a JSON expression the database keeps up to date whenever a summary is written).
With 1,000 pages and 100,000 captures the page list costs a few index scans and one lookup per
page (see bench/serve_speed.py). Every function takes the catalog's connection
(``catalogdb.CatalogDB``: SQLite or PostgreSQL), which may be opened read-only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pagetrail.archive.catalogdb import CatalogDB

CHANNELS = ("article", "ads", "comments")
PAGE_KINDS = ("response", "revisit", "failed")


def changed_expr(db: CatalogDB, channel: str) -> str:
    """The SQL test "this capture's summary says ``channel`` changed" (the indexed expression: a
    query must spell it exactly so for the database to use the index)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return db.json_true("summary", f"$.channels.{channel}.changed")


def index_statements(db: CatalogDB) -> list[str]:
    return [
        "CREATE INDEX IF NOT EXISTS captures_summarised ON captures (url, timestamp)"
        " WHERE summary IS NOT NULL",
        *(f"CREATE INDEX IF NOT EXISTS captures_{ch}_changed ON captures (url, timestamp)"
          f" WHERE {changed_expr(db, ch)}" for ch in CHANNELS),
    ]


INDEX_NAMES = ("captures_summarised", *(f"captures_{ch}_changed" for ch in CHANNELS))


@dataclass
class ChannelChange:
    """The last change of one channel of a page: when, in which capture, and what (filled by
    ``fill_details`` for the rows on show)."""

    timestamp: str
    capture_id: int | None = None
    summary: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # op -> number of changes


@dataclass
class PageRow:
    url: str
    captures: int  # summarised page captures
    first: str  # first and last capture timestamps
    last: str
    last_id: int
    seed: str | None
    status: int | None
    kind: str
    fetch_problem: str | None = None  # of the last capture: the page's fetch state
    last_summary: str = ""
    changes: dict[str, ChannelChange] = field(default_factory=dict)
    state_known: bool = False  # fetch_problem and last_summary filled (see fill_state)

    @property
    def latest_change(self) -> str:
        return max((c.timestamp for c in self.changes.values()), default="")


def _range(since: str | None, until: str | None) -> tuple[str, list[str]]:
    sql, args = "", []
    if since:
        sql += " AND timestamp >= ?"
        args.append(since)
    if until:
        sql += " AND timestamp < ?"
        args.append(until)
    return sql, args


def page_rows(db: CatalogDB, since: str | None = None,
              until: str | None = None) -> list[PageRow]:
    """Every page with a stored summary, with the timestamp of the last change of each channel
    (within ``[since, until)`` when given: 17-digit timestamps or prefixes), newest change first."""
    rows: dict[str, PageRow] = {}
    sql = (
        "WITH last AS (SELECT url, max(timestamp) AS ts, min(timestamp) AS first, count(*) AS n"
        " FROM captures WHERE summary IS NOT NULL GROUP BY url)"
        " SELECT last.url, last.n, last.first, last.ts, c.id, c.seed, c.status, c.kind"
        " FROM last JOIN captures AS c ON c.url = last.url AND c.timestamp = last.ts")
    for url, n, first, ts, cid, seed, status, kind in db.execute(sql):
        rows[url] = PageRow(url, n, first, ts, cid, seed, status, kind)
    where, args = _range(since, until)
    for channel in CHANNELS:
        query = (f"SELECT url, max(timestamp) FROM captures WHERE {changed_expr(db, channel)}{where}"
                 " GROUP BY url")
        for url, ts in db.execute(query, args):
            if url in rows:
                rows[url].changes[channel] = ChannelChange(ts)
    return sorted(rows.values(), key=lambda r: (r.latest_change, r.last), reverse=True)


def fill_state(db: CatalogDB, rows: list[PageRow]) -> None:
    """Fill in each row's fetch state and last summary (a lookup per row not filled yet: the list
    reads them only for the rows on show, or for all when filtering by fetch state)."""
    for row in rows:
        if row.state_known:
            continue
        found = db.execute(f"SELECT {db.json_text('summary', '$.fetch_problem')},"
                           f" {db.json_text('summary', '$.summary')} FROM captures WHERE id = ?",
                           (row.last_id,)).fetchone()
        row.fetch_problem, row.last_summary = (found[0], found[1] or "") if found else (None, "")
        row.state_known = True


def fill_details(db: CatalogDB, rows: list[PageRow]) -> None:
    """Fill in what each shown row's last channel changes were (a lookup per change), and its
    fetch state."""
    from pagetrail.diff.model import PageDiff
    from pagetrail.diff.summary import channel_summary

    fill_state(db, rows)
    for row in rows:
        for channel, change in row.changes.items():
            if change.capture_id is not None:
                continue  # filled already (rows may be reused while the catalog is unchanged)
            found = db.execute(
                f"SELECT id, {db.json_text('summary', f'$.channels.{channel}')} FROM captures"
                " WHERE url = ? AND timestamp = ?", (row.url, change.timestamp)).fetchone()
            if not found:
                continue
            data = json.loads(found[1] or "{}")
            ch = getattr(PageDiff.from_dict({"channels": {channel: data}}), channel)
            counts: dict[str, int] = {}
            for c in ch.changes:
                counts[c.op] = counts.get(c.op, 0) + 1
            change.summary = channel_summary(channel, ch).split(": ", 1)[-1]
            change.counts = counts
            change.capture_id = found[0]


@dataclass
class TimelineRow:
    """One capture of a page with what its stored summary says (``summarised`` False when the
    change pipeline has not looked at it yet)."""

    id: int
    timestamp: str
    kind: str
    status: int | None
    error: str | None
    warc_file: str | None
    offset: int | None
    record_id: str | None
    digest: str | None
    summarised: bool
    summary: str
    changed: bool
    fetch_problem: str | None
    channels: tuple[str, ...]  # the channels that changed
    from_timestamp: str | None  # what the stored summary compared this capture with
    attempt: int = 1  # Scrapy's attempt number within one crawl (retries are archived too)
    retried: bool = False  # an earlier attempt of the crawl of a newer row: evidence, not an entry


def _timeline_sql(db: CatalogDB) -> str:
    def text(path: str) -> str:
        return db.json_text("c.summary", path)

    return (
        'SELECT c.id, c.timestamp, c.kind, c.status, c.error, f.name, c."offset", c.record_id,'
        f" c.digest, c.summary IS NOT NULL, {text('$.summary')}, {db.json_true('c.summary', '$.changed')},"
        f" {text('$.fetch_problem')}, {text('$.from.timestamp')}, "
        + ", ".join(db.json_true("c.summary", f"$.channels.{ch}.changed") for ch in CHANNELS)
        + f", {db.json_text('c.extra', '$.attempt')}"
        + " FROM captures AS c LEFT JOIN files AS f ON f.id = c.file_id"
    )


def _page_captures(db: CatalogDB) -> str:
    return (" WHERE c.url = ? AND c.kind IN ('response', 'revisit', 'failed')"
            f" AND coalesce({db.json_text('c.extra', '$.role')}, 'page') = 'page'")


def timeline(db: CatalogDB, url: str, limit: int = 100, offset: int = 0,
             newest_first: bool = True) -> tuple[list[TimelineRow], int]:
    """A page of ``url``'s captures (``limit`` from ``offset``) and how many there are in all."""
    total = db.execute("SELECT count(*) FROM captures AS c" + _page_captures(db), (url,)).fetchone()[0]
    order = "DESC" if newest_first else "ASC"
    out = []
    for r in db.execute(_timeline_sql(db) + _page_captures(db) + f" ORDER BY c.timestamp {order} LIMIT ? OFFSET ?",
                        (url, limit, offset)):
        channels = tuple(ch for ch, flag in zip(CHANNELS, r[14:17], strict=True) if flag)
        summary = r[10] or ("fetch failed: " + (r[4] or "no response") if r[2] == "failed"
                            else "not summarised yet")
        out.append(TimelineRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]),
                               summary, bool(r[11]), r[12], channels, r[13], int(r[17] or 1)))
    _mark_retries(out if newest_first else out[::-1])
    return out, total


def _mark_retries(newest_first: list[TimelineRow]) -> None:
    """The attempts a crawl retried (attempt N-1 ... 1 just before attempt N) are evidence of that
    crawl, not timeline entries of their own (as ``changes.crawl_entries`` groups them)."""
    pending = 0
    for row in newest_first:
        if pending and not row.summarised:
            row.retried = True
            row.summary = "retried: " + (row.error or (f"HTTP {row.status}" if row.status else "failed"))
            pending -= 1
            continue
        pending = row.attempt - 1 if row.attempt > 1 else 0


def page_stats(db: CatalogDB) -> tuple[int, int]:
    """(pages, summarised captures) in the catalog."""
    row = db.execute("SELECT count(DISTINCT url), count(*) FROM captures"
                     " WHERE summary IS NOT NULL").fetchone()
    return int(row[0]), int(row[1])


def change_summaries(db: CatalogDB, urls: list[str] | None = None, since: str | None = None,
                     until: str | None = None, channel: str | None = None,
                     limit: int = 100) -> list[dict]:
    """The stored summaries of the newest ``limit`` captures that changed (in ``channel`` when
    given) or had a fetch problem, of ``urls`` (default: every page), newest first."""
    if channel:
        where = changed_expr(db, channel)
    else:
        where = (f"summary IS NOT NULL AND ({db.json_true('summary', '$.changed')}"
                 f" OR {db.json_text('summary', '$.fetch_problem')} IS NOT NULL)")
    extra, args = _range(since, until)
    if urls is not None:
        if not urls:
            return []
        extra += f" AND url IN ({','.join('?' * len(urls))})"
        args = [*args, *urls]
    rows = db.execute(f"SELECT summary FROM captures WHERE {where}{extra}"
                      " ORDER BY timestamp DESC LIMIT ?", (*args, limit))
    return [json.loads(r[0]) for r in rows]


def page_summaries(db: CatalogDB, url: str) -> list[dict]:
    """Every stored summary of ``url``'s captures, oldest first (a page's history)."""
    rows = db.execute("SELECT summary FROM captures WHERE url = ? AND summary IS NOT NULL"
                      " ORDER BY timestamp", (url,))
    return [json.loads(r[0]) for r in rows]


def neighbours(db: CatalogDB, url: str, timestamp: str) -> tuple[int | None, int | None]:
    """Ids of the summarised captures of ``url`` just before and just after ``timestamp``."""
    before = db.execute("SELECT id FROM captures WHERE url = ? AND timestamp < ? AND summary IS NOT NULL"
                        " ORDER BY timestamp DESC LIMIT 1", (url, timestamp)).fetchone()
    after = db.execute("SELECT id FROM captures WHERE url = ? AND timestamp > ? AND summary IS NOT NULL"
                       " ORDER BY timestamp LIMIT 1", (url, timestamp)).fetchone()
    return (before[0] if before else None), (after[0] if after else None)
