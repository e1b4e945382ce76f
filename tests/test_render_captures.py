"""Rendered captures in Debian's Chromium: what scripts insert is archived, segmented and diffed;
hostile pages are bounded. Real crawls (`pagetrail crawl` child processes) of local pages."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pagetrail.archive import Archive
from pagetrail.archive.rendered import find_rendering
from pagetrail.segment import segment
from tests.support.crawl_runs import ROOT, read_records, write_seeds
from tests.support.daemon import wait_for
from tests.support.render_site import AD_HOST, COMMENTS, render_crawl

pytestmark = pytest.mark.browser
HANG = 600  # seconds after which a child that should have exited counts as hung


@pytest.fixture(scope="module")
def site(render_pages):
    return render_pages


@pytest.fixture(scope="module")
def article(rendered_article):
    """One rendered crawl of /article/ with the default bounds, into a fresh archive: the tests
    that check what it captured share it (they only read it) rather than each rendering the
    same page again; its folder holds the run's seed file and archive (tests/conftest.py)."""
    return rendered_article


@pytest.fixture(scope="module")
def scripted(tmp_path_factory, site):
    """One rendered crawl of three pages whose scripts do what the tests below check (lazy
    comments, ad frames, an endless loop), in one browser: each page is rendered in a page of its
    own, and Chromium's start (~3 s CPU a crawl) is paid once, not three times. The ad host is
    mapped to the local site (Chromium's --host-resolver-rules), which the other two never ask
    for. Returns the folder holding the archive."""
    folder = tmp_path_factory.mktemp("scripted")
    rules = f"--host-resolver-rules=MAP {AD_HOST} 127.0.0.1:{site.port}"
    run = render_crawl(folder, site, "/lazy/", "/frames/", "/endless/",
                       settings={"PAGETRAIL_RENDER_CHROMIUM_ARGS": f"'{rules}'"})
    return folder, {r["url"]: r for r in run.summary["rendered"]}


def rendering_of(archive_dir: Path, url: str):
    with Archive.existing(archive_dir) as archive:
        page = [c for c in archive.captures(url=url) if c.kind in ("response", "revisit")][-1]
        found = find_rendering(archive, page)
        dom = archive.read_payload(found.dom)[1] if found.dom else None
        shot = archive.read_payload(found.screenshot)[1] if found.screenshot else None
        return page, found, dom, shot


# The tests sharing the `article` crawl run in one test process (pytest-xdist's loadgroup), so
# that it is made once.
@pytest.mark.xdist_group("render-article")
def test_script_inserted_promo_and_lazy_comments_are_in_the_rendered_dom(article, site):
    folder, run = article
    rendered = run.summary["rendered"][0]
    assert rendered["error"] is None and rendered["resources"] == 3
    page, found, dom, shot = rendering_of(folder / "archive", site.url("/article/"))
    assert found.dom.refers_to == page.id and found.screenshot.refers_to == page.id
    assert shot.startswith(b"\x89PNG\r\n\x1a\n")
    snap = segment(dom, page.url)
    ads = [a for a in snap.ads if "clickbank" in json.dumps(a.to_dict() if hasattr(a, "to_dict") else a.__dict__)]
    assert ads, "the script-inserted ClickBank promo is an ad"
    authors = {c.author for c in snap.comments}
    assert {c["author"] for c in COMMENTS} <= authors
    # The HTML Scrapy fetched has neither
    with Archive.existing(folder / "archive") as archive:
        static = segment(archive.read_payload(page)[1], page.url)
    assert not static.comments and not any("clickbank" in str(a.__dict__) for a in static.ads)


@pytest.mark.xdist_group("render-article")
def test_comments_that_load_when_scrolled_into_view_are_captured(scripted, site):
    folder, rendered = scripted
    assert rendered[site.url("/lazy/")]["error"] is None
    page, _, dom, shot = rendering_of(folder / "archive", site.url("/lazy/"))
    authors = {c.author for c in segment(dom, page.url).comments}
    assert {c["author"] for c in COMMENTS} <= authors
    assert shot


