"""After each capture: segment it, diff it against the previous good capture of the same page, and
store the change summary with the evidence (catalog + WARC metadata record).

Rules, in the order they are applied to one capture of a seed page:

1. a failed fetch (no HTTP response) is a *fetch problem*, never "the article was removed";
2. a capture whose payload digest equals the last good capture's (a revisit, or a response that was
   not deduplicated) is "no change" **without parsing** — unless it repeats a capture that was itself
   a fetch problem (the same captcha page again), which stays a fetch problem;
3. otherwise the capture is segmented and ``classify_fetch`` decides whether it is the page at all
   (HTTP error, empty body, bot wall, captcha, login redirect); if not, it is a fetch problem;
4. otherwise it is diffed against the last *good* capture, so a good capture after an outage is
   compared with the page as it was before the outage.

Snapshots are cached on disk under ``ARCHIVE/snapshots/`` keyed by payload digest, the seed's rules
and the segmenter's source, so a long history is parsed once; ``reprocess`` ignores the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pagetrail.archive.httpblock import header_value
from pagetrail.archive.model import Capture
from pagetrail.archive.rendered import find_rendering, page_url
from pagetrail.diff import classify_fetch, diff_snapshots
from pagetrail.diff.model import CaptureRef, Change, ChannelDiff, PageDiff, WordOp
from pagetrail.errors import PagetrailError
from pagetrail.seeds import Seed, SiteRules
from pagetrail.segment.model import Snapshot

__all__ = [
    "PAGE_KINDS",
    "ChangeProcessor",
    "capture_ref",
    "diff_captures",
    "history",
    "pagediff_from_summary",
    "process_captures",
    "reprocess",
]

PAGE_KINDS = ("response", "revisit", "failed")
IDENTICAL = "identical payload"
SNAPSHOT_DIR = "snapshots"


def capture_ref(capture: Capture) -> CaptureRef:
    """Where a capture lives, for the provenance of a diff."""
    return CaptureRef(
        timestamp=capture.timestamp,
        record_id=capture.record_id or "",
        warc_file=capture.warc_file or "",
        offset=capture.offset or 0,
        status=capture.status,
        digest=capture.digest or "",
        error=capture.error,
    )


TRUNCATION_WORDS = {
    "length": "cut at the size limit", "time": "cut at the time limit",
    "disconnect": "connection closed mid-body",
}


def truncation_problem(capture: Capture) -> str | None:
    """A capture whose body is not whole (WARC-Truncated) is a fetch problem: diffing part of a
    page against the whole of it would report the rest as removed, then added again."""
    reason = (capture.extra or {}).get("truncated")
    if not reason:
        return None
    return f"truncated capture ({TRUNCATION_WORDS.get(reason, reason)})"


def attempt_of(capture: Capture) -> int:
    """Which try of its request in one crawl a capture was (1, or 2, 3 ... for retries)."""
    try:
        return int((capture.extra or {}).get("attempt", 1))
    except (TypeError, ValueError):
        return 1


def crawl_entries(captures: Sequence[Capture]) -> list[tuple[Capture, list[Capture]]]:
    """One page's captures (oldest first) as one entry per crawl: its last attempt, with the
    earlier attempts it retried (a 500 or a refused connection that Scrapy tried again)."""
    entries: list[tuple[Capture, list[Capture]]] = []
    for capture in captures:
        n = attempt_of(capture)
        if n > 1 and entries and attempt_of(entries[-1][0]) == n - 1:
            last, earlier = entries[-1]
            entries[-1] = (capture, [*earlier, last])
        else:
            entries.append((capture, []))
    return entries


def is_page_capture(capture: Capture) -> bool:
    """A capture of a seed page itself (not a redirect hop, a requisite or robots.txt). The archive
    records a role only when it is not "page"."""
    return capture.kind in PAGE_KINDS and (capture.extra or {}).get("role", "page") == "page"


def _rules_key(rules: SiteRules | None) -> str:
    if not rules:
        return "none"
    return hashlib.sha1(repr(rules).encode("utf-8")).hexdigest()[:12]


_segmenter_key: str | None = None


def segmenter_key() -> str:
    """A fingerprint of the segmenter's source and of the libraries and ad list it depends on
    (``segmenter_version()``): a changed segmenter, or an upgraded trafilatura or EasyList,
    never reads stale snapshots."""
    global _segmenter_key
    if _segmenter_key is None:
        import pagetrail.segment as segment_pkg

        h = hashlib.sha1(segment_pkg.segmenter_version().encode())
        for path in sorted(Path(segment_pkg.__file__).parent.rglob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
        _segmenter_key = h.hexdigest()[:12]
    return _segmenter_key


def _word_ops(items: Iterable[dict]) -> list[WordOp]:
    return [WordOp(**w) for w in items or []]


def pagediff_from_summary(d: dict) -> PageDiff:
    """Rebuild a PageDiff from a stored summary (``PageDiff.to_dict()`` plus extra keys)."""

    def ref(r: dict | None) -> CaptureRef | None:
        if not r:
            return None
        fields = CaptureRef.__dataclass_fields__
        return CaptureRef(**{k: v for k, v in r.items() if k in fields})

    def channel(c: dict | None) -> ChannelDiff:
        c = c or {}
        change_fields = Change.__dataclass_fields__
        changes = []
        for ch in c.get("changes", []):
            values = {k: v for k, v in ch.items() if k in change_fields}
            values["words"] = _word_ops(values.get("words"))
            changes.append(Change(**values))
        return ChannelDiff(changed=bool(c.get("changed")), changes=changes,
                           count_before=c.get("count_before", 0), count_after=c.get("count_after", 0),
                           truncated=c.get("truncated"))

    channels = d.get("channels") or {}
    return PageDiff(url=d.get("url", ""), from_=ref(d.get("from")), to=ref(d.get("to")),
                    changed=bool(d.get("changed")), article=channel(channels.get("article")),
                    ads=channel(channels.get("ads")), comments=channel(channels.get("comments")),
                    fetch_problem=d.get("fetch_problem"), notes=list(d.get("notes") or []),
                    attempts=[a for a in map(ref, d.get("attempts") or []) if a])


@dataclass
class ChangeProcessor:
    """Computes and stores change summaries for the captures of one archive.

    ``force`` re-segments from the raw captures even when a cached Snapshot or summary exists.
    """

    archive: object
    seeds: Sequence[Seed] = ()
    force: bool = False
    progress: bool = False
    _snapshots: dict[str, Snapshot] = field(default_factory=dict)
    _done: set[int] = field(default_factory=set)
    segment_calls: int = 0

    # -- rules and snapshots -------------------------------------------------------------------
    def rules_for(self, capture: Capture) -> SiteRules | None:
        seed_url = (capture.extra or {}).get("seed_url")
        for seed in self.seeds:
            if seed.name == capture.seed or seed.url in (capture.url, seed_url):
                return seed.rules or None
        return None

    def _cache_path(self, key: str) -> Path | None:
        root = getattr(self.archive, "root", None)
        return Path(root) / SNAPSHOT_DIR / key[:2] / f"{key}.json" if root else None

    def snapshot(self, capture: Capture, rules: SiteRules | None = None,
                 body: bytes | None = None, headers=None) -> Snapshot:  # noqa: ANN001
        """The capture segmented with ``rules``; from the cache when the same payload was parsed.
        ``body`` and ``headers`` are the decoded payload and HTTP headers when already read."""
        digest = capture.digest or f"id:{capture.id}"
        key = hashlib.sha1(f"{digest} {_rules_key(rules)} {segmenter_key()}".encode()).hexdigest()
        if key in self._snapshots:
            return self._snapshots[key]
        path = self._cache_path(key)
        if path is not None and path.exists() and not self.force:
            try:
                snap = Snapshot.from_dict(json.loads(path.read_text(encoding="utf-8")))
                self._snapshots[key] = snap
                return snap
            except (ValueError, TypeError, OSError):
                pass  # a damaged cache entry is simply recomputed
        from pagetrail.segment import segment

        if body is None:
            headers, body = self.archive.read_payload(capture, decode=True)
        self.segment_calls += 1
        # The HTTP charset matters for pages without a <meta charset>.
        snap = segment(body, page_url(capture), rules,
                       content_type=header_value(headers, "content-type"))
        self._snapshots[key] = snap
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(snap.to_dict(), ensure_ascii=False), encoding="utf-8")
                os.replace(tmp, path)
            except OSError:
                pass  # the cache is an optimisation: a full disk or read-only archive only costs time
        return snap

    # -- one capture ---------------------------------------------------------------------------
    def summarise(self, capture: Capture, last_good: Capture | None,
                  earlier_attempts: Sequence[Capture] = ()) -> PageDiff:
        """The change of ``capture`` against ``last_good`` (the last capture that was the page),
        with the earlier attempts of the same crawl as evidence."""
        pd = self._summarise(capture, last_good)
        pd.attempts = [capture_ref(c) for c in earlier_attempts]
        return pd

    def _summarise(self, capture: Capture, last_good: Capture | None) -> PageDiff:
        rules = self.rules_for(capture)
        to = capture_ref(capture)
        before = capture_ref(last_good) if last_good else None
        if capture.kind == "failed":
            return PageDiff(capture.url, before, to, fetch_problem=capture.error or "fetch failed")
        truncated = truncation_problem(capture)
        if truncated:
            return PageDiff(capture.url, before, to, fetch_problem=truncated)
        if capture.kind == "revisit" and capture.refers_to is not None:
            original = self.archive.get_summary(capture.refers_to) or {}
            if original.get("fetch_problem"):
                return PageDiff(capture.url, before, to, fetch_problem=original["fetch_problem"],
                                notes=[f"{IDENTICAL} (revisit of a capture that was not the page)"])
        # A rendered page is read, compared and segmented as its DOM after scripts.
        page, capture = capture, self.view(capture)
        last_good = self.view(last_good) if last_good is not None else None
        if last_good is not None and capture.digest and capture.digest == last_good.digest:
            how = "revisit" if page.kind == "revisit" else "same digest"
            return PageDiff(page.url, before, to, notes=[f"{IDENTICAL} ({how})"])
        try:
            headers, body = self.archive.read_payload(capture, decode=True)
        except PagetrailError as exc:
            return PageDiff(page.url, before, to, fetch_problem=f"capture unreadable: {exc}")
        # An error status or a redirect is judged without parsing; a 2xx page needs its Snapshot.
        problem = None
        if page.status is None or page.status >= 300:
            problem = classify_fetch(page.status, headers, None)
        if not problem:
            try:
                snap = self.snapshot(capture, rules, body, headers)
            except Exception as exc:  # noqa: BLE001 - one unparsable capture must not stop the run
                return PageDiff(page.url, before, to, fetch_problem=f"could not segment the page: {exc}")
            problem = classify_fetch(page.status, headers, snap)
        if problem:
            return PageDiff(page.url, before, to, fetch_problem=problem)
        if last_good is None:
            return PageDiff(page.url, None, to, notes=["first capture"])
        pd = diff_snapshots(self.snapshot(last_good, rules), snap)
        pd.url, pd.from_, pd.to = page.url, before, to
        return pd

    def view(self, capture: Capture) -> Capture:
        """What the channels read for a page capture: its rendered DOM when it was rendered
        (pagetrail.crawl.render), else the capture itself."""
        if capture.kind == "failed" or not hasattr(self.archive, "captures"):
            return capture
        return find_rendering(self.archive, capture).dom or capture

    def store(self, capture: Capture, pd: PageDiff) -> dict:
        from pagetrail.report.jsonreport import diff_dict

        summary = diff_dict(pd)
        summary["computed"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        summary["segmenter"] = segmenter_key()
        summary["rules"] = _rules_key(self.rules_for(capture))
        if capture.record_id:
            self.archive.save_summary(capture, summary)  # catalog + WARC metadata record
        else:
            self.archive.set_summary(capture.id, summary)
        self._done.add(capture.id)
        return summary

    def is_stale(self, capture: Capture, summary: dict) -> bool:
        """Was this summary computed by another segmenter or with other site rules than now?"""
        return (summary.get("segmenter") not in (None, segmenter_key())
                or summary.get("rules") not in (None, _rules_key(self.rules_for(capture))))

    # -- a page's timeline ---------------------------------------------------------------------
    def page_captures(self, url: str) -> list[Capture]:
        return [c for c in self.archive.captures(url=url) if is_page_capture(c)]

    def entries(self, url: str) -> list[tuple[Capture, list[Capture]]]:
        """One entry per crawl of ``url``: (the last attempt, the earlier attempts)."""
        return crawl_entries(self.page_captures(url))

    @staticmethod
    def _is_good(capture: Capture, summary: dict) -> bool:
        return capture.kind != "failed" and not summary.get("fetch_problem")

    def timeline(self, url: str, upto: Capture | None = None) -> list[tuple[Capture, dict]]:
        """Every capture of ``url`` (up to ``upto``) with its summary, oldest first, computing and
        storing the missing ones (all of them when ``force``) in one pass."""
        out: list[tuple[Capture, dict]] = []
        last_good: Capture | None = None
        for capture, earlier in self.entries(url):
            summary = None if self.force else self.archive.get_summary(capture.id)
            if summary is None:
                summary = self.store(capture, self.summarise(capture, last_good, earlier))
                if self.progress:
                    print(f"  {url} {capture.timestamp}: {summary['summary']}", file=sys.stderr)
            out.append((capture, summary))
            if self._is_good(capture, summary):
                last_good = capture
            if upto is not None and capture.id == upto.id:
                break
        return out

    def last_good_before(self, capture: Capture) -> Capture | None | bool:
        """The last good capture before ``capture`` from stored summaries; ``False`` when a summary
        on the way is missing (then the caller walks the whole timeline)."""
        earlier = [c for c, _tries in self.entries(capture.url) if c.timestamp < capture.timestamp]
        for prev in reversed(earlier):
            summary = self.archive.get_summary(prev.id)
            if summary is None:
                return False
            if self._is_good(prev, summary):
                return prev
        return None

    def process(self, captures: Iterable[Capture]) -> list[PageDiff]:
        todo = sorted((c for c in captures if is_page_capture(c)), key=lambda c: c.timestamp)
        diffs = []
        tries: dict[int, list[Capture]] = {}  # last attempt's id -> earlier attempts
        retried: set[int] = set()  # earlier attempts: evidence of an entry, not entries
        for url in dict.fromkeys(c.url for c in todo):
            for last, earlier in self.entries(url):
                tries[last.id] = earlier
                retried.update(c.id for c in earlier)
        for capture in todo:
            if capture.id in retried or capture.id in self._done or (
                    not self.force and self.archive.get_summary(capture.id)):
                continue
            last_good = self.last_good_before(capture)
            if last_good is False:
                entries = self.timeline(capture.url, upto=capture)
                diffs.append(pagediff_from_summary(entries[-1][1]))
                continue
            pd = self.summarise(capture, last_good, tries.get(capture.id, []))
            self.store(capture, pd)
            diffs.append(pd)
        return diffs


def process_captures(archive, seeds: Sequence[Seed], captures: Iterable[Capture]) -> list[PageDiff]:  # noqa: ANN001
    """Summarise each new capture of a seed page against its predecessor and store the summary in the
    catalog and as a WARC metadata record. Returns the PageDiffs computed."""
    return ChangeProcessor(archive, seeds).process(captures)


def page_urls(archive, seeds: Sequence[Seed] = ()) -> list[str]:  # noqa: ANN001
    """Every URL in the archive that has captures of a seed page, in first-capture order."""
    urls: dict[str, None] = {}
    for c in archive.captures():
        if is_page_capture(c):
            urls.setdefault(c.url)
    return list(urls)


def reprocess(archive, seeds: Sequence[Seed], url: str | None = None, progress: bool = False) -> int:  # noqa: ANN001
    """Recompute every stored summary (of ``url``, or of all pages) from the raw captures, ignoring
    cached Snapshots: for after the segmenter or a seed's rules changed. Returns the number redone."""
    proc = ChangeProcessor(archive, seeds, force=True, progress=progress)
    count = 0
    for page in [url] if url else page_urls(archive, seeds):
        count += len(proc.timeline(page))
    return count


