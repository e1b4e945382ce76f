"""Deduplication: identical payloads and 304 answers become revisit records, not bodies."""

from __future__ import annotations

import gzip

from pagetrail.archive import Archive
from tests.support.warcs import (
    PAGE_HTML,
    exchange,
    failed,
    gzip_exchange,
    later,
    members,
    split_record,
)

URL = "http://example.test/page?b=2&a=1"


def records_of(folder):
    (path,) = sorted(folder.glob("*.warc.gz"))
    return [split_record(raw) for _, _, raw in members(path)]


def test_identical_payload_becomes_revisit(tmp_path):
    with Archive(tmp_path) as archive:
        first = archive.record(exchange(URL))
        second = archive.record(exchange(URL, at=later(60)))
        third = archive.record(exchange(URL, at=later(120)))
        changed = archive.record(exchange(URL, body=PAGE_HTML + b"<!-- v2 -->", at=later(180)))
        assert [c.kind for c in (first, second, third, changed)] == [
            "response", "revisit", "revisit", "response"]
        # A revisit of a revisit still points at the capture holding the body.
        assert second.refers_to == first.id and third.refers_to == first.id
        headers, body = archive.read_payload(third)
        assert body == PAGE_HTML
        assert ("Content-Type", "text/html; charset=utf-8") in headers
    revisits = [(f, b) for f, b in records_of(tmp_path) if f["WARC-Type"] == "revisit"]
    assert len(revisits) == 2
    fields, block = revisits[0]
    response = next(f for f, _ in records_of(tmp_path) if f["WARC-Type"] == "response")
    assert fields["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert fields["WARC-Refers-To"] == response["WARC-Record-ID"]
    assert fields["WARC-Refers-To-Target-URI"] == URL
    assert fields["WARC-Refers-To-Date"] == response["WARC-Date"]
    assert fields["WARC-Payload-Digest"] == response["WARC-Payload-Digest"]
    assert block.endswith(b"\r\n\r\n") and block.count(b"\r\n\r\n") == 1  # headers only


def test_not_modified_becomes_server_not_modified_revisit(tmp_path):
    url = "http://example.test/gz"
    with Archive(tmp_path) as archive:
        first = archive.record(gzip_exchange(url))
        assert archive.conditional_headers(url) == {
            "If-None-Match": '"v1"', "If-Modified-Since": "Tue, 24 Nov 2026 19:00:00 GMT"}
        answer = exchange(url, status=304, body=b"", headers=[("ETag", '"v1"')], at=later(60))
        revisit = archive.record(answer)
        assert revisit.kind == "revisit" and revisit.status == 304
        assert revisit.refers_to == first.id and revisit.digest == first.digest
        assert archive.previous(url).id == revisit.id
        assert archive.conditional_headers(url)["If-None-Match"] == '"v1"'
        headers, body = archive.read_payload(revisit)
        assert body == PAGE_HTML
        _, raw = archive.read_payload(revisit, decode=False)
        assert gzip.decompress(raw) == PAGE_HTML
    fields, block = [r for r in records_of(tmp_path) if r[0]["WARC-Type"] == "revisit"][0]
    assert fields["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    # Heritrix's form, which pywb replays as the original page: no block, the original's digest
    assert block == b"" and fields["Content-Length"] == "0"
    assert fields["WARC-Truncated"] == "length"
    assert fields["WARC-Payload-Digest"] == first.digest
    assert fields["WARC-Refers-To"] == first.record_id


def test_failed_attempt_does_not_break_dedup(tmp_path):
    with Archive(tmp_path) as archive:
        first = archive.record(exchange(URL))
        archive.record_failure(failed(URL, at=later(30)))
        again = archive.record(exchange(URL, at=later(60)))
        assert again.kind == "revisit" and again.refers_to == first.id
        assert [c.kind for c in archive.captures(URL)] == ["response", "failed", "revisit"]


def test_captures_in_one_millisecond_stay_distinct(tmp_path):
    with Archive(tmp_path) as archive:
        a = archive.record(exchange(URL))
        b = archive.record(exchange(URL))
        assert a.timestamp == "20261124191316250"
        assert b.timestamp == "20261124191316251"


def test_not_modified_refers_to_the_capture_whose_validators_were_sent(tmp_path):
    url = "http://example.test/gz"
    with Archive(tmp_path) as archive:
        tagged = archive.record(gzip_exchange(url))
        archive.record(exchange(url, body=b"no validators here", at=later(30)))
        assert archive.conditional_headers(url)["If-None-Match"] == '"v1"'
        answer = archive.record(exchange(url, status=304, body=b"", headers=[], at=later(60)))
        assert answer.refers_to == tagged.id
        assert archive.read_payload(answer)[1] == PAGE_HTML


def test_validators_of_many_urls_in_one_call_match_single_lookups(tmp_path):
    from pagetrail.archive.archive import validator_headers

    url = "http://example.test/gz"
    with Archive(tmp_path) as archive:
        archive.record(gzip_exchange(url))
        archive.record(exchange(URL))
        urls = [url, URL, "http://example.test/never-fetched"]
        single = {u: archive.conditional_headers(u) for u in urls}
        assert archive.conditional_headers_for(urls) == {u: h for u, h in single.items() if h}
        # A crawl keeps its lookups current from each capture's own validators: the same answer.
        newer = archive.record(exchange(url, status=304, body=b"", headers=[("ETag", '"v2"')],
                                        at=later(60)))
        assert validator_headers(newer.etag, newer.last_modified) == archive.conditional_headers(url)
