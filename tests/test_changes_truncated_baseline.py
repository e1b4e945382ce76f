"""A truncated capture (connection reset mid-body, cut at the size limit) is a fetch problem and never
serves as a diff baseline: an unchanged page must not alternate "36 added" / "36 removed"."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from pagetrail.archive import Archive
from pagetrail.changes import diff_captures, history, process_captures
from pagetrail.example import render
from tests.test_changes_timeline import T0, exchange


def test_truncated_capture_is_a_fetch_problem_and_not_a_baseline(tmp_path):
    body = render(1)
    with Archive(tmp_path / "archive").open() as archive:
        captures = []
        for hours, truncated in enumerate((None, "disconnect", None, "length", None)):
            ex = exchange(body if truncated is None else body[: len(body) // 3], T0 + timedelta(hours=hours))
            c = archive.record(replace(ex, truncated=truncated))
            process_captures(archive, [], [c])
            captures.append(c)
        summaries = [s["summary"] for _c, s in history(archive, captures[0].url)]
        assert summaries[0] == "first capture"
        assert summaries[1].startswith("fetch problem: truncated capture")
        assert summaries[2] == "no change: identical payload (same digest)"
        assert summaries[3].startswith("fetch problem: truncated capture")
        assert summaries[4] == "no change: identical payload (same digest)"
        # an explicit pair with a truncated side is not diffed either
        pd = diff_captures(archive, captures[1], captures[2])
        assert pd.fetch_problem and not pd.changed
