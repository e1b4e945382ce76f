"""JSON report: the documented, stable shape (docs/reports.md, "JSON schema").

A single diff is ``PageDiff.to_dict()`` plus ``schema`` and ``summary``; a history and a period report
wrap a list of those. Keys are only ever added within one ``schema`` version.
"""

from __future__ import annotations

import json

from pagetrail.diff.model import PageDiff
from pagetrail.report.common import SCHEMA, ReportDoc, replay_url

FORMAT = "json"


def diff_dict(pd: PageDiff, replay_base: str | None = None) -> dict:
    """One diff as JSON-ready data: ``PageDiff.to_dict()`` with replay links when asked."""
    d = pd.to_dict()
    if replay_base:
        for side in ("from", "to"):
            if d.get(side):
                d[side]["replay"] = replay_url(replay_base, d[side]["timestamp"], pd.url)
    return d


def document(doc: ReportDoc) -> dict:
    base = doc.options.replay_base
    if doc.mode == "diff" and len(doc.items) == 1:
        return diff_dict(doc.items[0], base)
    generated = doc.generated.strftime("%Y-%m-%dT%H:%M:%SZ")
    if doc.mode == "history":
        return {"schema": SCHEMA, "kind": "history", "url": doc.url, "generated": generated,
                "captures": [diff_dict(pd, base) for pd in doc.items]}
    pages: dict[str, list[dict]] = {}
    for pd in doc.items:  # grouped by page, pages in the order they first appear
        pages.setdefault(pd.url, []).append(diff_dict(pd, base))
    return {"schema": SCHEMA, "kind": doc.mode, "since": doc.since, "generated": generated,
            "pages": [{"url": url, "changes": changes} for url, changes in pages.items()]}


def render(doc: ReportDoc) -> str:
    return json.dumps(document(doc), indent=2, ensure_ascii=False) + "\n"
