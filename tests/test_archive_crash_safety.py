"""Crash safety: torn records cut off, killed writers' files closed, full disks refused cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pagetrail.archive import Archive
from pagetrail.errors import ArchiveError
from tests.support.warcs import exchange, gzip_exchange, later, members

REPO = Path(__file__).resolve().parents[1]
WARCIO = str(Path(sys.executable).parent / "warcio")

# A child that records pages in a loop until killed.
WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    from pagetrail.archive import Archive
    from tests.support.warcs import exchange, later
    archive = Archive({folder!r}, max_file_size={max_size}).open()
    i = 0
    while True:
        archive.record(exchange(f"http://example.test/loop{{i % 50}}",
                                body=b"x" * (i % 700) + str(i).encode(), at=later(i)))
        i += 1
        if i == 40:
            open({ready!r}, "w").close()
""")


def check_all(folder: Path) -> None:
    assert not list(folder.glob("*.open")) and not list(folder.glob(".*.creating"))
    for path in folder.glob("*.warc.gz"):
        done = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def catalog_rows(folder: Path) -> list[tuple]:
    with Archive(folder) as archive:
        return sorted((c.url, c.timestamp, c.kind, c.digest, c.record_id, c.warc_file, c.offset,
                       c.length) for c in archive.captures())


def leave_open_file(folder: Path) -> Path:
    """Write two pages, then 'crash': the .open file stays, its lock dies with the fd."""
    archive = Archive(folder).open()
    archive.record(exchange())
    archive.record(gzip_exchange(at=later(1)))
    warc = archive._writer.files.current
    path = warc.open_path
    os.close(warc.fd)  # what a killed process leaves: an unlocked .open file, no rename
    archive._catalog.close()
    return path


def test_torn_record_is_cut_and_file_closed(tmp_path):
    path = leave_open_file(tmp_path)
    good = path.stat().st_size
    whole = path.read_bytes()
    with open(path, "ab") as fh:
        fh.write(whole[-150:-40])  # half of a gzip member
    with Archive(tmp_path) as archive:
        assert [r.kept for r in archive.repaired] == [5]
        caps = archive.captures()
        assert [c.url for c in caps] == ["http://example.test/page?b=2&a=1", "http://example.test/gz"]
        assert archive.read_payload(caps[1])[1].startswith(b"<!doctype html>")
    final = path.with_name(path.name[: -len(".open")])
    assert final.stat().st_size == good
    check_all(tmp_path)
    assert len((tmp_path / "index.cdxj").read_text().splitlines()) == 2


def test_records_missing_from_catalog_are_added_on_repair(tmp_path):
    path = leave_open_file(tmp_path)
    db = sqlite3.connect(tmp_path / "catalog.sqlite3")
    db.execute("DELETE FROM captures WHERE url = 'http://example.test/gz'")  # died before commit
    db.commit()
    db.close()
    with Archive(tmp_path) as archive:
        assert len(archive.captures()) == 2
        assert archive.captures("http://example.test/gz")[0].offset > 0
    assert not path.exists()
    check_all(tmp_path)


def test_open_file_of_a_live_writer_is_left_alone(tmp_path):
    with Archive(tmp_path) as live:
        live.record(exchange())
        (open_file,) = tmp_path.glob("*.warc.gz.open")
        with Archive(tmp_path) as other:
            assert other.repaired == []
            assert open_file.exists()
            other.record(exchange("http://example.test/other"))
        live.record(exchange("http://example.test/after"))
    check_all(tmp_path)
    assert len(list(tmp_path.glob("*.warc.gz"))) == 2



def written_bytes(folder: Path) -> int:
    """The size of the WARC files so far. The writer renames a file when it closes it (X.open ->
    X), which can fall between listing the folder and reading a size: that file is counted under
    its new name on the next look."""
    total = 0
    for path in folder.glob("*.warc.gz*"):
        try:
            total += path.stat().st_size
        except FileNotFoundError:
            pass
    return total


def kill_mid_stream(script: str, folder: Path, ready: Path) -> None:
    """Run the WRITER script and SIGKILL it once it has written 2000 more bytes after ``ready``."""
    child = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    try:
        while not ready.exists():
            assert child.poll() is None, child.stderr.read().decode()
            time.sleep(0.02)
        grown = written_bytes(folder) + 1
        while written_bytes(folder) < grown + 2000:
            assert child.poll() is None, child.stderr.read().decode()
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
        child.stderr.close()


