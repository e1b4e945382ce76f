"""Several processes writing into one archive at once (the daemon runs crawls in children)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pagetrail.archive import Archive
from tests.support.warcs import members, run_writers, split_record

WARCIO = str(Path(sys.executable).parent / "warcio")


def test_two_writer_processes_share_one_archive(tmp_path):
    outcomes = run_writers(tmp_path, ["one", "two"])
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert not list(tmp_path.glob("*.open"))
    responses = []
    for path in files:
        done = subprocess.run([WARCIO, "check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout
        responses += [(path.name, offset) for offset, _, raw in members(path)
                      if split_record(raw)[0]["WARC-Type"] in ("response", "revisit")]
    with Archive(tmp_path) as archive:
        captures = archive.captures()
    assert len(captures) == 120 == len(responses)
    assert sorted((c.warc_file, c.offset) for c in captures) == sorted(responses)
    assert len({(c.url, c.timestamp) for c in captures}) == 120
    index = (tmp_path / "index.cdxj").read_text().splitlines()
    assert index == sorted(index) and len(index) == 120
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in index} == {p.name for p in files}
