"""One real crawl of the awkward cases into a fresh archive; assertions on the WARC bytes."""

from __future__ import annotations

import gzip

import pytest

from pagetrail.archive import Archive
from pagetrail.archive.digest import sha1_digest
from tests.support.crawl_runs import (
    crawl,
    read_records,
    unexplained_warcio_failures,
    warcio_check,
    write_seeds,
)
from tests.support.servers import DROP_SENT, GZIP_HTML, PDF, PNG, closed_port, standard_site

# The whole module in one test process (--dist loadgroup): its crawl, made once.
pytestmark = pytest.mark.xdist_group("crawl_warc_records")

SEEDS = {
    "gzip": "/gzip", "chunked": "/chunked", "cookies": "/cookies", "redirect": "/redirect/start",
    "query": "/search?q=a+b&lang=fr", "png": "/image.png", "pdf": "/doc.pdf", "error": "/error",
    "drop": "/drop", "huge": "/huge", "latin1": "/latin1", "blocked": "/private/blocked",
    "allowed": "/private/allowed", "requisites": "/requisites", "slow": "/slow",
}
EXTRA = {"allowed": {"robots": False}, "requisites": {"requisites": True, "user_agent": "special/2.0"}}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    with standard_site(huge_size=2_000_000) as site:
        seeds = [{"name": name, "url": site.url(path), **EXTRA.get(name, {})}
                 for name, path in SEEDS.items()]
        refused = f"http://127.0.0.1:{closed_port()}/closed-port"
        seeds.append({"name": "refused", "url": refused})
        seed_file = write_seeds(tmp / "seeds.toml", seeds)
        run = crawl(seed_file, "--archive", tmp / "archive", "--json",
                    "--set", "DOWNLOAD_MAXSIZE=1000000", "--set", "DOWNLOAD_TIMEOUT=3")
        site.refused_url = refused
        yield site, run, tmp / "archive", read_records(tmp / "archive")


def responses(records, url, types=("response",)):
    return [r for r in records if r.type in types and r.warc.get("WARC-Target-URI") == url]


def test_exit_code_and_summary_report_failures(crawled):
    site, run, _, _ = crawled
    assert run.returncode == 1, run.stderr
    summary = run.summary
    failed = {r["seed"] for r in summary["results"] if not r["ok"]}
    assert failed == {"error", "drop", "huge", "blocked", "refused", "slow"}
    assert run.result("gzip")["kind"] == "new" and run.result("gzip")["status"] == 200
    assert run.result("error")["status"] == 500 and run.result("error")["error"] == "HTTP 500"
    # one progress line per seed page on stderr
    assert sum(1 for line in run.stderr.splitlines() if line.startswith("[")) == len(SEEDS) + 1


def test_every_file_passes_warcio_check_and_no_open_file_is_left(crawled):
    _, _, archive, _ = crawled
    assert list(archive.glob("*.warc.gz"))
    assert not list(archive.glob("*.open"))
    check = warcio_check(archive)
    # warcio digests the chunked body with its framing (warcio#74): that record, and only that
    assert unexplained_warcio_failures(check, archive) == [], check.stdout + check.stderr


def test_gzip_body_stored_as_received(crawled):
    site, _, _, records = crawled
    (rec,) = responses(records, site.url("/gzip"))
    assert rec.http("Content-Encoding") == ["gzip"]
    assert gzip.decompress(rec.payload) == GZIP_HTML


def test_every_set_cookie_value_kept(crawled):
    site, _, _, records = crawled
    (rec,) = responses(records, site.url("/cookies"))
    assert rec.http("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/; HttpOnly", "c=3; Path=/; Max-Age=60"]


def test_query_string_in_request_line_and_target_uri(crawled):
    site, _, _, records = crawled
    url = site.url("/search?q=a+b&lang=fr")
    (resp,) = responses(records, url)
    (req,) = responses(records, url, ("request",))
    assert req.request_line == "GET /search?q=a+b&lang=fr HTTP/1.1"
    assert req.warc["WARC-Concurrent-To"] == resp.warc["WARC-Record-ID"]
    assert req.http("Host") == [f"127.0.0.1:{site.port}"]
    assert resp.warc["WARC-IP-Address"] == "127.0.0.1"
    assert b"query=q=a+b&lang=fr" in resp.payload


def test_each_redirect_hop_archived(crawled):
    site, run, _, records = crawled
    for path, status in (("/redirect/start", 301), ("/redirect/middle", 302),
                         ("/redirect/final", 200)):
        (rec,) = responses(records, site.url(path))
        assert rec.status == status
        assert rec.warc.get("Pagetrail-Seed") == "redirect"
    assert run.result("redirect")["final_url"] == site.url("/redirect/final")


def test_chunked_body_stored_as_received_and_read_dechunked(crawled):
    site, _, archive, records = crawled
    body = b"<html><body><p>sent in three chunks</p></body></html>"
    (rec,) = responses(records, site.url("/chunked"))
    # the block holds the chunk framing as sent; the payload digest is over the de-chunked body
    assert rec.payload == (b"c\r\n<html><body>\r\nb\r\n<p>sent in \r\n"
                           b"1e\r\nthree chunks</p></body></html>\r\n0\r\n\r\n")
    assert rec.http("Transfer-Encoding") == ["chunked"] and not rec.http("Content-Length")
    assert rec.warc["WARC-Payload-Digest"] == sha1_digest(body)
    with Archive(archive) as arch:
        [capture] = arch.captures(site.url("/chunked"))
        assert arch.read_payload(capture)[1] == body


