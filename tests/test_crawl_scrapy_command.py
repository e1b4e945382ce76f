"""`scrapy crawl snapshot` from the repository root uses pagetrail's settings and archives alike."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.crawl_runs import ROOT, read_records, warcio_check
from tests.support.servers import standard_site


def test_scrapy_crawl_snapshot_from_the_root(tmp_path):
    archive = tmp_path / "archive"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with standard_site() as site:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "snapshot",
             "-a", f"url={site.url('/cookies')},{site.url('/gzip')}",
             "-s", f"PAGETRAIL_ARCHIVE_DIR={archive}", "-s", "LOG_LEVEL=ERROR"],
            cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    uris = {r.warc.get("WARC-Target-URI") for r in read_records(archive) if r.type == "response"}
    assert {site.url("/cookies"), site.url("/gzip"), site.url("/robots.txt")} <= uris
    assert warcio_check(archive).returncode == 0
