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