def test_error_page_archived_with_its_status(crawled):
    site, _, _, records = crawled
    recs = responses(records, site.url("/error"), ("response", "revisit"))
    # retried (RETRY_TIMES=2): every attempt is archived
    assert len(recs) == 3 and {r.status for r in recs} == {500}


def test_non_html_archived(crawled):
    site, _, _, records = crawled
    (png,) = responses(records, site.url("/image.png"))
    (pdf,) = responses(records, site.url("/doc.pdf"))
    assert png.payload == PNG and png.http("Content-Type") == ["image/png"]
    assert pdf.payload == PDF


def test_wrong_charset_bytes_kept_verbatim(crawled):
    site, _, _, records = crawled
    (rec,) = responses(records, site.url("/latin1"))
    assert "caf\u00e9".encode("latin-1") in rec.payload


def test_dropped_connection_recorded_as_truncated(crawled):
    site, run, _, records = crawled
    (rec,) = responses(records, site.url("/drop"))
    assert rec.warc.get("WARC-Truncated") == "disconnect"
    assert rec.payload == DROP_SENT
    assert "connection dropped" in run.result("drop")["error"]


def test_refused_connection_is_a_failed_attempt_in_the_catalog(crawled):
    site, run, archive, _ = crawled
    url = site.refused_url
    error = run.result("refused")["error"]
    assert error == f"connection refused: {url}"
    with Archive(archive) as arch:
        failed = arch.captures(url)
    assert failed and all(c.kind == "failed" and url in (c.error or "") for c in failed)
    assert f"FAILED: connection refused: {url}" in run.stderr


def test_timeout_is_a_failed_attempt(crawled):
    site, run, archive, _ = crawled
    assert run.result("slow")["error"] == f"timed out: {site.url('/slow')}"
    with Archive(archive) as arch:
        attempts = arch.captures(site.url("/slow"))
    assert len(attempts) == 3 and {c.kind for c in attempts} == {"failed"}


def test_huge_body_kept_up_to_maxsize_and_marked_truncated(crawled):
    site, run, _, records = crawled
    assert "DOWNLOAD_MAXSIZE" in run.result("huge")["error"]
    (rec,) = responses(records, site.url("/huge"))
    assert rec.warc.get("WARC-Truncated") == "length"
    assert 1_000_000 < len(rec.payload) < 2_000_000
    # the head as the server sent it: WARC-Truncated says the body stops short of it
    assert rec.http("Content-Length") == ["2000000"]
    assert run.result("png")["ok"]


def test_robots_txt_obeyed_and_overridable_per_seed(crawled):
    site, run, _, records = crawled
    assert not site.hits_for("/private/blocked")
    assert "robots.txt" in run.result("blocked")["error"]
    assert responses(records, site.url("/private/allowed"))
    assert responses(records, site.url("/robots.txt"))


def test_requisites_captured_once_with_seed_user_agent(crawled):
    site, run, _, records = crawled
    for path in ("/assets/style.css", "/assets/app.js", "/assets/a.png", "/assets/b.png"):
        recs = responses(records, site.url(path))
        assert len(recs) == 1, path
        assert recs[0].warc.get("Pagetrail-Role") == "requisite"
        (req,) = responses(records, site.url(path), ("request",))
        assert req.http("User-Agent") == ["special/2.0"]
    assert run.summary["requisites"] == 4
    (page_req,) = responses(records, site.url("/gzip"), ("request",))
    assert page_req.http("User-Agent") == ["pagetrail/0.1 (+https://github.com/pagetrail/pagetrail)"]


def test_a_fetch_robots_txt_forbids_is_on_record_as_a_failed_attempt(crawled):
    site, _, archive, records = crawled
    from pagetrail.archive import Archive

    url = site.url("/private/blocked")
    (rec,) = responses(records, url, ("metadata",))
    assert rec.warc["Pagetrail-Kind"] == "failed-fetch"
    assert b"fetchError: blocked by robots.txt" in rec.payload
    with Archive.existing(archive) as arch:
        (capture,) = arch.captures(url)
    assert capture.kind == "failed" and capture.error == f"blocked by robots.txt: {url}"


def test_wacz_pages_are_the_final_pages_of_the_seeds(crawled, tmp_path):
    import json
    import zipfile

    from pagetrail.archive import Archive

    site, _, archive, _ = crawled
    with Archive.existing(archive) as arch:
        everything = arch.export_wacz(tmp_path / "all.wacz")
        redirect = arch.export_wacz(tmp_path / "redirect.wacz", [site.url("/redirect/start")])
    with zipfile.ZipFile(everything) as zf:
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()[1:]]
    urls = [page["url"] for page in pages]
    assert site.url("/redirect/final") in urls  # the page the redirecting seed ended on
    assert site.url("/redirect/start") not in urls and site.url("/redirect/middle") not in urls
    assert not any(url.startswith(site.url("/assets/")) or url.endswith("/robots.txt")
                   for url in urls)
    assert len(urls) == len(set(urls))  # one crawl: one page per seed
    with zipfile.ZipFile(redirect) as zf:
        (warc,) = [n for n in zf.namelist() if n.startswith("archive/")]
        data = zf.read(warc)
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()[1:]]
    assert [page["url"] for page in pages] == [site.url("/redirect/final")]
    import gzip

    assert b"End of the redirect chain." in gzip.decompress(data)
