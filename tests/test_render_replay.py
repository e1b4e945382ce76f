"""Rendered captures through the independent tools: warcio checks every record, pywb replays the
page with the subresources the browser fetched, and never takes the DOM or screenshot for the page."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from pagetrail.archive import Archive
from tests.support.render_site import COMMENTS, PROMO_JS
from tests.support.validators import pywb_replay, validators  # noqa: F401

# The whole module in one test process (--dist loadgroup) with test_render_captures.py's tests of
# the same rendered crawls (session fixtures, tests/conftest.py): made once, and pywb once.
pytestmark = [pytest.mark.browser, pytest.mark.validators, pytest.mark.xdist_group("render-article")]


@pytest.fixture(scope="module")
def rendered_archive(rendered_article_again, render_pages):
    """An archive of two rendered crawls of /article/, the second adding revisits of the page and
    its subresources: the one test_render_captures.py makes (tests/conftest.py), read here."""
    folder, _ = rendered_article_again
    site = render_pages
    return folder / "archive", site.url("/article/"), site.url("/promo.js"), site.url("/api/comments")


@pytest.fixture(scope="module")
def pywb(validators, rendered_archive, tmp_path_factory):  # noqa: F811
    with pywb_replay(validators, rendered_archive[0], tmp_path_factory.mktemp("pywb")) as base:
        yield base


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url) as resp:
        return resp.status, resp.read()


def test_warcio_checks_every_rendered_record(validators, rendered_archive):  # noqa: F811
    files = sorted(rendered_archive[0].glob("*.warc.gz"))
    assert files
    for path, checked in validators.warcio_check(files).items():
        assert "digest pass" in checked, path
    listing = validators.run("warcio", "index", "-f", "warc-type,warc-target-uri", *files).stdout
    assert '"warc-type": "conversion"' in listing and "urn:fullPage:" in listing


def test_cdxj_indexer_agrees_with_our_index(validators, rendered_archive):  # noqa: F811
    archive_dir = rendered_archive[0]
    files = sorted(p.name for p in archive_dir.glob("*.warc.gz"))
    theirs = validators.run("cdxj-indexer", "--sort", *files, cwd=archive_dir).stdout.splitlines()
    ours = (archive_dir / "index.cdxj").read_text().splitlines()
    assert theirs == ours
    assert any(line.startswith("urn:fullpage:") for line in ours)  # the screenshot, under its URN


def test_pywb_replays_the_page_with_its_subresources(pywb, rendered_archive):
    archive_dir, page_url, promo_url, comments_url = rendered_archive
    with Archive(archive_dir) as archive:
        pages = [c for c in archive.captures(url=page_url) if c.kind in ("response", "revisit")]
        promo = archive.captures(url=promo_url)
        comments = archive.captures(url=comments_url)
    for capture in pages:  # the original and its revisit both replay the fetched HTML
        status, body = fetch(f"{pywb}/{capture.timestamp14}id_/{page_url}")
        assert status == 200 and b'<div id="promo-slot"></div>' in body
    assert [c.kind for c in promo] == ["response", "revisit"]
    for capture in promo:
        status, body = fetch(f"{pywb}/{capture.timestamp14}id_/{promo_url}")
        assert status == 200 and body == PROMO_JS.encode()
    status, body = fetch(f"{pywb}/{comments[-1].timestamp14}id_/{comments_url}")
    assert json.loads(body) == COMMENTS
    # The replayed page, rewritten by pywb, loads the script from the archive
    status, body = fetch(f"{pywb}/{pages[0].timestamp14}mp_/{page_url}")
    assert status == 200 and b"promo.js" in body
    status, body = fetch(f"{pywb}/{pages[0].timestamp14}js_/{promo_url}")
    assert status == 200 and b"pregmiracle" in body


def test_the_rendering_is_never_replayed_as_the_page(pywb, rendered_archive):
    archive_dir, page_url, *_ = rendered_archive
    with Archive(archive_dir) as archive:
        dom = archive.captures(url="urn:dom:" + page_url)
        shot = archive.captures(url="urn:fullPage:" + page_url)[-1]
        dom_bodies = {archive.read_payload(c)[1] for c in dom}
    _, timemap = fetch(f"{pywb}/timemap/link/{page_url}")
    mementos = re.findall(rb'<[^>]*/(\d{14})mp_/[^>]*>; rel="[a-z ]*memento"', timemap)
    assert mementos
    for ts in mementos:
        _, body = fetch(f"{pywb}/{ts.decode()}id_/{page_url}")
        assert body not in dom_bodies
    status, png = fetch(f"{pywb}/{shot.timestamp14}id_/urn:fullPage:{page_url}")
    assert status == 200 and png.startswith(b"\x89PNG")
