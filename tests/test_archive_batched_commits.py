"""Catalog rows committed in batches: what other readers see, and what a kill between the WARC
write and the commit leaves (repair must put the missing rows back)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from pagetrail.archive import Archive
from tests.support.warcs import chunked_exchange, exchange, failed, gzip_exchange, later, members

REPO = Path(__file__).resolve().parents[1]

# Records COMMITTED pages with one commit per BATCH captures, then PENDING more whose batch never
# commits, then signals and waits to be killed.
WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from pagetrail.archive import Archive
    from tests.support.warcs import exchange, later
    archive = Archive({folder!r}, commit_records={batch}, commit_seconds=3600).open()
    for i in range({total}):
        archive.record(exchange(f"http://example.test/p{{i % 7}}",
                                body=b"page %d" % (i % 7), at=later(i)))
    open({ready!r}, "w").close()
    time.sleep(600)
""")


def committed_rows(folder: Path) -> int:
    db = sqlite3.connect(folder / "catalog.sqlite3")
    try:
        return db.execute("SELECT count(*) FROM captures").fetchone()[0]
    finally:
        db.close()


def rows(archive: Archive) -> list[tuple]:
    return sorted((c.url, c.timestamp, c.status, c.kind, c.mime, c.digest, c.record_id, c.warc_file,
                   c.offset, c.length, c.seed, c.error, c.etag, c.last_modified,
                   tuple(sorted(c.extra.items())),
                   archive.get(c.refers_to).record_id if c.refers_to else None)
                  for c in archive.captures())


def test_sigkill_between_warc_write_and_commit_is_repaired(tmp_path):
    folder, ready = tmp_path / "archive", tmp_path / "ready"
    script = WRITER.format(repo=str(REPO), folder=str(folder), ready=str(ready), batch=10,
                           total=25)
    child = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    try:
        while not ready.exists():
            assert child.poll() is None, child.stderr.read().decode()
            time.sleep(0.02)
        assert committed_rows(folder) == 20  # two batches committed, five rows still pending
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
    (path,) = folder.glob("*.warc.gz.open")
    assert sum(1 for _ in members(path)) == 1 + 2 * 25  # all 25 fetches reached the file
    with Archive(folder) as archive:
        assert [r.kept for r in archive.repaired] == [51]
        after_repair = rows(archive)
    assert len(after_repair) == 25
    assert len({(r[0], r[1]) for r in after_repair}) == 25
    assert [r[3] for r in after_repair].count("revisit") > 0
    assert len((folder / "index.cdxj").read_text().splitlines()) == 25
    # The repaired catalog is exactly what a rebuild from the files gives.
    with Archive(folder) as archive:
        archive.reindex()
        assert rows(archive) == after_repair


def test_rows_written_in_a_batch_equal_rows_read_back_from_the_files(tmp_path):
    odd_headers = [("Content-Type", " Text/HTML ; charset=utf-8"), ("Content-Type", "text/plain"),
                   ("ETag", 'W/"x\r\ny"'), ("Last-Modified", "Tue, 24 Nov 2026 19:00:00 GMT")]
    with Archive(tmp_path) as archive:
        archive.record(exchange(seed="s", seed_url="http://example.test/seed", role="redirect"))
        archive.record(exchange(at=later(1), seed="s"))  # identical payload: revisit
        archive.record(gzip_exchange(at=later(2)))
        archive.record(exchange("http://example.test/gz", status=304, body=b"", headers=[],
                                at=later(3)))
        archive.record(chunked_exchange(at=later(4)))
        archive.record(exchange("http://example.test/odd", headers=odd_headers, at=later(5),
                                truncated="length", ip_address="10.0.0.1"))
        archive.record_failure(failed(at=later(6)))
        written = rows(archive)
    index = (tmp_path / "index.cdxj").read_text()
    with Archive(tmp_path) as archive:
        archive.reindex()
        assert rows(archive) == written
    assert (tmp_path / "index.cdxj").read_text() == index


def test_other_connections_see_rows_after_flush_and_close(tmp_path):
    with Archive(tmp_path, commit_records=1000, commit_seconds=3600) as archive:
        archive.record(exchange())
        assert len(archive.captures()) == 1  # the writer sees its own rows at once
        assert committed_rows(tmp_path) == 0
        archive.flush()
        assert committed_rows(tmp_path) == 1
        archive.record(exchange(at=later(1)))
    assert committed_rows(tmp_path) == 2


def test_an_idle_batch_is_committed_in_the_background(tmp_path):
    with Archive(tmp_path, commit_records=1000, commit_seconds=0.05) as archive:
        archive.record(exchange())
        for _ in range(600):  # the background commit comes after ~0.05 s; this allows 30 s
            if committed_rows(tmp_path) == 1:
                break
            time.sleep(0.05)
        assert committed_rows(tmp_path) == 1


def test_durable_archive_commits_every_capture(tmp_path):
    with Archive(tmp_path, durable=True) as archive:
        archive.record(exchange())
        assert committed_rows(tmp_path) == 1
        archive.record(exchange(at=later(1)))
        assert committed_rows(tmp_path) == 2


def test_a_second_archive_object_sees_the_first_ones_rows(tmp_path):
    with Archive(tmp_path, commit_records=1000, commit_seconds=3600) as one, \
            Archive(tmp_path, commit_records=1000, commit_seconds=3600) as two:
        one.record(exchange("http://example.test/one"))
        assert [c.url for c in two.captures()] == ["http://example.test/one"]
        two.record(exchange("http://example.test/two"))
        assert len(one.captures()) == 2
