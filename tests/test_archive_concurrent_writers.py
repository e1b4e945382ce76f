"""Several processes writing into one archive at once (the daemon runs crawls in children)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from pagetrail.archive import Archive
from tests.support.warcs import members, split_record

REPO = Path(__file__).resolve().parents[1]
WARCIO = str(Path(sys.executable).parent / "warcio")

WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    from pagetrail.archive import Archive
    from tests.support.warcs import exchange, later
    with Archive({folder!r}, max_file_size=20_000) as archive:
        for i in range(60):
            # Both writers fetch the same URLs at the same instants: timestamps must not clash.
            archive.record(exchange(f"http://example.test/shared{{i % 10}}",
                                    body=b"page %d from {name}" % i, at=later(i // 10)))
""")


def test_two_writer_processes_share_one_archive(tmp_path):
    children = [
        subprocess.Popen([sys.executable, "-c", WRITER.format(repo=str(REPO), folder=str(tmp_path),
                                                              name=name)],
                         stderr=subprocess.PIPE, text=True)
        for name in ("one", "two")
    ]
    outcomes = [(child.wait(), child.stderr.read()) for child in children]
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
