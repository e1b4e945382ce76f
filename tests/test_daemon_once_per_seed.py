"""`pagetrail run --once-per-seed` captures each seed once, at once, and exits by itself."""

from __future__ import annotations

import subprocess
import sys

from tests.support.daemon import RecordingSite, check_archive, write_seeds


def test_once_per_seed_captures_new_seeds_at_once_and_exits(tmp_path):
    site = RecordingSite(delay=0.0)
    try:
        write_seeds(tmp_path / "seeds.toml", [
            {"name": "a", "url": site.url("/a"), "schedule": "1d", "robots": False},
            {"name": "b", "url": site.url("/b"), "schedule": "0 6 * * 1", "timezone": "Europe/Paris",
             "robots": False},
        ])
        result = subprocess.run(
            [sys.executable, "-m", "pagetrail", "run", "seeds.toml", "--archive", "archive",
             "--once-per-seed", "--batch-window", "0.2s"],
            cwd=tmp_path, capture_output=True, text=True, timeout=180)
    finally:
        site.close()
    assert result.returncode == 0, result.stderr
    assert "crawling a, b" in result.stderr
    assert "every seed crawled once" in result.stderr
    assert site.count("/a") == 1 and site.count("/b") == 1
    assert len(check_archive(tmp_path / "archive")) == 2
