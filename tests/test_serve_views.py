"""The web app's screens and exports through Flask's test client, over an archive recorded and
summarised by the change pipeline: what each screen shows, filters and pagination, comparisons of
any two captures, feeds and downloads, the security headers, the token, and that no request
changes the archive."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

from pagetrail.serve import ServeConfig, Store, create_app
from pagetrail.serve.security import CSP
from tests.support.serve_pages import MARK, RLO, build_archive

HEPARIN = "http://127.0.0.1:8000/2011/05/heparin/"
HOSTILE = "http://127.0.0.1:8000/hostile/"
REPLAY = "http://127.0.0.1:9/pagetrail"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve") / "archive"
    captures = build_archive(root)
    return root, captures


@pytest.fixture(scope="module")
def client(archive):
    store = Store.open(archive[0])
    app = create_app(ServeConfig(store, REPLAY))
    yield app.test_client()
    store.close()


def page(client, path: str, status: int = 200):  # noqa: ANN201
    resp = client.get(path)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.headers["Content-Security-Policy"] == CSP
    return lxml.html.fromstring(resp.get_data(as_text=True))


def text(el) -> str:  # noqa: ANN001
    return " ".join(el.text_content().split())


def test_page_list_shows_each_page_with_its_last_change_per_channel(client):
    tree = page(client, "/")
    rows = tree.xpath("//table[@class='pages']/tbody/tr")
    assert len(rows) == 2
    by_name = {text(r.xpath("td")[0]).split()[0]: r for r in rows}
    heparin = by_name["heparin"]
    cells = [text(td) for td in heparin.xpath("td")]
    assert "7 captures" in cells[1]
    assert "1 edited, 1 added" in cells[2]  # article
    assert "1 edited" in cells[3]  # ads
    assert "1 edited, 1 removed (6 → 5)" in cells[4]  # comments
    assert "ok" in cells[5].lower()
    # Newest change first: the hostile page changed last.
    assert text(rows[0].xpath("td")[0]).startswith("hostile")


def test_page_list_filters_and_sorts(client):
    def names(query: str) -> list[str]:
        tree = page(client, "/?" + query)
        return [text(r.xpath("td")[0]).split()[0] for r in tree.xpath("//table[@class='pages']/tbody/tr")]

    assert names("q=heparin") == ["heparin"]
    assert names("q=nothing-like-this") == []
    assert names("channel=ads") == ["hostile", "heparin"]
    # The heparin page's last article change is at 08:00; the hostile page's at 13:00.
    assert names("channel=article&since=2026-11-20T07:30Z&until=2026-11-20T08:30Z") == ["heparin"]
    assert names("since=2026-11-21") == []
    assert names("sort=url") == ["heparin", "hostile"]
    assert names("state=problem") == []
    assert names("state=ok") == ["hostile", "heparin"]
    tree = page(client, "/?since=not-a-date")
    assert "Time range ignored" in text(tree)


def test_page_list_paginates(client, monkeypatch):
    import pagetrail.serve.app as app_module

    monkeypatch.setattr(app_module, "PER_PAGE", 1)
    first = page(client, "/")
    assert "page 1 of 2" in text(first)
    nxt = first.xpath("//a[@rel='next']/@href")[0]
    second = page(client, nxt)
    assert text(second.xpath("//table[@class='pages']/tbody/tr/td")[0]).startswith("heparin")
    assert second.xpath("//a[@rel='prev']")


def test_timeline_lists_every_capture_and_shows_fetch_problems_as_such(client, archive):
    tree = page(client, f"/page?url={quote(HEPARIN)}")
    rows = tree.xpath("//table[@class='timeline']/tbody/tr")
    assert len(rows) == 7
    summaries = [text(r.xpath("td")[4]) for r in rows]  # newest first
    assert "identical payload" in summaries[0]
    assert "fetch problem" in summaries[1] and "DNS lookup failed" in summaries[1]
    assert "not a content change" in summaries[1]
    assert rows[1].get("class") == "t-problem"
    assert summaries[-1] == "first capture"
    evidence = text(rows[-1].xpath("td")[5])
    first = archive[1]["heparin"][0]
    assert f"{first.warc_file}:{first.offset}" in evidence
    replay = rows[-1].xpath(".//a[@class='replay']/@href")
    assert replay == [f"{REPLAY}/{first.timestamp[:14]}/{HEPARIN}"]
    assert not rows[1].xpath(".//a[@class='replay']")  # a failed fetch has nothing to replay
    # The form compares any two captures: radio buttons a and b, newest two preselected.
    # By default: the newest capture (B) against the newest good capture before it (A).
    caps = archive[1]["heparin"]
    assert tree.xpath("//input[@name='b' and @checked]/@value") == [str(caps[6].id)]
    assert tree.xpath("//input[@name='a' and @checked]/@value") == [str(caps[4].id)]
    assert page(client, "/page?url=http://nowhere.example/", 404) is not None


def test_compare_shows_channels_side_by_side_with_evidence(client, archive):
    caps = archive[1]["heparin"]
    tree = page(client, f"/compare?a={caps[1].id}&b={caps[3].id}")  # two steps apart: computed
    body = text(tree)
    assert "compared now" in body
    for title in ("Article", "Ads and promotions", "Comments"):
        assert tree.xpath(f"//section[contains(@class,'channel')]/h2[starts-with(normalize-space(), '{title}')]")
    assert tree.xpath("//section[@id='article']//tr[@class='edited']//ins")  # word-level edits
    for cap in (caps[1], caps[3]):
        assert cap.record_id in body and cap.digest in body and cap.warc_file in body
        assert str(cap.offset) in body
    # Comments with author, date and reply-to; ad links as text with what changed.
    comments = tree.xpath("//ol[@class='thread']/li")
    assert comments and all(li.xpath(".//b[@class='author']") for li in comments)
    ads = page(client, f"/compare?b={caps[3].id}")
    assert "stored summary" in text(ads)
    links = ads.xpath("//section[@id='ads']//ul[@class='links']/li")
    assert {li.get("class") for li in links} >= {"link-removed", "link-added"}
    assert not ads.xpath("//section[@id='ads']//ul[@class='links']//a")
    # The order of the two captures does not matter; captures of two pages cannot be compared.
    swapped = page(client, f"/compare?a={caps[3].id}&b={caps[1].id}")
    assert text(swapped.xpath("//h1")[0]) == text(tree.xpath("//h1")[0])
    other = archive[1]["hostile"][0]
    page(client, f"/compare?a={caps[1].id}&b={other.id}", 400)
    page(client, "/compare?b=99999", 404)


def test_compare_of_a_fetch_problem_says_so(client, archive):
    failed = archive[1]["heparin"][5]
    tree = page(client, f"/compare?b={failed.id}")
    assert "Fetch problem: DNS lookup failed" in text(tree)
    assert not tree.xpath("//section[contains(@class,'channel')]")


def test_hostile_archived_text_is_escaped_everywhere(client, archive):
    hostile = archive[1]["hostile"]
    for path in ("/", f"/page?url={quote(HOSTILE)}", f"/compare?b={hostile[1].id}",
                 f"/compare?a={hostile[0].id}&b={hostile[1].id}"):
        resp = client.get(path)
        html = resp.get_data(as_text=True)
        tree = lxml.html.fromstring(html)
        assert not tree.xpath("//script | //img | //svg | //iframe | //object | //embed")
        assert not [a for el in tree.iter() if isinstance(el.tag, str) for a in el.attrib
                    if a.lower().startswith("on")]
        hrefs = tree.xpath("//@href | //@src | //@action")
        assert all(h.startswith(("/", REPLAY + "/")) for h in hrefs), hrefs
        assert RLO not in html
    compare = client.get(f"/compare?b={hostile[1].id}").get_data(as_text=True)
    assert "&lt;script&gt;" in compare and "[U+202E]" in compare
    ads = lxml.html.fromstring(compare).xpath("//section[@id='ads']//ul[@class='links']/li")
    assert ads and all(not li.xpath(".//a") for li in ads)  # ad links as text, never followed
    assert MARK.replace("'", "&#39;") in compare  # the hostile text is there, escaped


def test_exports(client, archive):
    atom = client.get(f"/feed.atom?url={quote(HEPARIN)}")
    assert atom.mimetype == "application/atom+xml"
    entries = re.findall(r"<entry>", atom.get_data(as_text=True))
    assert len(entries) == 4  # three changes and the fetch problem
    filtered = client.get("/feed.atom?channel=comments").get_data(as_text=True)
    assert filtered.count("<entry>") == 3 and "hostile" in filtered
    report = client.get(f"/report.json?url={quote(HEPARIN)}")
    data = json.loads(report.get_data())
    assert data["kind"] == "history" and len(data["captures"]) == 7
    caps = archive[1]["heparin"]
    diff = json.loads(client.get(f"/compare.json?a={caps[0].id}&b={caps[3].id}").get_data())
    assert diff["to"]["record_id"] == caps[3].record_id and diff["changed"]
    wacz = client.get(f"/export.wacz?url={quote(HEPARIN)}")
    assert wacz.status_code == 200 and wacz.mimetype == "application/wacz+zip"
    names = zipfile.ZipFile(io.BytesIO(wacz.get_data())).namelist()
    assert "datapackage.json" in names and any(n.startswith("archive/") for n in names)
    wacz.close()
    assert client.get("/export.wacz?url=http://nowhere.example/").status_code == 404


def test_every_response_is_read_only_and_carries_the_csp(client, archive):
    root = archive[0]

    def state() -> dict[str, str]:
        return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
                if p.is_file() and not p.name.endswith(("-wal", "-shm"))}

    before = state()
    caps = archive[1]["heparin"]
    for path in ("/", "/static/style.css", "/nowhere", f"/compare?a={caps[0].id}&b={caps[4].id}",
                 f"/thread?id={caps[2].id}",
                 f"/export.wacz?url={quote(HEPARIN)}", f"/feed.atom?url={quote(HEPARIN)}"):
        resp = client.get(path)
        assert resp.headers["Content-Security-Policy"] == CSP, path
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        resp.close()
    for method in ("post", "put", "delete", "patch"):
        resp = getattr(client, method)("/", data={"x": "1"})
        assert resp.status_code == 405
        assert resp.headers["Content-Security-Policy"] == CSP
    assert state() == before


def test_a_token_guards_the_app_when_asked(archive):
    store = Store.open(archive[0])
    try:
        client = create_app(ServeConfig(store, None, token="s3cret")).test_client()
        assert client.get("/").status_code == 401
        assert client.get("/?token=wrong").status_code == 401
        resp = client.get("/?token=s3cret&q=heparin")
        assert resp.status_code == 303 and resp.headers["Location"] == "/?q=heparin"
        cookie = resp.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert client.get("/?q=heparin").status_code == 200  # the cookie now
        fresh = create_app(ServeConfig(store, None, token="s3cret")).test_client()
        assert fresh.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    finally:
        store.close()


def test_opening_an_older_catalog_adds_the_page_list_indexes(tmp_path):
    import sqlite3

    from pagetrail.archive.pages import INDEX_NAMES

    root = tmp_path / "archive"
    build_archive(root)
    db = sqlite3.connect(root / "catalog.sqlite3")
    for name in INDEX_NAMES:
        db.execute(f"DROP INDEX {name}")
    db.commit()
    db.close()
    Store.open(root).close()
    db = sqlite3.connect(root / "catalog.sqlite3")
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
    assert set(INDEX_NAMES) <= names
    assert Path(root / "catalog.sqlite3").exists()


def test_the_page_list_follows_new_captures(tmp_path):
    from datetime import timedelta

    from pagetrail.archive import Archive
    from pagetrail.changes import process_captures
    from pagetrail.example import render
    from tests.support.serve_pages import T0, exchange

    root = tmp_path / "archive"
    build_archive(root)
    store = Store.open(root)
    try:
        client = create_app(ServeConfig(store, None)).test_client()
        assert len(page(client, "/").xpath("//table[@class='pages']/tbody/tr")) == 2
        late = "http://127.0.0.1:8000/late/"
        with Archive(root) as archive:  # another writer, as a crawl would be
            c = archive.record(exchange(late, render(1), T0 + timedelta(days=1), "late"))
            process_captures(archive, [], [c])
        rows = page(client, "/").xpath("//table[@class='pages']/tbody/tr")
        assert len(rows) == 3 and any(late in text(r) for r in rows)
    finally:
        store.close()


def test_retried_attempts_and_screenshots_are_shown_with_their_capture(tmp_path):
    from datetime import timedelta

    from pagetrail.archive import Archive
    from pagetrail.archive.rendered import write_rendering
    from pagetrail.changes import process_captures
    from pagetrail.example import render
    from tests.support.serve_pages import T0, exchange
    from tests.support.servers import PNG

    root = tmp_path / "archive"
    url = "http://127.0.0.1:8000/retried/"
    with Archive(root) as archive:
        first = archive.record(exchange(url, render(1), T0, "retried"))
        failed = exchange(url, b"<h1>oops</h1>", T0 + timedelta(hours=1), "retried", status=500)
        retry = exchange(url, render(2), T0 + timedelta(hours=1, seconds=5), "retried")
        retry.attempt = 2
        tried = [archive.record(failed), archive.record(retry)]
        write_rendering(archive, tried[1], T0 + timedelta(hours=1, seconds=9), render(2), PNG)
        process_captures(archive, [], [first, *tried])
    store = Store.open(root)
    try:
        client = create_app(ServeConfig(store, None)).test_client()
        rows = page(client, f"/page?url={quote(url)}").xpath("//table[@class='timeline']/tbody/tr")
        assert [r.get("class") for r in rows] == ["t-changed", "t-retry", "t-same"]
        assert "retried: HTTP 500" in text(rows[1])
        compare = page(client, f"/compare?b={tried[1].id}")
        (src,) = compare.xpath("//section[contains(@class,'shots')]//img/@src")
        shot = client.get(src)
        assert shot.status_code == 200 and shot.mimetype == "image/png"
        assert shot.get_data() == PNG and shot.headers["Content-Security-Policy"] == CSP
        assert client.get(f"/screenshot/{first.id}.png").status_code == 404  # not a screenshot
    finally:
        store.close()


def test_the_whole_comment_thread_of_a_capture(client, archive):
    caps = archive[1]["heparin"]
    compare = page(client, f"/compare?b={caps[1].id}")
    (link,) = compare.xpath("//section[@id='comments']//a[contains(@href, '/thread')]/@href")
    tree = page(client, link)
    comments = tree.xpath("//ol[contains(@class,'thread')]/li")
    assert len(comments) == 6  # the thread as captured, 3 of them new in this capture
    assert len([li for li in comments if "added" in li.get("class")]) == 3
    assert all(li.xpath(".//b[@class='author']") for li in comments)
    assert any("reply to" in text(li) for li in comments)
    assert [a for a in tree.xpath("//@href") if not a.startswith("/")] == []
    hostile = archive[1]["hostile"][1]
    hostile_tree = page(client, f"/thread?id={hostile.id}")
    assert not hostile_tree.xpath("//script | //img | //svg")
    page(client, f"/thread?id={caps[5].id}", 404)  # a failed fetch has no page


def test_without_a_token_only_loopback_host_names_are_served(client):
    for host in ("localhost:8080", "127.0.0.1:8080", "[::1]:8080", "127.0.0.1"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example:8080", "evil.example", "192.168.1.10:8080"):
        resp = client.get("/", headers={"Host": host})
        assert resp.status_code == 421, host
        assert resp.headers["Content-Security-Policy"] == CSP


def test_a_failing_view_is_a_plain_500_with_the_csp(archive, monkeypatch):
    import pagetrail.serve.compare as cmp

    def broken(self, before, after):  # noqa: ANN001, ANN202
        raise RuntimeError("<script>boom</script>")

    monkeypatch.setattr(cmp.Comparer, "compare", broken)
    store = Store.open(archive[0])
    try:
        client = create_app(ServeConfig(store, None)).test_client()
        resp = client.get(f"/compare?b={archive[1]['heparin'][1].id}")
        assert resp.status_code == 500
        assert resp.headers["Content-Security-Policy"] == CSP
        assert "the archive is unchanged" in resp.get_data(as_text=True)
        assert "boom" not in resp.get_data(as_text=True)
    finally:
        store.close()


def test_quick_links_keep_the_filter_and_set_a_recent_range(client):
    tree = page(client, "/?tag=health&channel=ads")
    links = tree.xpath("//p[@class='quick']/a/@href")
    assert any("since=7d" in h and "tag=health" in h and "channel=ads" in h for h in links)
    assert any("state=problem" in h for h in links)
    for href in links:
        page(client, href)


def test_timeline_paginates(client, monkeypatch):
    import pagetrail.serve.app as app_module

    monkeypatch.setattr(app_module, "TIMELINE_PER_PAGE", 3)
    first = page(client, f"/page?url={quote(HEPARIN)}")
    assert len(first.xpath("//table[@class='timeline']/tbody/tr")) == 3
    assert "page 1 of 3" in text(first)
    last = page(client, first.xpath("//a[@rel='next']/@href")[0].replace("p=2", "p=3"))
    rows = last.xpath("//table[@class='timeline']/tbody/tr")
    assert len(rows) == 1 and "first capture" in text(rows[0])


def test_stepping_through_a_pages_captures(client, archive):
    caps = archive[1]["heparin"]
    tree = page(client, f"/compare?b={caps[2].id}")
    assert tree.xpath("//a[@rel='prev']/@href") == [f"/compare?b={caps[1].id}"]
    assert tree.xpath("//a[@rel='next']/@href") == [f"/compare?b={caps[3].id}"]
    assert not page(client, f"/compare?b={caps[0].id}").xpath("//a[@rel='prev']")
    assert not page(client, f"/compare?a={caps[0].id}&b={caps[2].id}").xpath("//a[@rel='next']")


def test_seed_names_tags_and_seeds_not_captured_yet(archive, tmp_path):
    from pagetrail.seeds import load_seeds
    from tests.support.crawl_runs import write_seeds

    seeds = load_seeds([str(write_seeds(tmp_path / "seeds.toml", [
        {"url": HEPARIN, "name": "heparin-article", "tags": ["health"]},
        {"url": "http://127.0.0.1:8000/never/", "name": "never-fetched"},
    ]))])
    store = Store.open(archive[0], seeds)
    try:
        client = create_app(ServeConfig(store, None)).test_client()
        tree = page(client, "/")
        assert "heparin-article" in text(tree) and "health" in tree.xpath("//a[@class='tag']/text()")
        assert "never-fetched" in text(tree.xpath("//ul[@class='waiting']")[0])
        rows = page(client, "/?tag=health").xpath("//table[@class='pages']/tbody/tr")
        assert len(rows) == 1 and "heparin-article" in text(rows[0])
    finally:
        store.close()
