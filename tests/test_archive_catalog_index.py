"""Catalog queries, the sorted CDXJ index, rotation and reindexing from the WARC files alone."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pagetrail.archive import Archive
from pagetrail.errors import ArchiveError
from tests.support.warcs import (
    PAGE_HTML,
    exchange,
    failed,
    gzip_exchange,
    later,
    members,
    split_record,
)

WARCIO = str(Path(sys.executable).parent / "warcio")
NAME = re.compile(r"^pagetrail-\d{17}-\d{5}[0-9a-f]{6}-testhost\.warc\.gz$")


def fill(archive: Archive, pages: int = 6) -> None:
    for i in range(pages):
        url = f"http://example.test/p{i % 3}?q={i % 3}"
        body = PAGE_HTML + (b"changed" if i >= 3 and i % 2 else b"")
        archive.record(exchange(url, body=body, at=later(i), seed="example"))
    archive.record(gzip_exchange(at=later(10)))
    archive.record_failure(failed(at=later(11)))


def rows(folder: Path) -> list[tuple]:
    """Catalog rows with revisit targets as record ids (ids may differ after a rebuild)."""
    with Archive(folder) as archive:
        caps = archive.captures()
    record_ids = {c.id: c.record_id for c in caps}
    return sorted(
        (c.url, c.timestamp, c.status, c.kind, c.mime, c.digest, c.record_id, c.warc_file, c.offset,
         c.length, c.seed, record_ids.get(c.refers_to), c.error, c.etag, c.last_modified,
         json.dumps(c.extra, sort_keys=True))
        for c in caps
    )


def test_captures_filters_and_find(tmp_path):
    with Archive(tmp_path) as archive:
        fill(archive)
        url = "http://example.test/p0?q=0"
        caps = archive.captures(url)
        assert [c.timestamp for c in caps] == sorted(c.timestamp for c in caps)
        assert len(caps) == 2
        assert {c.seed for c in archive.captures(seed="example")} == {"example"}
        assert len(archive.captures(seed="example")) == 6
        assert [c.kind for c in archive.captures(kind="failed")] == ["failed"]
        assert archive.captures(since="20261124191327") == archive.captures(kind="failed")
        assert archive.find(url, "2026").id == caps[-1].id
        assert archive.find(url, caps[0].timestamp).id == caps[0].id
        assert archive.get(caps[0].id) == caps[0]
        with pytest.raises(ArchiveError, match="no capture"):
            archive.find(url, "1999")
        with pytest.raises(ArchiveError, match="4 to 17 digits"):
            archive.find(url, "20x")


def test_summaries_round_trip_and_survive_reindex(tmp_path):
    with Archive(tmp_path) as archive:
        fill(archive)
        cap = archive.captures()[0]
        assert archive.get_summary(cap.id) is None
        archive.set_summary(cap.id, {"article": {"changed": True}})
        archive.reindex()
        again = [c for c in archive.captures() if c.record_id == cap.record_id][0]
        assert archive.get_summary(again.id) == {"article": {"changed": True}}


def test_index_is_sorted_and_lists_responses_and_revisits(tmp_path):
    with Archive(tmp_path, hostname="testhost") as archive:
        fill(archive)
        written = [c for c in archive.captures() if c.kind != "failed"]
    lines = (tmp_path / "index.cdxj").read_text().splitlines()
    assert lines == sorted(lines)
    assert len(lines) == len(written)
    key, ts, data = lines[0].split(" ", 2)
    fields = json.loads(data)
    assert list(fields) == ["url", "mime", "status", "digest", "length", "offset", "filename"]
    assert re.fullmatch(r"\d{14}", ts) and key.startswith("test,example)/")
    revisit = [json.loads(line.split(" ", 2)[2]) for line in lines if "warc/revisit" in line]
    assert revisit and all(r["status"] == "200" for r in revisit)


def test_rotation_writes_warcinfo_first_in_every_file(tmp_path):
    with Archive(tmp_path, hostname="testhost", max_file_size=2000) as archive:
        for i in range(12):
            archive.record(exchange(f"http://example.test/r{i}", at=later(i)))
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 4
    assert not list(tmp_path.glob("*.open"))
    seen = set()
    for path in files:
        assert NAME.match(path.name), path.name
        recs = [split_record(raw) for _, _, raw in members(path)]
        assert recs[0][0]["WARC-Type"] == "warcinfo"
        assert recs[0][0]["WARC-Filename"] == path.name
        assert [f["WARC-Type"] for f, _ in recs[1:]] == ["response", "request"] * ((len(recs) - 1) // 2)
        seen |= {f["WARC-Target-URI"] for f, _ in recs[1:]}
        done = subprocess.run([WARCIO, "check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout
    assert len(seen) == 12
    index = (tmp_path / "index.cdxj").read_text()
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in index.splitlines()} == {
        p.name for p in files}


def test_two_writers_in_one_folder_get_distinct_files(tmp_path):
    with Archive(tmp_path, hostname="testhost") as one, Archive(tmp_path, hostname="testhost") as two:
        one.record(exchange("http://example.test/one"))
        two.record(exchange("http://example.test/two"))
        names = {c.warc_file for c in one.captures()}
    assert len(names) == 2
    assert {p.name for p in tmp_path.glob("*.warc.gz")} == names
    assert len((tmp_path / "index.cdxj").read_text().splitlines()) == 2


def test_reindex_rebuilds_the_same_rows_and_index(tmp_path):
    with Archive(tmp_path, max_file_size=3000) as archive:
        fill(archive)
        for cap in archive.captures()[:4]:
            archive.save_summary(cap, {"capture": cap.timestamp, "computed": "now"})
    before_rows, before_index = rows(tmp_path), (tmp_path / "index.cdxj").read_text()
    before_summaries = summaries(tmp_path)
    assert len(before_summaries) == 4
    (tmp_path / "catalog.sqlite3").unlink()
    (tmp_path / "index.cdxj").unlink()
    with Archive(tmp_path) as archive:
        files, records = archive.reindex()
    assert files == len(list(tmp_path.glob("*.warc.gz")))
    assert records == sum(len(members(p)) for p in tmp_path.glob("*.warc.gz"))
    assert rows(tmp_path) == before_rows
    assert (tmp_path / "index.cdxj").read_text() == before_index
    assert summaries(tmp_path) == before_summaries  # restored from the WARC files alone


def summaries(folder: Path) -> dict[str, dict]:
    with Archive(folder) as archive:
        return {c.record_id: archive.get_summary(c.id) for c in archive.captures()
                if archive.get_summary(c.id) is not None}


def test_a_recomputed_summary_is_not_written_twice(tmp_path):
    with Archive(tmp_path) as archive:
        cap = archive.record(exchange())
        archive.save_summary(cap, {"changed": False, "computed": "first"})
        archive.save_summary(cap, {"changed": False, "computed": "again"})  # same summary
        archive.save_summary(cap, {"changed": True, "computed": "later"})  # a new one
    recs = [split_record(raw) for p in tmp_path.glob("*.warc.gz") for _, _, raw in members(p)]
    assert len([r for r in recs if r[0]["WARC-Type"] == "metadata"]) == 2
    with Archive(tmp_path) as archive:
        archive.reindex()
        assert archive.get_summary(archive.captures()[0].id)["changed"] is True


def test_a_change_summary_is_metadata_no_indexer_takes_for_the_page(tmp_path):
    with Archive(tmp_path) as archive:
        cap = archive.record(exchange())
        archive.save_summary(cap, {"changed": False, "note": "caf\u00e9"})
    recs = [split_record(raw) for p in tmp_path.glob("*.warc.gz") for _, _, raw in members(p)]
    (fields, block), = [r for r in recs if r[0]["WARC-Type"] == "metadata"]
    assert fields["WARC-Refers-To"] == cap.record_id and "WARC-Concurrent-To" not in fields
    assert fields["WARC-Target-URI"] == cap.url
    # application/warc-fields: cdxj-indexer and pywb's indexer skip it (WARC 1.1 Annex A.4)
    assert fields["Content-Type"] == "application/warc-fields"
    assert fields["Pagetrail-Kind"] == "change-summary"
    assert block == b'changeSummary: {"changed":false,"note":"caf\\u00e9"}\r\n'
    assert len((tmp_path / "index.cdxj").read_text().splitlines()) == 1


def test_a_resource_record_is_indexed_under_its_own_uri(tmp_path):
    uri = "urn:pagetrail:screenshot:http://example.test/page"
    with Archive(tmp_path) as archive:
        cap = archive.record(exchange())
        record_id = archive.write_resource(uri, b"PNG", "image/png", about=cap)
    recs = [split_record(raw) for p in tmp_path.glob("*.warc.gz") for _, _, raw in members(p)]
    (fields, block), = [r for r in recs if r[0]["WARC-Type"] == "resource"]
    assert fields["WARC-Record-ID"] == record_id and fields["Pagetrail-Page-Record"] == cap.record_id
    assert "WARC-Refers-To" not in fields  # not allowed on resource records (WARC 1.1, 5.11)
    assert fields["WARC-Target-URI"] == uri and block == b"PNG"
    lines = (tmp_path / "index.cdxj").read_text().splitlines()
    assert len(lines) == 2 and any(f'"url": "{uri}"' in line for line in lines)


def test_reindex_includes_a_live_writers_whole_records(tmp_path):
    with Archive(tmp_path) as live:
        live.record(exchange("http://example.test/live"))
        with Archive(tmp_path) as other:
            other.record(exchange("http://example.test/closed"))
        with Archive(tmp_path) as rebuilder:
            files, _ = rebuilder.reindex()
            assert files == 2
            assert {c.url for c in rebuilder.captures()} == {
                "http://example.test/live", "http://example.test/closed"}
        live.record(exchange("http://example.test/live", at=later(5)))
    with Archive(tmp_path) as archive:
        assert len(archive.captures("http://example.test/live")) == 2
    assert len((tmp_path / "index.cdxj").read_text().splitlines()) == 3


def test_corrupt_catalog_is_one_line_error(tmp_path):
    (tmp_path / "catalog.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArchiveError) as err:
        Archive(tmp_path).open()
    assert "catalog.sqlite3: cannot open the catalog" in str(err.value) and "\n" not in str(err.value)


def test_catalog_of_an_older_layout_is_rebuilt_keeping_summaries(tmp_path):
    import sqlite3

    with Archive(tmp_path) as archive:
        cap = archive.record(exchange())
    (tmp_path / "catalog.sqlite3").unlink()
    db = sqlite3.connect(tmp_path / "catalog.sqlite3")
    db.execute("CREATE TABLE captures (id INTEGER PRIMARY KEY, url TEXT, timestamp TEXT,"
               " record_id TEXT, warc_file TEXT, summary TEXT)")
    db.execute("INSERT INTO captures (url, timestamp, record_id, warc_file, summary)"
               " VALUES (?, ?, ?, ?, ?)", (cap.url, cap.timestamp, cap.record_id, cap.warc_file,
                                           '{"kept": true}'))
    db.commit()
    db.close()
    with Archive(tmp_path) as archive:
        (again,) = archive.captures()
        assert again.warc_file == cap.warc_file and again.offset == cap.offset
        assert archive.get_summary(again.id) == {"kept": True}


def test_warc_files_copied_into_a_new_folder_are_cataloged_on_open(tmp_path):
    import shutil

    source, copy = tmp_path / "source", tmp_path / "copy"
    with Archive(source) as archive:
        fill(archive)
    copy.mkdir()
    for path in source.glob("*.warc.gz"):
        shutil.copy(path, copy / path.name)
    with Archive(copy) as archive:
        assert len(archive.captures()) == 8
    assert rows(copy) == rows(source)
    assert (copy / "index.cdxj").read_text() == (source / "index.cdxj").read_text()


def test_archive_of_only_failures_is_not_rebuilt_on_every_open(tmp_path):
    with Archive(tmp_path) as archive:
        archive.record_failure(failed())
    assert (tmp_path / "index.cdxj").read_text() == ""
    with Archive(tmp_path) as archive:
        first = archive.captures()
    with Archive(tmp_path) as archive:
        assert archive.captures() == first  # same ids: no rebuild happened


def test_reindex_resolves_revisits_read_before_their_original(tmp_path, monkeypatch):
    from pagetrail.archive import cdxj

    with Archive(tmp_path, prefix="zzz") as archive:
        original = archive.record(exchange())
    with Archive(tmp_path, prefix="aaa") as archive:  # this file sorts first
        revisit = archive.record(exchange(at=later(60)))
        fill(archive)
    assert revisit.refers_to == original.id
    before_rows, before_index = rows(tmp_path), (tmp_path / "index.cdxj").read_text()
    monkeypatch.setattr(cdxj.Rebuilder, "RUN_LINES", 2)  # force sorted runs through temp files
    with Archive(tmp_path) as archive:
        archive.reindex()
    assert rows(tmp_path) == before_rows
    assert (tmp_path / "index.cdxj").read_text() == before_index
    assert not list(tmp_path.glob(".index-run.*"))


def test_lost_index_is_rebuilt_on_open_without_touching_the_catalog(tmp_path):
    with Archive(tmp_path) as archive:
        fill(archive)
        archive.set_summary(archive.captures()[0].id, {"kept": 1})
    before_rows, before_index = rows(tmp_path), (tmp_path / "index.cdxj").read_text()
    (tmp_path / "index.cdxj").unlink()
    with Archive(tmp_path) as archive:
        assert archive.get_summary(archive.captures()[0].id) == {"kept": 1}
    assert rows(tmp_path) == before_rows
    assert (tmp_path / "index.cdxj").read_text() == before_index


def test_an_index_built_for_a_missing_one_keeps_lines_another_writer_merged_meanwhile(tmp_path):
    """Two writers opening a folder without index.cdxj at once: each builds one from the files
    it sees, and the other may have closed and indexed a file since. Building merges into the
    index as it is then, so those lines stay (a replacement lost them: 66 of 120 were left)."""
    from pagetrail.archive.reindex import index_missing

    with Archive(tmp_path / "other") as other:
        other.record(exchange("http://example.test/elsewhere", at=later(20)))
    theirs = (tmp_path / "other" / "index.cdxj").read_text()
    with Archive(tmp_path / "mine") as archive:
        fill(archive)
    mine = tmp_path / "mine" / "index.cdxj"
    built = mine.read_text()
    mine.write_text(theirs)  # what the other writer merged after this one read the files
    index_missing(tmp_path / "mine")
    lines = mine.read_text().splitlines()
    assert lines == sorted(set(built.splitlines()) | set(theirs.splitlines()))
    assert len(lines) == len(built.splitlines()) + 1
