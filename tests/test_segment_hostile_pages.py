"""Pages built to hide content from the segmenter: a control byte after a removed script, markup
nested past libxml2's depth limit before the article, UTF-16 sent without a BOM."""

from __future__ import annotations

from pagetrail.segment import segment

PARAS = [f"Paragraph {i} of the article, long enough to count as article text for sure." for i in range(8)]
ARTICLE = "<article><h1>Title</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</article>"


def test_one_control_byte_after_a_removed_script_keeps_the_page():
    for hostile in ("\x0c", "\x01", "\x1b", "\ufffe", "&#1;", "&#x0C;", "&#xD800;", "&#0;"):
        html = ("<html><body><article><h1>Title</h1>"
                + f"<p>Before <script>var x;</script> after{hostile}the storm came a long text.</p>" * 20
                + "</article></body></html>").encode()
        snap = segment(html, "https://example.org/a")  # raised "All strings must be XML compatible"
        assert snap.article.blocks, hostile
        first = next(b for b in snap.article.blocks if b.kind == "paragraph")
        assert first.text.startswith("Before after"), hostile
        assert not any(ch in b.text for b in snap.article.blocks for ch in "\x0c\x01\x1b\ufffe")


def test_markup_nested_past_libxml2s_limit_keeps_the_article():
    deep = "<div>" * 300 + "wrapper text" + "</div>" * 300
    html = f"<html><body>{deep}{ARTICLE}</body></html>".encode()
    snap = segment(html, "https://example.org/a")
    texts = [b.text for b in snap.article.blocks]
    assert all(p in texts for p in PARAS), texts  # the rest of the page was dropped before
    assert any("nested deeper than 255" in w and "text kept" in w for w in snap.warnings)


def test_nesting_in_a_script_string_is_not_markup():
    deep = '<div><script>var s = "<div><div>";</script>' * 300 + "</div>" * 300
    html = f"<html><body>{deep}{ARTICLE}</body></html>".encode()
    texts = [b.text for b in segment(html, "https://example.org/a").article.blocks]
    assert all(p in texts for p in PARAS)
    assert not any("var s" in t for t in texts)


def test_utf16_without_bom_labelled_in_the_header_is_a_page():
    html = f"<html><body>{ARTICLE.replace('Title', 'Grüße aus Köln')}</body></html>"
    for codec, label in (("utf-16-le", "utf-16"), ("utf-16-be", "utf-16"), ("utf-16-le", "UTF-16LE"),
                         ("utf-16-be", "utf-16be")):
        snap = segment(html.encode(codec), "https://example.org/a",
                       content_type=f"text/html; charset={label}")  # "body is binary" before
        assert snap.article.title == "Grüße aus Köln" or snap.article.blocks[0].text == "Grüße aus Köln"
        assert PARAS[0] in [b.text for b in snap.article.blocks]


def test_xml_safe_cleans_every_reference_lxml_refuses_and_leaves_the_rest():
    from lxml import etree

    from pagetrail.segment.parse import xml_safe

    refused = ["&#0;", "&#1;", "&#31;", "&#x1f;", "&#X0C;", "&#xD800;", "&#55296;", "&#57343;",
               "&#xFFFE;", "&#65535;", "&#1114112;", "&#x110000;", "&#99999999999;", "&#x00000001;"]
    kept = ["&#9;", "&#10;", "&#13;", "&#32;", "&#39;", "&#039;", "&#x27;", "&#160;", "&#8217;",
            "&#x2019;", "&#xD7FF;", "&#xE000;", "&#65533;", "&#1114111;", "&#x10FFFF;", "&#0000000065;"]
    for ref in refused:
        assert ref not in xml_safe(f"a{ref}b"), ref
    for ref in kept:
        assert xml_safe(f"a{ref}b") == f"a{ref}b", ref
    # Raw characters: controls become spaces, non-characters go, lone surrogates become U+FFFD;
    # Hangul (whose UTF-8 starts with the same ED byte as a surrogate's) stays as it is.
    assert xml_safe("a\x01b\x0bc\ufffed\ud800e") == "a b cd\ufffde"
    assert xml_safe("한국어 \t\n\r text") == "한국어 \t\n\r text"
    for text in ("a\x01b\x0bc\ufffed\ud800e", "한국어", "&#1;&#8217;"):
        etree.fromstring(f"<p>{xml_safe(text)}</p>".encode("utf-8", "surrogatepass"))


def test_segment_leaves_the_garbage_collector_as_it_found_it():
    import gc

    import pytest

    from pagetrail.segment.decode import SegmentError

    page = f"<html><body>{ARTICLE}</body></html>".encode()
    assert gc.isenabled()
    segment(page, "https://example.org/a")
    assert gc.isenabled()
    with pytest.raises(SegmentError):
        segment(b"\x00\x01\x02\x03" * 500, "https://example.org/b")
    assert gc.isenabled()
    gc.disable()
    try:
        segment(page, "https://example.org/a")
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()
