"""Damaged bytes inside a WARC file: repair and reindex resume at the next whole record, keep
every whole record and say what they skipped (issue 12, item 8)."""

from __future__ import annotations

import os

from pagetrail.archive import Archive
from pagetrail.cli import main
from tests.support.warcs import exchange, later, members

PAGES = 60


def write_pages(folder, *, leave_open: bool) -> tuple:
    """PAGES distinct pages in one file; with ``leave_open`` the writer 'dies' (file stays .open)."""
    archive = Archive(folder).open()
    for i in range(PAGES):
        archive.record(exchange(f"http://example.test/p{i}", body=b"page %d " % i * 40, at=later(i)))
    if leave_open:
        archive.flush()
        warc = archive._writer.files.current
        os.close(warc.fd)  # what a killed process leaves: an unlocked .open file
        archive._catalog.close()
        (path,) = folder.glob("*.open")
    else:
        archive.close()
        (path,) = folder.glob("*.warc.gz")
    return path, members(path)


def damage(path, at_fraction: float) -> tuple[int, int]:
    """16 bytes overwritten at ``at_fraction`` of the file: (offset, index of the member hit)."""
    found = members(path)
    offset = int(path.stat().st_size * at_fraction)
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\x00" * 16)
    hit = next(i for i, (start, length, _) in enumerate(found) if start <= offset < start + length)
    return offset, hit


def test_repair_keeps_every_whole_record_after_damage(tmp_path):
    path, before = write_pages(tmp_path, leave_open=True)
    offset, hit = damage(path, 0.3)
    with Archive(tmp_path) as archive:
        (fixed,) = archive.repaired
        assert fixed.kept == len(before) - 1  # only the damaged record is lost
        assert fixed.cut == 0 and len(fixed.skipped) == 1
        skipped_at, skipped_len = fixed.skipped[0]
        assert skipped_at == before[hit][0] and skipped_len == before[hit][1]
        assert "damaged bytes skipped" in fixed.describe()
        urls = {c.url for c in archive.captures()}
        # The damaged record was a response or a request: at most one page lost its response.
        assert len(urls) >= PAGES - 1
        last = archive.captures(f"http://example.test/p{PAGES - 1}")[0]
        assert archive.read_payload(last)[1].startswith(b"page %d " % (PAGES - 1))
    assert not list(tmp_path.glob("*.open"))
    assert len((tmp_path / "index.cdxj").read_text().splitlines()) == len(urls)


def test_reindex_of_a_damaged_closed_file_keeps_the_rest_and_says_so(tmp_path, capsys):
    folder = tmp_path / "archive"
    path, before = write_pages(folder, leave_open=False)
    offset, hit = damage(path, 0.3)
    assert main(["reindex", "--archive", str(folder)]) == 1
    captured = capsys.readouterr()
    assert f"{len(before) - 1} records" in captured.err
    assert f"skipped at offset {before[hit][0]}" in captured.err
    assert "every whole record was kept" in captured.err
    with Archive(folder) as archive:
        assert len({c.url for c in archive.captures()}) >= PAGES - 1