@pytest.mark.xdist_group("render-article")
def test_ad_frames_and_affiliate_widgets_a_script_inserts_are_ads(scripted, site):
    folder, rendered = scripted
    assert rendered[site.url("/frames/")]["error"] is None
    page, _, dom, _ = rendering_of(folder / "archive", site.url("/frames/"))
    kinds = {a.kind: a for a in segment(dom, page.url).ads}
    assert "doubleclick.net" in kinds["ad-frame"].reason
    assert "amazon.com" in kinds["affiliate-link"].links[0]
    with Archive.existing(folder / "archive") as archive:  # the ad itself is archived too
        frame = archive.captures(url=f"http://{AD_HOST}/pagead/ads?client=ca-pub-1234&slot=42")
        assert [c.kind for c in frame] == ["response"]
        assert b"Fertility clinic ad" in archive.read_payload(frame[0])[1]
        # an image behind a redirect: the hop and the image both archived
        assert [c.status for c in archive.captures(url=site.url("/moved.gif"))] == [302]
        assert [c.mime for c in archive.captures(url=site.url("/img/moved.gif"))] == ["image/gif"]


@pytest.mark.xdist_group("render-article")
def test_everything_the_browser_fetched_is_archived_with_its_request(article, site):
    folder, _ = article
    recs = read_records(folder / "archive")
    by_uri: dict[str, list] = {}
    for rec in recs:
        by_uri.setdefault(rec.warc.get("WARC-Target-URI", ""), []).append(rec)
    for path in ("/promo.js", "/style.css", "/api/comments"):
        kinds = sorted(r.type for r in by_uri[site.url(path)])
        assert kinds == ["request", "response"], (path, kinds)
        response = next(r for r in by_uri[site.url(path)] if r.type == "response")
        assert response.warc["Pagetrail-Role"] == "render"
        assert response.warc.get("WARC-IP-Address") == "127.0.0.1"
    comments = next(r for r in by_uri[site.url("/api/comments")] if r.type == "response")
    assert json.loads(comments.payload) == COMMENTS
    # the page itself was fetched once, by Scrapy: the browser was given that response
    assert len(site.hits_for("/article/")) >= 1
    page_records = [r for r in by_uri[site.url("/article/")] if r.type == "response"]
    assert len(page_records) == 1
    dom = by_uri["urn:dom:" + site.url("/article/")]
    assert [r.type for r in dom] == ["conversion"]
    assert dom[0].warc["WARC-Refers-To"] == page_records[0].warc["WARC-Record-ID"]
    shot = by_uri["urn:fullPage:" + site.url("/article/")]
    assert [r.type for r in shot] == ["resource"]
    assert shot[0].warc["Content-Type"] == "image/png"


@pytest.mark.xdist_group("render-article")
def test_a_second_crawl_dedups_subresources_and_reports_the_new_affiliate_id(
        tmp_path, rendered_article_again, site):
    # The first crawl is the shared one: a copy of its archive (the others' stays as it was),
    # crawled again (tests/conftest.py; test_render_replay.py reads the result too).
    again, run = rendered_article_again
    rendered = run.summary["rendered"][0]
    assert rendered["revisits"] == 3  # promo.js, style.css, comments: unchanged bytes
    # The fetched HTML is identical (a revisit), but the script put a new affiliate link in:
    # the change pipeline compares the rendered DOMs.
    assert run.result("article")["kind"] == "revisit"
    change = run.summary["changes"][0]
    assert "ads" in change and "no change" not in change, change
    # The HTML report shows both captures' screenshots side by side, inline, without script
    report = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "pagetrail", "diff", site.url("/article/"),
                           "--archive", str(again / "archive"), "--format", "html",
                           "-o", str(report)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    doc = lxml_html.fromstring(report.read_bytes())
    shots = doc.xpath('//div[@class="shots"]/figure/img/@src')
    assert len(shots) == 2 and all(s.startswith("data:image/png;base64,") for s in shots)
    captions = doc.xpath('//div[@class="shots"]/figure/figcaption/text()')
    assert captions[0].startswith("before:") and captions[1].startswith("after:")
    assert not doc.xpath("//script")


@pytest.mark.xdist_group("render-article")
def test_an_endless_script_is_stopped_and_the_page_captured_as_it_was(scripted, site):
    folder, rendered = scripted
    assert rendered[site.url("/endless/")]["error"] is None
    _, found, dom, shot = rendering_of(folder / "archive", site.url("/endless/"))
    state = lxml_html.fromstring(dom).get_element_by_id("state").text
    assert state == "looping"  # the script ran, and its loop was ended by the freeze
    assert shot


