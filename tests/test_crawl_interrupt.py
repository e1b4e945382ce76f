"""Ctrl-C (SIGINT) during a crawl: exit 130, pages in flight finish, the WARC file is closed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.support.crawl_runs import ROOT, warcio_check, write_seeds
from tests.support.servers import many_pages, standard_site


def test_sigint_closes_the_archive_cleanly(tmp_path):
    archive = tmp_path / "archive"
    with standard_site() as site:
        seeds = write_seeds(tmp_path / "s.toml", many_pages(site, 1000))
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.Popen([sys.executable, "-m", "pagetrail", "crawl", str(seeds),
                                 "--archive", str(archive)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        seen = 0
        for line in proc.stderr:
            seen += line.startswith("[")
            if seen >= 20:
                proc.send_signal(signal.SIGINT)
                break
        rest = proc.stderr.read()
        proc.wait()
    assert seen >= 20
    assert proc.returncode == 130, rest
    assert "interrupted" in rest
    assert not list(archive.glob("*.open"))
    assert warcio_check(archive).returncode == 0
