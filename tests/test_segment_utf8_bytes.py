"""decode.utf8_of hands the parser a page's own bytes only when they are exactly its text in UTF-8."""

from __future__ import annotations

import codecs

from pagetrail.segment.decode import decode, utf8_of
from pagetrail.segment.parse import parse


def _given(data: bytes, content_type: str | None = None) -> bytes | None:
    text, charset = decode(data, content_type)
    return utf8_of(text, data, charset)


def test_only_bytes_that_are_the_text_in_utf8_are_handed_on():
    page = "<p>caf\u00e9 \u2019 &#8217;</p>".encode()
    assert _given(page) is page
    assert _given(page, "text/html; charset=utf-8") is page
    assert _given(codecs.BOM_UTF8 + page) is None  # the text has no BOM
    assert _given(page + b"\xff" * 1 + page * 20) is None  # a stray byte read as U+FFFD
    assert _given("<p>caf\u00e9</p>".encode("cp1252"), "text/html; charset=iso-8859-1") is None


def test_the_tree_is_the_same_with_or_without_the_bytes():
    page = "<p>caf\u00e9 &#1; &#8217; \u2028</p><div>\u00a0x</div>".encode()
    text, charset = decode(page)
    a, b = parse(text)[0], parse(text, utf8_of(text, page, charset))[0]
    assert a.text_content() == b.text_content() and a.text_content().count(" ") >= 2
