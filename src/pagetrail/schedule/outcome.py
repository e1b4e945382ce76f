"""What the daemon logs after a crawl: one line per capture with its outcome and change summary.

The child's ``--json`` summary says what was fetched (one result per seed page, with its catalog
id); the change report of each capture is read from the archive (``Archive.get_summary``), where
the change pipeline stored it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pagetrail.schedule.child import CrawlRun

log = logging.getLogger("pagetrail.schedule")



@dataclass
class CaptureOutcome:
    seed: str
    url: str
    ok: bool
    status: int | None = None
    kind: str | None = None  # "new" | "revisit" | "failed"
    error: str | None = None
    capture_id: int | None = None
    timestamp: str | None = None
    report: dict | None = None  # PageDiff.to_dict() of this capture against the previous one
    note: str | None = None  # said instead of the change summary when there is none yet

    @property
    def stopped(self) -> bool:
        """Not a failure of the page: the daemon stopped the crawl before it was fetched."""
        return not self.ok and "(daemon stopping)" in (self.error or "")

    def line(self) -> str:
        return f"{self.seed}: {self.result()}"

    def result(self) -> str:
        """The line without the seed's name: URL, status, kind and the change summary."""
        if not self.ok:
            error = self.error or "no capture"
            if self.url and error.endswith(f": {self.url}"):
                error = error[: -len(self.url) - 2]  # the crawl's message repeats the URL
            return f"{self.url} FAILED: {error}"
        head = f"{self.url} {self.status if self.status is not None else '-'} {self.kind or ''}".rstrip()
        if self.report is None and self.note:
            return f"{head} — {self.note}"
        return f"{head} — {as_fetched(change_line(self.report), self.status)}"


def as_fetched(line: str, status: int | None) -> str:
    """A 304's "no change" says what happened: the server said not modified; nothing was compared
    (the stored summary calls it an identical payload, which is what the revisit record holds)."""
    if status == 304 and line.startswith("no change"):
        return "no change: not modified (HTTP 304)"
    return line


def change_line(report: dict | None) -> str:
    """The stored summary's one line (the wording every report uses), e.g. ``ads: 1 added``."""
    if report is None:
        return "no change summary"
    if report.get("summary"):
        return str(report["summary"])
    from pagetrail.changes import pagediff_from_summary

    return pagediff_from_summary(report).summary_line()


def page_results(run: CrawlRun) -> list[dict]:
    summary = run.summary
    if isinstance(summary, dict):
        results = summary.get("results") or summary.get("pages") or []
    elif isinstance(summary, list):
        results = summary
    else:
        results = []
    return [r for r in results if isinstance(r, dict) and r.get("role", "page") == "page"]


def outcomes(run: CrawlRun, archive: str | Path,
             urls: dict[str, str] | None = None) -> list[CaptureOutcome]:
    """One outcome per seed page of the run; seeds the child said nothing about count as failed."""
    out: list[CaptureOutcome] = []
    seen: set[str] = set()
    for r in page_results(run):
        seed = r.get("seed") or "?"
        seen.add(seed)
        out.append(CaptureOutcome(
            seed=seed, url=r.get("url") or "", ok=bool(r.get("ok", r.get("error") is None)),
            status=r.get("status"), kind=r.get("kind"), error=r.get("error"),
            capture_id=r.get("capture_id"), timestamp=r.get("timestamp"),
        ))
    for seed in run.seeds:
        if seed not in seen:
            out.append(CaptureOutcome(seed=seed, url=(urls or {}).get(seed, ""), ok=False,
                                      error=f"crawl {run.describe()}"))
    _attach_reports(out, archive, run)
    return out


def _saved_anyway(item: CaptureOutcome, store, run: CrawlRun) -> bool:  # noqa: ANN001 - Archive
    """A crawl killed before it printed its summary may have saved the capture all the same: the
    archive is the record, so a capture of the seed's URL made during this run counts."""
    from pagetrail.archive.naming import timestamp17
    from pagetrail.crawl.outcome import KIND_WORDS

    found = [c for c in store.captures(url=item.url, since=timestamp17(run.started))
             if c.kind in ("response", "revisit")]
    if not found:
        return False
    capture = found[-1]
    item.ok, item.error = True, None
    item.status, item.kind = capture.status, KIND_WORDS.get(capture.kind, capture.kind)
    item.capture_id, item.timestamp = capture.id, capture.timestamp
    item.note = f"saved before the crawl was stopped ({run.describe()}); no change summary yet"
    return True


def _attach_reports(items: list[CaptureOutcome], archive: str | Path, run: CrawlRun) -> None:
    unreported = [o for o in items if o.capture_id is None and o.url and o.error
                  and o.error.startswith("crawl ")]
    if not any(o.capture_id is not None for o in items) and not unreported:
        return
    from pagetrail.archive import Archive

    try:
        store = Archive.existing(archive)
    except Exception as exc:  # noqa: BLE001 - a broken archive is logged, never fatal here
        log.warning("cannot open %s for change summaries: %s", archive, exc)
        return
    try:
        recovered = {id(item) for item in unreported if _saved_anyway(item, store, run)}
        for item in items:
            if item.capture_id is None or id(item) in recovered:
                continue
            try:
                summary = store.get_summary(item.capture_id)
            except Exception as exc:  # noqa: BLE001
                log.warning("%s: cannot read the change summary of capture %s: %s",
                            item.seed, item.capture_id, exc)
                continue
            if summary is not None and hasattr(summary, "to_dict"):
                summary = summary.to_dict()
            item.report = summary if isinstance(summary, dict) else None
    finally:
        store.close()
