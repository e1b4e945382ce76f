"""What ArchiveMiddleware hands the archive, built from real Scrapy request/response objects."""

from __future__ import annotations

from ipaddress import ip_address

from scrapy import Request
from scrapy.exceptions import DownloadConnectionRefusedError
from scrapy.http import HtmlResponse
from twisted.internet.error import ConnectionLost, DNSLookupError, TimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from pagetrail.crawl import exchange as ex
from pagetrail.crawl.requisites import requisite_urls

URL = "http://127.0.0.1:8080/a?b=1&c=2"


def make(status=200, headers=None, flags=None, meta=None):
    request = Request(URL, headers={"User-Agent": "ua/1", "Accept-Encoding": "gzip"},
                      meta=meta or {})
    response = HtmlResponse(URL, status=status, body=b"\x1f\x8bbody", request=request,
                            headers=headers or {}, flags=flags or [], protocol="HTTP/1.1",
                            ip_address=ip_address("127.0.0.1"))
    return request, response


def test_every_header_value_kept_and_host_added():
    request, response = make(headers={"Set-Cookie": ["a=1", "b=2"], "Content-Encoding": "gzip"})
    exchange = ex.build_exchange(request, response)
    assert exchange.url == URL
    assert ("Host", "127.0.0.1:8080") == exchange.request_headers[0]
    assert ("User-Agent", "ua/1") in exchange.request_headers
    assert [v for k, v in exchange.response_headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert exchange.body == b"\x1f\x8bbody"  # as received, still encoded
    assert exchange.ip_address == "127.0.0.1" and exchange.protocol == "HTTP/1.1"
    assert exchange.started.tzinfo is not None


def test_host_header_omits_default_port():
    assert ex.host_header("https://example.com:443/x") == "example.com"
    assert ex.host_header("http://example.com/x") == "example.com"
    assert ex.host_header("http://[::1]:81/") == "[::1]:81"


def test_seed_and_role_from_meta():
    meta = {ex.META_SEED: "news", ex.META_SEED_URL: URL, ex.META_ROLE: "page"}
    request, response = make(status=301, headers={"Location": "/b"}, meta=meta)
    exchange = ex.build_exchange(request, response)
    assert (exchange.seed, exchange.seed_url, exchange.role) == ("news", URL, "redirect")
    request, response = make(meta={**meta, ex.META_ROLE: "requisite"})
    assert ex.build_exchange(request, response).role == "requisite"


def test_robots_fetch_role():
    request = Request("http://h/robots.txt")
    assert ex.role_of(request) == "robots"


def test_dataloss_flag_means_truncated_by_disconnect():
    request, response = make(flags=["dataloss"])
    assert ex.build_exchange(request, response).truncated == "disconnect"
    request, response = make(flags=["partial"])  # close-delimited body: complete, not truncated
    assert ex.build_exchange(request, response).truncated is None


def test_failure_messages_are_one_line_naming_the_url():
    never = ResponseNeverReceived([Failure(ConnectionLost("gone"))])
    cases = {
        DNSLookupError("no such host"): "DNS lookup failed",
        DownloadConnectionRefusedError("111: Connection refused."): "connection refused",
        TimeoutError("took longer than 30 seconds"): "timed out",
        never: "connection dropped",
    }
    for exc, start in cases.items():
        message = ex.failure_message(URL, exc)
        assert message == f"{start}: {URL}"
    odd = ex.failure_message(URL, ValueError("multi\nline\nproblem"))
    assert "\n" not in odd and odd.endswith(URL)


def test_build_failure_keeps_seed():
    request = Request(URL, meta={ex.META_SEED: "news", ex.META_SEED_URL: URL})
    failed = ex.build_failure(request, DNSLookupError("x"))
    assert failed.seed == "news" and failed.error.startswith("DNS lookup failed")


def test_requisite_urls_found_once_each_in_document_order():
    html = """<html><head><base href="/sub/"><link rel="Stylesheet" href="s.css">
    <link rel="icon" href="i.ico"><script src="https://cdn.example/x.js"></script></head>
    <body><img src="a.png" srcset="a.png 1x, b.png 2x"><img src="data:image/png;base64,AA">
    <picture><source srcset="c.webp"></picture><img src="a.png#frag"></body></html>"""
    assert requisite_urls(html, "http://h/page") == [
        "http://h/sub/s.css", "https://cdn.example/x.js", "http://h/sub/a.png",
        "http://h/sub/b.png", "http://h/sub/c.webp",
    ]