def test_a_page_that_never_settles_is_captured_with_a_note(tmp_path, site):
    run = render_crawl(tmp_path, site, "/restless/",
                       settings={"PAGETRAIL_RENDER_SETTLE_SECONDS": 2, "PAGETRAIL_RENDER_MAX_REQUESTS": 40})
    rendered = run.summary["rendered"][0]
    assert any("not idle" in n for n in rendered["notes"]), rendered
    _, found, dom, _ = rendering_of(tmp_path / "archive", site.url("/restless/"))
    assert b"tick 1<" in dom
    assert "not idle" in found.note


@pytest.fixture(scope="module")
def bounded(tmp_path_factory, site):
    """One rendered crawl for the two bound tests below, with both bounds set: at most 200
    subresources (the article asks for 3) and a DOM cut at 2,000 bytes (which the test of the
    subresource bound does not look at). One browser start instead of two."""
    folder = tmp_path_factory.mktemp("bounded")
    run = render_crawl(folder, site, "/many/", "/article/",
                       settings={"PAGETRAIL_RENDER_MAX_REQUESTS": 200,
                                 "PAGETRAIL_RENDER_MAX_DOM_BYTES": 2000})
    return folder, {r["url"]: r for r in run.summary["rendered"]}


@pytest.mark.xdist_group("render-bounds")
def test_a_page_requesting_1000_subresources_is_bounded(bounded, site):
    _, rendered = bounded
    rendered = rendered[site.url("/many/")]
    assert rendered["resources"] == 200
    assert any("800 requests blocked" in n for n in rendered["notes"]), rendered
    images = {h.path for h in site.hits if re.fullmatch(r"/img/\d+\.gif", h.path)}
    assert len(images) <= 200


@pytest.mark.xdist_group("render-bounds")
def test_oversized_dom_is_cut_at_the_bound(bounded, site):
    folder, rendered = bounded
    assert any("DOM of" in n for n in rendered[site.url("/article/")]["notes"])
    _, _, dom, _ = rendering_of(folder / "archive", site.url("/article/"))
    assert len(dom) <= 2000


def test_sigterm_while_rendering_ends_the_crawl_and_its_browser(tmp_path, site):
    seeds = write_seeds(tmp_path / "seeds.toml", [{"url": site.url("/restless/"), "name": "r",
                                                   "render": True}])
    # The browser's profile lands in this TMPDIR, so its processes carry it on their command line.
    # Short: under a long one (pytest's tmp_path with several workers) the profile goes to /tmp.
    tmpdir = Path(tempfile.mkdtemp(prefix="ptr-", dir="/tmp"))
    try:
        _sigterm_while_rendering(tmp_path, site, seeds, tmpdir)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _sigterm_while_rendering(tmp_path: Path, site, seeds: Path, tmpdir: Path) -> None:  # noqa: ANN001
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(tmpdir)}
    before = len([h for h in site.hits if h.path.startswith("/tick")])
    proc = subprocess.Popen([sys.executable, "-m", "pagetrail", "crawl", str(seeds), "--archive",
                             str(tmp_path / "archive"), "--set", "PAGETRAIL_RENDER_SETTLE_SECONDS=600",
                             "--set", "PAGETRAIL_RENDER_TOTAL_SECONDS=600"],
                            stderr=subprocess.PIPE, text=True, env=env)
    while len([h for h in site.hits if h.path.startswith("/tick")]) < before + 5:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.1)  # the browser is running the page's script
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:  # not a speed limit: a hung child must not hang the suite
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"the crawl did not exit on SIGTERM:\n{err}") from None
    assert proc.returncode == 130, err
    with Archive.existing(tmp_path / "archive") as archive:  # the fetched page is on record
        assert archive.captures(url=site.url("/restless/"), kind="response")
    # Chromium's helper processes end when they see their browser gone, a moment after it: wait
    # for that (an orphan never ends by itself, so it still fails here), not for a fixed time.
    wait_for(lambda: not _leftovers(tmpdir), timeout=60, what="no browser process outliving the crawl")


def _leftovers(tmpdir: Path) -> list[Path]:
    return [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline_has(p, tmpdir)]


def _cmdline_has(proc: Path, text: Path) -> bool:
    try:
        return str(text).encode() in (proc / "cmdline").read_bytes()
    except OSError:
        return False
