"""The example site answers like a real server and walks its timeline as asked."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request

import pytest

from pagetrail.example import VERSIONS, ExampleSite, render
from pagetrail.example import server as server_module


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture
def site():
    with ExampleSite(mode="sequence") as s:
        yield s


def test_sequence_mode_serves_each_version_in_turn_then_stays_on_the_last(site):
    seen = []
    for _ in range(len(VERSIONS) + 2):
        status, headers, body = fetch(site.page_url)
        assert status == 200
        n = int(headers["X-Pagetrail-Version"])
        assert body == render(n)
        seen.append(n)
    last = len(VERSIONS) - 1
    assert seen == list(range(len(VERSIONS))) + [last, last]
    assert site.served == seen


def test_wrap_starts_over():
    with ExampleSite(mode="sequence", wrap=True, start_version=len(VERSIONS) - 1) as s:
        assert [int(fetch(s.page_url)[1]["X-Pagetrail-Version"]) for _ in range(2)] == [len(VERSIONS) - 1, 0]


def test_explicit_version_by_api_query_and_control_url(site):
    site.set_version(3)
    assert site.version == 3
    assert fetch(site.page_url)[2] == render(3)
    # ?version=N serves N and does not advance
    assert fetch(site.page_url + "?version=1")[2] == render(1)
    assert site.version == 4
    status, _, body = fetch(site.base_url + "/__pagetrail__/version?set=2")
    assert status == 200 and json.loads(body)["version"] == 2
    assert fetch(site.page_url)[2] == render(2)
    assert fetch(site.base_url + "/__pagetrail__/version?set=99")[0] == 400
    with pytest.raises(ValueError):
        site.set_version(len(VERSIONS))


def test_fixed_mode_stays_put():
    with ExampleSite(mode="fixed") as s:
        assert {fetch(s.page_url)[1]["X-Pagetrail-Version"] for _ in range(3)} == {"0"}
        s.set_version(2)
        assert fetch(s.page_url)[2] == render(2)


def test_clock_mode_advances_with_time(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(server_module.time, "monotonic", lambda: now[0])
    with ExampleSite(mode="clock", interval=10) as s:
        assert s.version == 0
        now[0] += 25
        assert s.version == 2
        assert fetch(s.page_url)[1]["X-Pagetrail-Version"] == "2"
        now[0] += 1000
        assert s.version == len(VERSIONS) - 1


def test_gzip_when_accepted_and_identity_otherwise(site):
    status, headers, body = fetch(site.page_url + "?version=2", **{"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == render(2)
    assert "Accept-Encoding" in headers["Vary"]
    status, headers, body = fetch(site.page_url + "?version=2", **{"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in headers and body == render(2)


def test_etag_and_last_modified_give_304(site):
    _, headers, _ = fetch(site.page_url + "?version=1")
    tag, modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(site.page_url + "?version=1", **{"If-None-Match": tag})[0] == 304
    assert fetch(site.page_url + "?version=1", **{"If-Modified-Since": modified})[0] == 304
    # another version has another tag and a later date
    assert fetch(site.page_url + "?version=2", **{"If-None-Match": tag})[0] == 200
    assert fetch(site.page_url + "?version=2", **{"If-Modified-Since": modified})[0] == 200
    # the gzip tag validates the same version
    _, gz_headers, _ = fetch(site.page_url + "?version=1", **{"Accept-Encoding": "gzip"})
    assert gz_headers["ETag"] != tag
    assert fetch(site.page_url + "?version=1", **{"If-None-Match": gz_headers["ETag"]})[0] == 304


def test_robots_favicon_and_linked_files(site):
    status, headers, body = fetch(site.base_url + "/robots.txt")
    assert status == 200 and b"Disallow:\n" in body and b"Disallow: /" not in body
    status, headers, body = fetch(site.base_url + "/favicon.ico")
    assert status == 200 and headers["Content-Type"].startswith("image/") and body[:4] == b"\x00\x00\x01\x00"
    html = render(0).decode()
    for path in server_module.ASSETS:
        if path.endswith((".css", ".js")):
            assert path in html
            assert fetch(site.base_url + path + "?ver=3.1.3")[0] == 200
    assert fetch(site.base_url + "/")[0] == 200
    assert fetch(site.base_url + "/nope")[0] == 404


def test_page_without_trailing_slash_redirects(site):
    req = urllib.request.Request(site.page_url.rstrip("/"), method="HEAD")
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as err:
        opener.open(req, timeout=10)
    assert err.value.code == 301 and err.value.headers["Location"].endswith("/")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def test_head_does_not_advance(site):
    req = urllib.request.Request(site.page_url, method="HEAD")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.headers["X-Pagetrail-Version"] == "0"
    assert site.version == 0


def test_timeline_is_served_as_json(site):
    status, _, body = fetch(site.base_url + "/__pagetrail__/timeline")
    timeline = json.loads(body)
    assert status == 200 and [v["number"] for v in timeline] == list(range(len(VERSIONS)))
    assert timeline[1]["changes"]["ads"][0]["kind"] == "promo-text"
    assert timeline[-1]["noise"] and not any(timeline[-1]["changes"].values())