def history(archive, url: str, seeds: Sequence[Seed] = ()) -> list[tuple[Capture, dict]]:  # noqa: ANN001
    """Every capture of ``url`` with its stored summary, oldest first; missing summaries are
    computed once and stored."""
    return ChangeProcessor(archive, seeds).timeline(url)


def diff_captures(archive, a: Capture, b: Capture, rules: SiteRules | None = None) -> PageDiff:  # noqa: ANN001
    """The change from capture ``a`` to capture ``b`` (any two captures of a page). When ``b``'s
    stored summary already compares it with ``a`` under the same segmenter and rules, that is used."""
    proc = ChangeProcessor(archive)
    proc.rules_for = lambda _capture: rules  # type: ignore[method-assign]
    stored = archive.get_summary(b.id)
    if (stored and (stored.get("from") or {}).get("record_id") == a.record_id
            and stored.get("segmenter") == segmenter_key() and stored.get("rules") == _rules_key(rules)):
        return pagediff_from_summary(stored)
    if a.kind == "failed":
        return PageDiff(b.url, capture_ref(a), capture_ref(b),
                        fetch_problem=f"the earlier capture failed: {a.error or 'fetch failed'}")
    if truncation_problem(a):
        return PageDiff(b.url, capture_ref(a), capture_ref(b),
                        fetch_problem=f"the earlier capture is a {truncation_problem(a)}")
    if b.kind != "failed" and a.digest and proc.view(a).digest == proc.view(b).digest:
        return PageDiff(b.url, capture_ref(a), capture_ref(b), notes=[f"{IDENTICAL} (same digest)"])
    return proc.summarise(b, a)
