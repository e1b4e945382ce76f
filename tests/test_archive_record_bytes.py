"""The WARC bytes written for each fetch, read back with our own eyes and with warcio."""

from __future__ import annotations

import base64
import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from pagetrail.archive import Archive
from tests.support.warcs import (
    PAGE_HTML,
    chunked_exchange,
    exchange,
    failed,
    gzip_exchange,
    later,
    members,
    split_record,
)

WARCIO = str(Path(sys.executable).parent / "warcio")
MANDATORY = ("WARC-Record-ID", "WARC-Date", "WARC-Type", "Content-Length")


def independent_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@pytest.fixture
def written(tmp_path):
    """One archive holding the awkward cases; yields (folder, list of (fields, block))."""
    with Archive(tmp_path, hostname="testhost") as archive:
        archive.record(exchange())
        archive.record(gzip_exchange())
        archive.record(chunked_exchange())
        archive.record(exchange("http://example.test/old", protocol="HTTP/1.0",
                                body=b"old server", headers=[("Content-Type", "text/plain")]))
        archive.record(exchange("http://example.test/cut", body=b"partial", truncated="length",
                                headers=[("Content-Length", "9999")], at=later(1)))
        archive.record(exchange("http://example.test/empty", status=204, body=b"",
                                headers=[("X-Odd", "1")], at=later(2)))
        archive.record_failure(failed())
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 1
    recs = [split_record(raw) for _, _, raw in members(files[0])]
    return tmp_path, files[0], recs


def by_type(recs, warc_type):
    return [(f, b) for f, b in recs if f["WARC-Type"] == warc_type]


def response_for(recs, url):
    return next((f, b) for f, b in recs if f["WARC-Type"] == "response" and f["WARC-Target-URI"] == url)


def test_warcio_check_passes(written):
    _, path, _ = written
    done = subprocess.run([WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "digest pass" in done.stdout


def test_every_record_is_a_whole_gzip_member_with_mandatory_fields(written):
    _, path, recs = written
    data = path.read_bytes()
    for offset, length, raw in members(path):
        assert gzip.decompress(data[offset:offset + length]) == raw  # readable from its offset alone
    for fields, _ in recs:
        for name in MANDATORY:
            assert name in fields
        assert fields["WARC-Record-ID"].startswith("<urn:uuid:")
        if fields["WARC-Type"] != "warcinfo":
            assert "WARC-Target-URI" in fields
        assert fields["WARC-Date"].endswith("Z")


def test_warcinfo_first_names_the_file(written):
    _, path, recs = written
    fields, block = recs[0]
    assert fields["WARC-Type"] == "warcinfo"
    assert fields["WARC-Filename"] == path.name
    assert fields["Content-Type"] == "application/warc-fields"
    assert "WARC-Target-URI" not in fields
    text = block.decode()
    assert "format: WARC File Format 1.1\r\n" in text
    assert "software: pagetrail/0.1\r\n" in text
    assert "hostname: testhost\r\n" in text


def test_response_and_request_are_linked_pairs(written):
    _, _, recs = written
    body_recs = [r for r in recs if r[0]["WARC-Type"] in ("response", "request")]
    pairs = list(zip(body_recs[0::2], body_recs[1::2], strict=True))
    assert len(pairs) == 6
    for (resp, _), (req, _) in pairs:
        assert resp["WARC-Type"] == "response" and req["WARC-Type"] == "request"
        assert req["WARC-Concurrent-To"] == resp["WARC-Record-ID"]
        assert req["WARC-Date"] == resp["WARC-Date"]
        assert req["WARC-Target-URI"] == resp["WARC-Target-URI"]
        assert resp["Content-Type"] == "application/http; msgtype=response"
        assert req["Content-Type"] == "application/http; msgtype=request"


def test_digests_match_independent_computation(written):
    _, _, recs = written
    for fields, block in recs:
        assert fields["WARC-Block-Digest"] == independent_digest(block)
        if fields["WARC-Type"] == "response":
            body = block.split(b"\r\n\r\n", 1)[1]
            assert fields["WARC-Payload-Digest"] == independent_digest(body)


def test_gzip_body_kept_encoded_with_both_cookies_and_http11_status(written):
    _, _, recs = written
    fields, block = response_for(recs, "http://example.test/gz")
    head, body = block.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"  # fetched over h2, which the record says
    assert fields["WARC-Protocol"] == "h2"
    assert b"Set-Cookie: a=1; Path=/" in lines and b"Set-Cookie: b=2; Path=/" in lines
    assert lines.index(b"Set-Cookie: a=1; Path=/") < lines.index(b"Set-Cookie: b=2; Path=/")
    assert b"Content-Encoding: gzip" in lines
    assert f"Content-Length: {len(body)}".encode() in lines
    assert gzip.decompress(body) == PAGE_HTML
    assert fields["WARC-IP-Address"] == "127.0.0.1"


def test_request_line_keeps_query_and_adds_host(written):
    _, _, recs = written
    requests = [b for f, b in by_type(recs, "request")
                if f["WARC-Target-URI"] == "http://example.test/page?b=2&a=1"]
    head = requests[0].split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert head[0] == b"GET /page?b=2&a=1 HTTP/1.1"
    assert b"Host: example.test" in head
    assert b"User-Agent: pagetrail-test/1.0" in head


def test_transfer_encoding_renamed_and_length_set(written):
    _, _, recs = written
    _, block = response_for(recs, "http://example.test/chunked")
    head = block.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert b"X-Archive-Orig-Transfer-Encoding: chunked" in head
    assert not any(line.lower().startswith(b"transfer-encoding:") for line in head)
    assert b"Content-Length: 20" in head


def request_for(recs, url):
    return next((f, b) for f, b in recs if f["WARC-Type"] == "request" and f["WARC-Target-URI"] == url)


def test_a_bodiless_answer_gets_no_content_length_it_did_not_send(written):
    _, _, recs = written
    _, block = response_for(recs, "http://example.test/empty")
    assert block == b"HTTP/1.1 204 No Content\r\nX-Odd: 1\r\n\r\n"


def test_http10_kept_and_truncation_marked(written):
    _, _, recs = written
    _, block = response_for(recs, "http://example.test/old")
    assert block.startswith(b"HTTP/1.0 200 OK\r\n")
    # the request went out as HTTP/1.1 (Twisted's client), whatever the server answered
    _, request = request_for(recs, "http://example.test/old")
    assert request.startswith(b"GET /old HTTP/1.1\r\n")
    fields, block = response_for(recs, "http://example.test/cut")
    assert fields["WARC-Truncated"] == "length"
    head = block.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert b"X-Archive-Orig-Content-Length: 9999" in head and b"Content-Length: 7" in head


def test_failed_fetch_is_a_metadata_record_and_a_catalog_row(written):
    folder, path, recs = written
    (fields, block), = by_type(recs, "metadata")
    assert fields["WARC-Target-URI"] == "http://nowhere.test/"
    assert fields["Content-Type"] == "application/warc-fields"
    assert b"fetchError: DNS lookup failed: no such host\r\n" in block
    with Archive(folder) as archive:
        (row,) = archive.captures("http://nowhere.test/")
        assert row.kind == "failed" and row.status is None and row.error.startswith("DNS")
        assert archive.previous("http://nowhere.test/") is None
