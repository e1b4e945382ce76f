"""The captures, reindex and export commands, run through the real CLI entry point."""

from __future__ import annotations

import json
import zipfile

import pytest

from pagetrail.archive import Archive
from pagetrail.cli import main
from tests.support.warcs import exchange, failed, later

URL = "http://example.test/page?b=2&a=1"


@pytest.fixture
def folder(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        archive.record(exchange(URL))
        archive.record(exchange(URL, at=later(60)))
        archive.record_failure(failed(URL, at=later(90)))
    return tmp_path / "archive"


def test_captures_table_and_json(folder, capsys):
    assert main(["captures", URL, "--archive", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["TIMESTAMP", "STATUS", "KIND", "DIGEST", "FILE:OFFSET"]
    assert out[1].split()[:3] == ["20261124191316250", "200", "response"]
    assert out[2].split()[2] == "revisit" and ".warc.gz:" in out[2]
    assert "failed" in out[3] and "DNS lookup failed" in out[3]
    assert main(["captures", URL, "--archive", str(folder), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in rows] == ["response", "revisit", "failed"]
    assert rows[1]["refers_to"] == rows[0]["id"]


def test_reindex_reports_progress_and_summary(folder, capsys):
    assert main(["reindex", "--archive", str(folder)]) == 0
    captured = capsys.readouterr()
    assert ".warc.gz: 6 records" in captured.err
    assert "reindexed 1 WARC files: 6 records, 3 captures" in captured.out


def test_export_writes_wacz(folder, tmp_path, capsys):
    out = tmp_path / "page.wacz"
    assert main(["export", URL, "--wacz", str(out), "--archive", str(folder)]) == 0
    with zipfile.ZipFile(out) as zf:
        assert "pages/pages.jsonl" in zf.namelist()
    assert main(["export", "--all", "--wacz", str(tmp_path / "all.wacz"),
                 "--archive", str(folder)]) == 0


@pytest.mark.parametrize("argv, message", [
    (["captures", URL, "--archive", "{missing}"], "no such archive folder"),
    (["export", "--wacz", "x.wacz", "--archive", "{folder}"], "give one or more URLs or --all"),
    (["export", URL, "--all", "--wacz", "x.wacz", "--archive", "{folder}"], "not both"),
    (["export", "http://other.test/", "--wacz", "x.wacz", "--archive", "{folder}"],
     "http://other.test/: no capture"),
    (["export", "--all", "--wacz", "x.zip", "--archive", "{folder}"], "must end in .wacz"),
    (["reindex", "--archive", "{missing}"], "no such archive folder"),
])
def test_bad_input_is_one_line_exit_2(folder, tmp_path, capsys, argv, message):
    argv = [a.format(folder=folder, missing=tmp_path / "missing") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("pagetrail: error: ") and message in err and err.count("\n") == 1
