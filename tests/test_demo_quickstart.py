"""`pagetrail demo` runs the whole service on the bundled example offline and ends by itself."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from pagetrail.example import VERSIONS
from tests.support.daemon import check_archive


def test_demo_captures_the_timeline_and_writes_report_and_wacz(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pagetrail", "demo", "--port", "0", "--interval", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"[{len(VERSIONS)}/{len(VERSIONS)}]" in out
    # Each change is printed as it is found, per channel.
    for channel in ("article:", "ads:", "comments:"):
        assert channel in out, out
    html = (tmp_path / "demo-output/history.html").read_text(encoding="utf-8")
    assert "<html" in html.lower()
    with zipfile.ZipFile(tmp_path / "demo-output/example.wacz") as wacz:
        names = wacz.namelist()
    assert "datapackage.json" in names and any(n.endswith(".warc.gz") for n in names)
    captures = check_archive(tmp_path / "archive")
    assert len([c for c in captures if c.kind == "response"]) >= len(VERSIONS)
    assert "pagetrail history http://127.0.0.1:" in out
