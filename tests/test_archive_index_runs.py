"""Index upkeep past MIN_SPLIT: closed files' lines go into sorted runs beside index.cdxj, merged
so that there are O(log n) of them; together they are what cdxj-indexer writes, and pywb reads
them as one collection."""

from __future__ import annotations

import math
import subprocess
import urllib.request

import pytest

from pagetrail.archive import Archive, cdxj
from tests.support.validators import free_port, validators, wait_for_port  # noqa: F401
from tests.support.warcs import exchange, later

FILES = 20


@pytest.fixture
def split_archive(tmp_path, monkeypatch):
    monkeypatch.setattr(cdxj, "MIN_SPLIT", 0)  # runs from the first close on
    for i in range(FILES):
        with Archive(tmp_path, hostname="h") as archive:  # one file per writer
            archive.record(exchange(f"http://example.test/p{i}", body=b"<p>page %d</p>" % i,
                                    at=later(i)))
    return tmp_path


def test_runs_stay_few_and_together_are_the_whole_index(split_archive):
    runs = cdxj.runs(split_archive)
    assert 1 < len(runs) <= math.log2(FILES) + 2
    lines = list(cdxj.iter_index(split_archive))
    assert len(lines) == FILES and lines == sorted(lines)
    # each run is sorted, and every run but the newest is at least as big as the next one
    sizes = [p.stat().st_size for p in runs]
    for path in runs:
        text = path.read_text().splitlines()
        assert text == sorted(text)
    assert all(a > b for a, b in zip(sizes, sizes[1:], strict=False))


def test_reindex_writes_one_index_with_the_same_lines(split_archive):
    before = list(cdxj.iter_index(split_archive))
    with Archive(split_archive) as archive:
        archive.reindex()
    assert cdxj.runs(split_archive) == [split_archive / "index.cdxj"]
    assert (split_archive / "index.cdxj").read_text().splitlines() == before


@pytest.mark.validators
def test_merged_runs_equal_cdxj_indexer_and_pywb_reads_them_as_one(validators, split_archive,  # noqa: F811
                                                                   tmp_path_factory):
    files = sorted(p.name for p in split_archive.glob("*.warc.gz"))
    theirs = validators.run("cdxj-indexer", "--sort", *files, cwd=split_archive).stdout.splitlines()
    merged = subprocess.run(["sort", "-m", *[p.name for p in cdxj.runs(split_archive)]],
                            cwd=split_archive, env={"LC_ALL": "C"}, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    assert merged == theirs == list(cdxj.iter_index(split_archive))
    home = tmp_path_factory.mktemp("pywb-runs")
    (home / "config.yaml").write_text(
        f"collections:\n  coll:\n    archive_paths: {split_archive}/\n"
        f"    index_paths: {split_archive}/\n")
    port = free_port()
    proc = subprocess.Popen([validators.tool("wayback"), "-b", "127.0.0.1", "-p", str(port)],
                            cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, proc)
        for i in (0, FILES // 2, FILES - 1):
            ts = later(i).strftime("%Y%m%d%H%M%S")
            url = f"http://127.0.0.1:{port}/coll/{ts}id_/http://example.test/p{i}"
            with urllib.request.urlopen(url) as resp:
                assert resp.read() == b"<p>page %d</p>" % i
    finally:
        proc.terminate()
        proc.wait()
