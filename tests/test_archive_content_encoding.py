"""read_payload(decode=True) undoes Content-Encoding; the WARC keeps the encoded bytes."""

from __future__ import annotations

import gzip
import zlib

import pytest

from pagetrail.archive import Archive
from pagetrail.archive.encoding import decode_body
from tests.support.warcs import PAGE_HTML, exchange

brotli = pytest.importorskip("brotli")  # Scrapy depends on it; decoding br needs it


def raw_deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return comp.compress(data) + comp.flush()


# mtime=0 and ids by name: a gzip header holds the time it was made, so test ids built from the
# bytes differed between pytest-xdist's test processes collecting in different seconds.
@pytest.mark.parametrize("coding, encoded", [
    ("gzip", gzip.compress(PAGE_HTML, mtime=0)),
    ("x-gzip", gzip.compress(PAGE_HTML, mtime=0)),
    ("deflate", zlib.compress(PAGE_HTML)),
    ("deflate", raw_deflate(PAGE_HTML)),
    ("br", brotli.compress(PAGE_HTML)),
    ("gzip, br", brotli.compress(gzip.compress(PAGE_HTML, mtime=0))),
    ("identity", PAGE_HTML),
], ids=["gzip", "x-gzip", "zlib-deflate", "raw-deflate", "br", "gzip-then-br", "identity"])
def test_codings_are_undone(coding, encoded):
    assert decode_body(encoded, coding) == PAGE_HTML


def test_unknown_or_damaged_coding_returns_what_it_can():
    assert decode_body(b"opaque", "compress") == b"opaque"
    assert decode_body(b"not gzip at all", "gzip") == b"not gzip at all"


def test_read_payload_decodes_but_archive_keeps_encoded(tmp_path):
    body = brotli.compress(PAGE_HTML)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "br")]
    with Archive(tmp_path) as archive:
        cap = archive.record(exchange(body=body, headers=headers))
        assert archive.read_payload(cap)[1] == PAGE_HTML
        assert archive.read_payload(cap, decode=False)[1] == body