def test_sigkill_mid_write_loses_no_whole_record(tmp_path):
    folder = tmp_path / "archive"
    ready = tmp_path / "ready"
    script = WRITER.format(repo=str(REPO), folder=str(folder), ready=str(ready), max_size=30_000)
    # Kill it once it has written more after the 40th page: mid-stream, whatever the machine's
    # speed (waiting a fixed time would pass or fail with the load). A kill that lands between
    # two files (one renamed closed, the next not yet created: rare, more likely under load)
    # leaves nothing half-written, which is not the case under test: start it again and kill it
    # again, on the same archive.
    for _attempt in range(5):
        ready.unlink(missing_ok=True)
        kill_mid_stream(script, folder, ready)
        if list(folder.glob("*.open")):
            break
    assert list(folder.glob("*.open"))  # it really died mid-file
    with Archive(folder) as archive:
        assert len(archive.repaired) == 1
        written = len(archive.captures())
    assert written >= 40
    check_all(folder)
    # Everything whole in the files is in the catalog, and a rebuild from the files agrees.
    before = catalog_rows(folder)
    in_files = sum(1 for p in folder.glob("*.warc.gz") for _ in members(p))
    assert in_files >= 2 * len(before)
    with Archive(folder) as archive:
        archive.reindex()
    assert catalog_rows(folder) == before


def test_unwritable_archive_folder_is_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ArchiveError) as err:
        Archive(blocker / "archive").open()
    assert "\n" not in str(err.value) and str(blocker / "archive") in str(err.value)


FULL_DISK = textwrap.dedent("""
    import os, resource, signal, sys
    sys.path.insert(0, {repo!r})
    from pagetrail.archive import Archive
    from pagetrail.errors import ArchiveError
    from tests.support.warcs import exchange, later
    archive = Archive({folder!r}).open()
    archive.record(exchange())
    # From here on no file may grow past LIMIT bytes, as on a full disk. The bodies do not
    # compress, so the WARC file reaches the limit long before the catalog's files do.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    for i in range(100):
        try:
            archive.record(exchange(f"http://example.test/big{{i}}", body=os.urandom(100_000),
                                    at=later(i)))
        except ArchiveError as exc:
            print("ERROR", exc)
            break
    print("CAPTURES", len(archive.captures()))
""")


def test_full_disk_gives_error_and_no_half_record(tmp_path):
    limit = 350_000
    script = FULL_DISK.format(repo=str(REPO), folder=str(tmp_path), limit=limit)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    out = done.stdout.splitlines()
    error = [line for line in out if line.startswith("ERROR")]
    assert error and "no space left for WARC data" in error[0], done.stdout + done.stderr
    captures = int(out[-1].split()[1])
    (path,) = tmp_path.glob("*.warc.gz.open")  # the child exited without close()
    assert path.stat().st_size <= limit
    assert captures >= 3
    assert sum(1 for _ in members(path)) == 1 + 2 * captures  # nothing but whole records
    with Archive(tmp_path) as archive:
        assert len(archive.captures()) == captures
    check_all(tmp_path)


def test_a_capture_is_read_while_its_writer_closes_the_file(tmp_path):
    """A reader that saw NAME.open (or no NAME) and then found the file renamed by its closing
    writer raised 'cannot read capture' (seen as a concurrent writer's FileNotFoundError)."""
    import threading

    with Archive(tmp_path) as archive:
        archive.record(exchange("http://example.org/a"))
    closed = next(tmp_path.glob("*.warc.gz"))
    live = closed.with_name(closed.name + ".open")
    with Archive.existing(tmp_path) as archive:
        capture = archive.captures()[0]
        expected = archive.read_payload(capture)
        for _ in range(200):
            closed.rename(live)  # the writer still has it open ...
            closing = threading.Thread(target=live.rename, args=(closed,))  # ... and closes it
            closing.start()
            assert archive.read_payload(capture) == expected
            closing.join()
        closed.rename(live)
        assert archive.read_payload(capture) == expected  # a live writer's file is read too
        live.unlink()
        with pytest.raises(ArchiveError, match="cannot read capture"):
            archive.read_payload(capture)
