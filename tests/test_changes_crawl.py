"""The real path: `pagetrail crawl` fetches the example site, the crawl hands its captures to the
change pipeline, and `pagetrail history` reads the stored summaries back."""

from __future__ import annotations

import json

from pagetrail.archive import Archive
from pagetrail.cli import main
from pagetrail.example import ExampleSite
from tests.support.crawl_runs import crawl


def test_crawled_timeline_is_summarised_by_the_crawl(tmp_path, capsys):
    archive_dir = tmp_path / "archive"
    # Versions 4 and 5 (5 changes only noise), then 5 again: the server answers 304 -> a revisit.
    with ExampleSite(mode="sequence", start_version=4) as site:
        url = site.page_url
        for _ in range(3):
            run = crawl("--url", url, "--archive", archive_dir, "--no-robots")
            assert run.returncode == 0, run.stderr
    with Archive(archive_dir) as archive:
        captures = [c for c in archive.captures(url=url) if c.kind in ("response", "revisit")]
        summaries = [archive.get_summary(c.id) for c in captures]
    assert [c.kind for c in captures] == ["response", "response", "revisit"]
    assert all(s is not None for s in summaries)  # stored by the crawl, not by history below
    assert [s["summary"] for s in summaries] == [
        "first capture", "no change", "no change: not modified (HTTP 304)"]

    assert main(["history", url, "--format", "json", "--archive", str(archive_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["changed"] for c in data["captures"]] == [False, False, False]
