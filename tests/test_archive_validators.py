"""Round trip through the independent tools: warcio, cdxj-indexer, pywb replay and wacz validate."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import pytest

from pagetrail.archive import Archive
from tests.support.validators import pywb_replay, validators  # noqa: F401
from tests.support.warcs import (
    PAGE_HTML,
    chunked_exchange,
    exchange,
    failed,
    gzip_exchange,
    later,
)

# The whole module in one test process (--dist loadgroup): its archive and pywb, made once.
pytestmark = [pytest.mark.validators, pytest.mark.xdist_group("archive_validators")]

PAGE = "http://example.test/page?b=2&a=1"
GZ = "http://example.test/gz"


REDIRECT = "http://example.test/old"
TARGET = "http://example.test/new"
FAILING = "http://nowhere.test/"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    """Captures, identical-payload and 304 revisits, a failed fetch, change summaries and a
    redirect, over several files."""
    folder = tmp_path_factory.mktemp("archive")
    with Archive(folder, hostname="testhost", max_file_size=2500) as archive:
        archive.record(exchange(PAGE))
        archive.record(gzip_exchange(GZ))
        archive.record(chunked_exchange())
        archive.record(exchange(PAGE, at=later(60)))  # identical payload: revisit
        archive.record(exchange(GZ, status=304, body=b"", headers=[("ETag", '"v1"')], at=later(61)))
        archive.record(exchange(PAGE, body=PAGE_HTML.replace(b"Hello", b"Changed"), at=later(120)))
        archive.record(exchange(REDIRECT, status=301, body=b"", role="redirect", headers=[
            ("Location", TARGET), ("Content-Length", "0")], at=later(130)))
        archive.record(exchange(TARGET, at=later(131)))
        archive.record_failure(failed(FAILING, at=later(140)))
        archive.record(exchange(GZ, status=304, body=b"", headers=[("ETag", '"v1"')], at=later(150)))
        for capture in archive.captures():
            archive.save_summary(capture, {"changed": False, "summary": "no change"})
    return folder


@pytest.fixture(scope="module")
def pywb(validators, archive_dir, tmp_path_factory):  # noqa: F811
    """A pywb server replaying the archive's files from collection ``coll``; yields its base URL."""
    with pywb_replay(validators, archive_dir, tmp_path_factory.mktemp("pywb")) as base:
        yield base


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with _OPENER.open(url) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:  # a 3xx or 4xx answer, read as any other
        return exc.code, dict(exc.headers), exc.read()


def plain(headers: dict[str, str], body: bytes) -> bytes:
    return gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body


def test_every_capture_of_every_page_replays_as_the_page_it_was(pywb, archive_dir):
    with Archive(archive_dir) as archive:
        captures = [c for c in archive.captures() if c.kind != "failed"]
        expected = {}
        for capture in captures:
            holder = archive.get(capture.refers_to) if capture.kind == "revisit" else capture
            expected[capture.id] = (holder.status, archive.read_payload(capture)[1])
    assert {c.status for c in captures} >= {200, 301, 304}
    assert {c.kind for c in captures} == {"response", "revisit"}
    for capture in captures:
        status, headers, body = fetch(f"{pywb}/{capture.timestamp14}id_/{capture.url}")
        want_status, want_body = expected[capture.id]
        assert status == want_status, (capture.url, capture.timestamp, capture.kind)
        assert plain(headers, body) == want_body, (capture.url, capture.timestamp, capture.kind)
        if capture.status == 301:
            assert headers["Location"].endswith(TARGET)


def test_summaries_and_failures_are_no_captures_for_replay(pywb, archive_dir):
    with Archive(archive_dir) as archive:
        for url in (PAGE, GZ, REDIRECT, TARGET):
            count = len([c for c in archive.captures(url) if c.kind != "failed"])
            _, _, data = fetch(f"{pywb}/cdx?url={urllib.parse.quote(url, safe='')}&output=json")
            lines = [json.loads(line) for line in data.splitlines() if line.strip()]
            assert len(lines) == count, url
            assert all(line["mime"] != "application/warc-fields" for line in lines)
    status, _, _ = fetch(f"{pywb}/{later(140).strftime('%Y%m%d%H%M%S')}id_/{FAILING}")
    assert status == 404


def test_warcio_from_its_own_venv_checks_every_file(validators, archive_dir):  # noqa: F811
    files = sorted(archive_dir.glob("*.warc.gz"))
    assert len(files) > 1
    for path, checked in validators.warcio_check(files).items():
        assert "digest pass" in checked, path


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
