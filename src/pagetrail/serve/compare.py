"""A comparison of two captures of one page, and what the compare screen shows of it.

Two captures whose stored summary already compares them (a capture and the one before it) are read
back from the catalog; any other pair is diffed in memory with the change pipeline's own code
(``pagetrail.changes.diff_captures``), with no Snapshot written to the archive's cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from pagetrail.archive import Capture
from pagetrail.changes import diff_captures, pagediff_from_summary
from pagetrail.diff.model import Change, PageDiff
from pagetrail.report.common import link_changes, word_ops
from pagetrail.serve.store import ReadOnlyArchive, Store

_CACHE_SIZE = 32


@dataclass
class Comparison:
    before: Capture | None
    after: Capture
    diff: PageDiff
    stored: bool  # read from the stored summary (not computed now)


class Comparer:
    """Comparisons, the last few kept in memory (a diff of two large captures takes a while)."""

    def __init__(self, store: Store):
        self.store = store
        self._cache: OrderedDict[tuple[int | None, int], object] = OrderedDict()
        self._lock = threading.Lock()

    def compare(self, before: Capture | None, after: Capture) -> Comparison:
        key = (before.id if before else None, after.id)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = self._compare(before, after)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def thread(self, capture: Capture) -> list:
        key = (-1, capture.id)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = comment_thread(self.store, capture)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def _compare(self, before: Capture | None, after: Capture) -> Comparison:
        summary = self.store.summary(after.id)
        if before is None:
            # "What changed in this capture": the stored summary, against what it was compared with.
            if summary is not None:
                pd = pagediff_from_summary(summary)
                prev = pd.from_ and self.store.capture_at(after.url, pd.from_.timestamp)
                return Comparison(prev or None, after, pd, True)
            from pagetrail.changes import ChangeProcessor

            proc = ChangeProcessor(ReadOnlyArchive(self.store.archive), self.store.seeds)
            return Comparison(None, after, proc.summarise(after, None), False)
        if summary and (summary.get("from") or {}).get("record_id") == before.record_id:
            return Comparison(before, after, pagediff_from_summary(summary), True)
        pd = diff_captures(ReadOnlyArchive(self.store.archive), before, after,
                           self.store.rules_for(after))
        return Comparison(before, after, pd, False)


def comment_thread(store: Store, capture: Capture) -> list:
    """Every comment of ``capture`` in page order (``segment.model.Comment``: author, date, parent,
    depth), from the capture as the channels read it (its rendered DOM when it was rendered)."""
    from pagetrail.changes import ChangeProcessor

    proc = ChangeProcessor(ReadOnlyArchive(store.archive), store.seeds)
    view = proc.view(capture)
    return list(proc.snapshot(view, store.rules_for(capture)).comments)


# -- what the templates show --------------------------------------------------------------------

def sides(change: Change) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(before, after) as runs of (``equal`` | ``del`` | ``ins``, text) for the side-by-side view."""
    if change.op != "edited":
        return ([("equal", change.before)] if change.before else [],
                [("equal", change.after)] if change.after else [])
    before, after = [], []
    for op in word_ops(change):
        if op.op == "equal":
            before.append(("equal", op.text))
            after.append(("equal", op.text))
        elif op.op == "delete":
            before.append(("del", op.text))
        else:
            after.append(("ins", op.text))
    return before, after


def ad_links(change: Change) -> list[tuple[str, str]]:
    """An ad's links as (``kept`` | ``removed`` | ``added``, URL): shown as text, never followed."""
    before, after = link_changes(change)
    out = [("kept" if link in after else "removed", link) for link in before]
    out += [("added", link) for link in after if link not in before]
    return out


def comment_meta(change: Change) -> dict:
    """Author, date, thread depth, reply-to and anchor of a comment change."""
    detail = change.detail or {}
    try:
        depth = max(0, min(int(detail.get("depth") or 0), 8))
    except (TypeError, ValueError):
        depth = 0
    return {"author": detail.get("author") or "", "date": detail.get("date") or "",
            "depth": depth, "parent": detail.get("parent") or "",
            "id": detail.get("id") or "", "position": detail.get("position")}
