"""Round trip through the independent tools: warcio, cdxj-indexer, pywb replay and wacz validate."""

from __future__ import annotations

import gzip
import subprocess
import urllib.request
import zipfile

import pytest

from pagetrail.archive import Archive
from tests.support.validators import free_port, validators, wait_for_port  # noqa: F401
from tests.support.warcs import PAGE_HTML, chunked_exchange, exchange, gzip_exchange, later

pytestmark = pytest.mark.validators

PAGE = "http://example.test/page?b=2&a=1"
GZ = "http://example.test/gz"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("archive")
    with Archive(folder, hostname="testhost", max_file_size=2500) as archive:
        archive.record(exchange(PAGE))
        archive.record(gzip_exchange(GZ))
        archive.record(chunked_exchange())
        archive.record(exchange(PAGE, at=later(60)))  # identical payload: revisit
        archive.record(exchange(GZ, status=304, body=b"", headers=[("ETag", '"v1"')], at=later(61)))
        archive.record(exchange(PAGE, body=PAGE_HTML.replace(b"Hello", b"Changed"), at=later(120)))
    return folder


@pytest.fixture(scope="module")
def pywb(validators, archive_dir, tmp_path_factory):  # noqa: F811
    """A pywb server replaying the archive's files from collection ``coll``; yields its base URL."""
    home = tmp_path_factory.mktemp("pywb")
    validators.run("wb-manager", "init", "coll", cwd=home)
    validators.run("wb-manager", "add", "coll", *sorted(archive_dir.glob("*.warc.gz")), cwd=home)
    port = free_port()
    proc = subprocess.Popen([validators.tool("wayback"), "-b", "127.0.0.1", "-p", str(port)],
                            cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/coll"
    finally:
        proc.terminate()
        proc.wait()


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url) as resp:
        return resp.status, dict(resp.headers), resp.read()


def test_warcio_from_its_own_venv_checks_every_file(validators, archive_dir):  # noqa: F811
    files = sorted(archive_dir.glob("*.warc.gz"))
    assert len(files) > 1
    for path in files:
        done = validators.run("warcio", "check", "-v", path)
        assert "digest pass" in done.stdout


def test_cdxj_indexer_agrees_with_our_index(validators, archive_dir):  # noqa: F811
    files = sorted(p.name for p in archive_dir.glob("*.warc.gz"))
    done = validators.run("cdxj-indexer", "--sort", *files, cwd=archive_dir)
    theirs = done.stdout.splitlines()
    ours = (archive_dir / "index.cdxj").read_text().splitlines()
    assert theirs == ours


def test_pywb_replays_the_original_body(pywb, archive_dir):
    with Archive(archive_dir) as archive:
        first = archive.captures(PAGE)[0]
        gz = archive.captures(GZ)[0]
    status, _, body = fetch(f"{pywb}/{first.timestamp14}id_/{PAGE}")
    assert status == 200 and body == PAGE_HTML
    status, headers, body = fetch(f"{pywb}/{gz.timestamp14}id_/{GZ}")
    assert status == 200
    assert (gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body) == PAGE_HTML


def test_pywb_resolves_a_revisit_to_the_original_body(pywb, archive_dir):
    with Archive(archive_dir) as archive:
        revisit = archive.captures(PAGE, kind="revisit")[0]
        assert revisit.warc_file != archive.get(revisit.refers_to).warc_file  # across files, too
    status, _, body = fetch(f"{pywb}/{revisit.timestamp14}id_/{PAGE}")
    assert status == 200 and body == PAGE_HTML
    _, _, newest = fetch(f"{pywb}/{later(120).strftime('%Y%m%d%H%M%S')}id_/{PAGE}")
    assert b"Changed archive" in newest
    _, _, timemap = fetch(f"{pywb}/timemap/link/{PAGE}")
    assert timemap.count(b'rel="memento"') + timemap.count(b'rel="first memento"') \
        + timemap.count(b'rel="last memento"') >= 3


def test_wacz_validate_accepts_exports(validators, archive_dir, tmp_path):  # noqa: F811
    with Archive(archive_dir) as archive:
        everything = archive.export_wacz(tmp_path / "all.wacz")
        some = archive.export_wacz(tmp_path / "some.wacz", [PAGE])
    for path in (everything, some):
        done = validators.run("wacz", "validate", "-f", path)
        assert "Validation succeeded" in done.stdout
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            assert "pages/pages.jsonl" in names and "indexes/index.cdx" in names
            for info in zf.infolist():
                if info.filename.startswith("archive/"):
                    assert info.compress_type == zipfile.ZIP_STORED
            pages = zf.read("pages/pages.jsonl").decode().splitlines()
    assert pages[0] == '{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}'
    assert len(pages) == 4 and '"title": "Example page"' in pages[1]
    # The subset's own WARC passes warcio too and holds the original the revisit needs.
    with zipfile.ZipFile(some) as zf:
        (warc,) = [n for n in zf.namelist() if n.startswith("archive/")]
        (tmp_path / "some.warc.gz").write_bytes(zf.read(warc))
    done = validators.run("warcio", "check", "-v", tmp_path / "some.warc.gz")
    types = [line.rsplit(" ", 1)[1] for line in done.stdout.splitlines() if "WARC-Record-ID" in line]
    assert types == ["warcinfo", "response", "request", "revisit", "request", "response", "request"]
