"""One WARC stream per writer: writers that park their file (``keep_open``) hand it to the next
writer of the same prefix and host, across processes, until the file is full or old."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pagetrail.archive import Archive
from tests.support.warcs import exchange, later, members, split_record

REPO = Path(__file__).resolve().parents[1]
WARCIO = str(Path(sys.executable).parent / "warcio")

# One short "crawl" per process, as the daemon runs them.
CRAWL = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    from pagetrail.archive import Archive
    from tests.support.warcs import exchange, later
    with Archive({folder!r}, keep_open=True, hostname="h") as archive:
        for seed in range(3):
            capture = archive.record(exchange(f"http://example.test/s{{seed}}",
                                              body=b"page %d" % {run}, at=later({run} * 10 + seed)))
            archive.save_summary(capture, {{"run": {run}}})
""")


def types_in(path: Path) -> list[str]:
    return [split_record(raw)[0]["WARC-Type"] for _, _, raw in members(path)]


def test_crawls_in_separate_processes_append_to_one_file(tmp_path):
    for run in range(5):
        done = subprocess.run([sys.executable, "-c", CRAWL.format(repo=str(REPO), folder=str(tmp_path),
                                                                  run=run)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    (parked,) = tmp_path.glob("*.warc.gz.open")
    assert not list(tmp_path.glob("*.warc.gz"))
    types = types_in(parked)
    assert types[0] == "warcinfo" and types.count("warcinfo") == 1
    assert types.count("response") == 15 and types.count("revisit") == 0  # each run changed the body
    assert types.count("metadata") == 15  # the summaries are in the same stream
    # A writer that does not park (the daemon at its end, reindex, export) closes it for good.
    with Archive(tmp_path) as archive:
        assert archive.finish_files() == 1
        assert len(archive.captures()) == 15
    (closed,) = tmp_path.glob("*.warc.gz")
    assert not list(tmp_path.glob("*.open")) and not list(tmp_path.glob(".*.parked"))
    assert subprocess.run([WARCIO, "check", str(closed)], capture_output=True).returncode == 0
    # Every run's records are in the index, written when the file was closed.
    assert len((tmp_path / "index.cdxj").read_text().splitlines()) == 15


def test_a_parked_file_is_not_taken_for_a_crashed_one(tmp_path):
    with Archive(tmp_path, keep_open=True) as archive:
        archive.record(exchange())
    (parked,) = tmp_path.glob("*.open")
    size = parked.stat().st_size
    with Archive(tmp_path) as reader:
        assert reader.repaired == []  # opening repairs crashed files only
        assert parked.exists() and parked.stat().st_size == size
        assert len(reader.captures()) == 1


def test_a_file_written_past_its_marker_is_repaired_not_resumed(tmp_path):
    with Archive(tmp_path, keep_open=True) as archive:
        archive.record(exchange())
    (parked,) = tmp_path.glob("*.open")
    resumed = Archive(tmp_path, keep_open=True).open()
    resumed.record(exchange("http://example.test/after", at=later(5)))
    assert resumed._writer.files.current.open_path == parked  # appended to the parked file
    os.close(resumed._writer.files.current.fd)  # killed mid-stream: no marker this time
    resumed.flush()
    resumed._catalog.close()
    with Archive(tmp_path) as archive:
        assert [r.kept for r in archive.repaired] == [5]
        assert len(archive.captures()) == 2
    assert not list(tmp_path.glob("*.open")) and not list(tmp_path.glob(".*.lines"))
    assert len((tmp_path / "index.cdxj").read_text().splitlines()) == 2


def test_the_stream_rotates_by_size_and_by_age(tmp_path):
    for run in range(4):
        with Archive(tmp_path, keep_open=True, max_file_size=1500) as archive:
            archive.record(exchange(f"http://example.test/{run}", at=later(run)))
    assert len(list(tmp_path.glob("*.warc.gz"))) >= 1  # full files were closed on the way
    with Archive(tmp_path / "aged", keep_open=True, max_file_age=0.0) as archive:
        archive.record(exchange())
    with Archive(tmp_path / "aged", keep_open=True, max_file_age=0.0) as archive:
        archive.record(exchange("http://example.test/next"))
    assert len(list((tmp_path / "aged").glob("*.warc.gz"))) == 1  # the old one closed
    assert len(list((tmp_path / "aged").glob("*.warc.gz.open"))) == 1


def test_another_prefix_is_another_stream(tmp_path):
    with Archive(tmp_path, keep_open=True, prefix="one") as archive:
        archive.record(exchange())
    with Archive(tmp_path, keep_open=True, prefix="two") as archive:
        archive.record(exchange("http://example.test/two"))
    assert sorted(p.name.split("-")[0] for p in tmp_path.glob("*.open")) == ["one", "two"]


def test_a_read_only_opening_writes_nothing(tmp_path):
    with Archive(tmp_path, keep_open=True) as archive:
        archive.record(exchange())
    before = sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir())
    with Archive.existing(tmp_path) as archive:
        assert len(archive.captures()) == 1
        assert archive.read_payload(archive.captures()[0])[1].startswith(b"<!doctype")
    after = sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir()
                   if not p.name.startswith("catalog.sqlite3-"))
    assert after == [entry for entry in before if not entry[0].startswith("catalog.sqlite3-")]
