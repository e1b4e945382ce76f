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

Each entry of the timeline is one crawl (``captures.crawl_entries``): its earlier attempts are
evidence, never entries. Snapshots come from ``snapshots.SnapshotCache``; ``reprocess`` ignores
the cache.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pagetrail.archive.model import Capture
from pagetrail.archive.rendered import find_rendering
from pagetrail.changes.captures import (
    capture_ref,
    crawl_entries,
    is_page_capture,
    truncation_problem,
)
from pagetrail.changes.snapshots import SnapshotCache, rules_key, segmenter_key
from pagetrail.diff import classify_fetch, diff_snapshots
from pagetrail.diff.model import PageDiff
from pagetrail.errors import PagetrailError
from pagetrail.seeds import Seed, SiteRules, rules_for
from pagetrail.segment.model import Snapshot

IDENTICAL = "identical payload"
NOT_MODIFIED = "not modified (HTTP 304)"


@dataclass
class ChangeProcessor:
    """Computes and stores change summaries for the captures of one archive.

    ``force`` re-segments from the raw captures even when a cached Snapshot or summary exists.
    """

    archive: object
    seeds: Sequence[Seed] = ()
    force: bool = False
    progress: bool = False
    _done: set[int] = field(default_factory=set)
    _cache: SnapshotCache | None = None

    @property
    def cache(self) -> SnapshotCache:
        if self._cache is None:
            self._cache = SnapshotCache(getattr(self.archive, "root", None), force=self.force)
        return self._cache

    @property
    def segment_calls(self) -> int:
        return self.cache.segment_calls

    # -- rules and snapshots -------------------------------------------------------------------
    def rules_for(self, capture: Capture) -> SiteRules | None:
        """The rules of the capture's seed (by the seed name on record, else by its URL)."""
        return rules_for(self.seeds, (capture.extra or {}).get("seed_url") or capture.url, capture.seed)

    def snapshot(self, capture: Capture, rules: SiteRules | None = None,
                 body: bytes | None = None, headers=None) -> Snapshot:  # noqa: ANN001
        """The capture segmented with ``rules``, from the cache when the same payload was parsed.
        ``body`` and ``headers`` are the decoded payload and HTTP headers when already read."""
        if body is not None:
            return self.cache.get(capture, rules, lambda: (headers, body))
        return self.cache.get(capture, rules, lambda: self.archive.read_payload(capture, decode=True))

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
            if page.kind == "revisit" and page.status == 304:
                # The server said so: it sent no body, which an "identical payload" would misstate.
                return PageDiff(page.url, before, to, notes=[NOT_MODIFIED])
            how = "revisit" if page.kind == "revisit" else "same digest"
            return PageDiff(page.url, before, to, notes=[f"{IDENTICAL} ({how})"])
        try:
            headers, body = self.archive.read_payload(capture, decode=True)
        except PagetrailError as exc:
            return PageDiff(page.url, before, to, fetch_problem=f"capture unreadable: {exc}")
        # An error status or a redirect is judged without parsing; a 2xx page needs its Snapshot.
        problem = None
        if page.status is None or page.status >= 300:
            # A followed redirect is archived as a hop, never as a page capture: a 3xx here is a
            # redirect the crawl refused to follow, and so the seed's answer.
            problem = classify_fetch(page.status, headers, None, followed=False)
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
        summary = pd.to_dict()
        summary["computed"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        summary["segmenter"] = segmenter_key()
        summary["rules"] = rules_key(self.rules_for(capture))
        if capture.record_id:
            self.archive.save_summary(capture, summary)  # catalog + WARC metadata record
        else:
            self.archive.set_summary(capture.id, summary)
        self._done.add(capture.id)
        return summary

    def is_stale(self, capture: Capture, summary: dict) -> bool:
        """Was this summary computed by another segmenter or with other site rules than now?"""
        return (summary.get("segmenter") not in (None, segmenter_key())
                or summary.get("rules") not in (None, rules_key(self.rules_for(capture))))

    # -- a page's timeline ---------------------------------------------------------------------
    def page_captures(self, url: str) -> list[Capture]:
        return [c for c in self.archive.captures(url=url) if is_page_capture(c)]

    def entries(self, url: str) -> list[tuple[Capture, list[Capture]]]:
        """One entry per crawl of ``url``: (the last attempt, the earlier attempts)."""
        return crawl_entries(self.page_captures(url))

    @staticmethod
    def is_good(capture: Capture, summary: dict) -> bool:
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
            if self.is_good(capture, summary):
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
            if self.is_good(prev, summary):
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
                diffs.append(PageDiff.from_dict(entries[-1][1]))
                continue
            pd = self.summarise(capture, last_good, tries.get(capture.id, []))
            self.store(capture, pd)
            diffs.append(pd)
        return diffs


def page_urls(archive) -> list[str]:  # noqa: ANN001
    """Every URL in the archive that has captures of a seed page, in first-capture order."""
    urls: dict[str, None] = {}
    for c in archive.captures():
        if is_page_capture(c):
            urls.setdefault(c.url)
    return list(urls)


def process_captures(archive, seeds: Sequence[Seed], captures: Iterable[Capture]) -> list[PageDiff]:  # noqa: ANN001
    """Summarise each new capture of a seed page against its predecessor and store the summary in the
    catalog and as a WARC metadata record. Returns the PageDiffs computed."""
    return ChangeProcessor(archive, seeds).process(captures)


def reprocess(archive, seeds: Sequence[Seed], url: str | None = None, progress: bool = False) -> int:  # noqa: ANN001
    """Recompute every stored summary (of ``url``, or of all pages) from the raw captures, ignoring
    cached Snapshots: for after the segmenter or a seed's rules changed. Returns the number redone."""
    proc = ChangeProcessor(archive, seeds, force=True, progress=progress)
    count = 0
    for page in [url] if url else page_urls(archive):
        count += len(proc.timeline(page))
    return count
