"""Bad input never crashes or hangs the segmenter: it gives a Snapshot (with warnings) or a
one-line SegmentError. No wall-clock limits here: these tests only check that calls return."""

from __future__ import annotations

import codecs

import pytest

from pagetrail.errors import PagetrailError
from pagetrail.segment import segment
from pagetrail.segment.decode import SegmentError, decode
from pagetrail.segment.parse import MAX_CHARS

URL = "https://site.example/page"
ARTICLE = (
    "<p>The old lighthouse keeper's café served naïve visitors crème brûlée every Sunday "
    "afternoon, and the recipe has not changed in forty years of service to the village.</p>"
)


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>T</title></head><body><article>{body}</article></body></html>"


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
def test_empty_body_gives_empty_snapshot_with_warning(body):
    snap = segment(body, URL)
    assert snap.article.blocks == [] and snap.comments == [] and snap.ads == []
    assert snap.warnings == ["empty body: nothing to segment"]


@pytest.mark.parametrize("body", [
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10,
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    bytes(range(256)) * 40,
])
def test_binary_body_is_a_one_line_error(body):
    with pytest.raises(SegmentError) as err:
        segment(body, URL)
    assert isinstance(err.value, PagetrailError)
    assert "binary" in str(err.value) and "\n" not in str(err.value)


def test_cp1252_bytes_declared_utf8_are_decoded_as_cp1252():
    html = page(ARTICLE, '<meta charset="utf-8">').encode("cp1252")
    text, charset = decode(html)
    assert "café" in text and "crème brûlée" in text
    snap = segment(html, URL)
    assert "crème brûlée" in snap.article.text
    assert "\ufffd" not in snap.article.text


def test_utf8_bytes_declared_latin1_are_decoded_as_utf8():
    html = page(ARTICLE, '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">').encode("utf-8")
    text, charset = decode(html)
    assert charset == "utf-8"
    assert "naïve" in segment(html, URL).article.text


def test_http_charset_wins_over_a_missing_meta():
    html = page(ARTICLE).encode("iso-8859-15")
    assert "crème" in decode(html, "text/html; charset=ISO-8859-15")[0]


@pytest.mark.parametrize("bom,codec", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_byte_order_mark_decides_the_charset(bom, codec):
    html = bom + page(ARTICLE, '<meta charset="iso-8859-1">').encode(codec)
    snap = segment(html, URL)
    assert snap.charset == codec
    assert "crème brûlée" in snap.article.text


def test_a_20_mb_page_is_cut_with_a_warning():
    para = "<p>" + "word " * 200 + "</p>\n"
    html = page(para * (20_000_000 // len(para) + 2)).encode()
    assert len(html) > 20_000_000
    snap = segment(html, URL)
    assert any("page cut" in w and f"{MAX_CHARS:,}" in w for w in snap.warnings)


def test_100000_deep_nesting_returns():
    html = ("<html><body>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + ARTICLE + "</body></html>").encode()
    snap = segment(html, URL)
    assert any("nested deeper" in w for w in snap.warnings)


def test_broken_html_is_recovered():
    html = (b"<html><head><title>Broken</title><body><div><p>Unclosed paragraph about tide tables and the "
            b"harbour master's daily notices to every fishing boat<p>Second paragraph <b>bold <i>both"
            b"</b> crossed</i> tags and a <table><tr><td>cell text</div></span></html></html><p>after end")
    snap = segment(html, URL)
    assert "tide tables" in snap.article.text


def test_text_that_is_not_html_gives_a_snapshot():
    snap = segment(b"just some plain text, no markup at all", URL)
    assert snap.warnings == [] or snap.article.blocks == []
