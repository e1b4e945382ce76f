"""Change summaries of captures: processing after each crawl, the snapshot cache, and the timeline
queries the commands and the web app call.

- ``processing``: ``ChangeProcessor`` (summarise one capture against the last good one, store the
  summary in the catalog and as a WARC metadata record), ``process_captures``, ``reprocess``;
- ``snapshots``: ``SnapshotCache`` and the cache key (``segmenter_key``, ``rules_key``);
- ``captures``: which captures make a timeline (one entry per crawl, retries as evidence,
  truncated bodies as fetch problems);
- ``queries``: ``find_page``, ``history``, ``changes_since``, ``diff_between``, ``diff_captures``,
  ``parse_since``.

A stored summary is ``PageDiff.to_dict()`` plus ``computed``, ``segmenter`` and ``rules``;
``PageDiff.from_dict`` reads it back.
"""

from pagetrail.changes.captures import (
    PAGE_KINDS,
    attempt_of,
    capture_ref,
    crawl_entries,
    is_page_capture,
    truncation_problem,
)
from pagetrail.changes.processing import ChangeProcessor, page_urls, process_captures, reprocess
from pagetrail.changes.queries import (
    changes_since,
    diff_between,
    diff_captures,
    find_page,
    history,
    parse_since,
)
from pagetrail.changes.snapshots import SnapshotCache, rules_key, segmenter_key
from pagetrail.diff.model import PageDiff

#: A stored summary back as a PageDiff (the name callers used before ``PageDiff.from_dict``).
pagediff_from_summary = PageDiff.from_dict

__all__ = [
    "PAGE_KINDS", "ChangeProcessor", "SnapshotCache", "attempt_of", "capture_ref", "changes_since",
    "crawl_entries", "diff_between", "diff_captures", "find_page", "history", "is_page_capture",
    "page_urls", "pagediff_from_summary", "parse_since", "process_captures", "reprocess",
    "rules_key", "segmenter_key", "truncation_problem",
]
