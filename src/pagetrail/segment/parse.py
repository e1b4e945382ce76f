"""Step 2: text -> lxml tree, with a size bound. libxml2 recovers from broken markup and caps
nesting depth itself (deeper elements are dropped), so parsing always terminates; the size bound
keeps the later steps' work bounded on huge pages."""

from __future__ import annotations

import os
import re

import lxml.html
from lxml import etree

from pagetrail.segment.decode import SegmentTooLarge

#: Pages longer than this many characters are cut (at a tag boundary) before parsing.
MAX_CHARS = 5_000_000
#: Pages with more elements than this are not segmented (SegmentTooLarge): the later steps'
#: time grows faster than the page (200,000 <p> took two minutes). Environment variable
#: PAGETRAIL_SEGMENT_MAX_ELEMENTS overrides it.
MAX_ELEMENTS = 100_000
_COUNT_ELEMENTS = etree.XPath("count(//*)")
#: libxml2's own nesting limit without huge_tree; reaching it means content was dropped.
LIBXML_MAX_DEPTH = 255

# The parser reads the page as UTF-8 bytes: libxml2 converts a str (UCS-2/UCS-4 inside) to UTF-8
# first, so handing it the bytes parses 10-20% faster (0.80 -> 0.73 s on the comments set), to
# the same tree on all 1,117 development pages. Nothing reads libxml2's table of id attributes
# (no id() XPath, no get_element_by_id: lxml.html's is an attribute XPath), and not filling it
# parses the 1,117 pages 8% faster (1.21 -> 1.11 s, tree freeing included).
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, remove_blank_text=False, encoding="utf-8",
                               collect_ids=False)
# lxml.html picks each element's class with a Python callback (special classes for form
# fields), run every time an element is touched: over a quarter of a million calls on 60 pages,
# in our steps and in trafilatura's. A C-level lookup giving every element HtmlElement keeps
# text_content() and friends (and trafilatura's isinstance check) without that cost.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))


# Characters libxml2 keeps in the tree but lxml refuses to set on it ("All strings must be XML
# compatible"): one of them after a removed <script> made every later step raise. C0 controls
# other than tab, LF and CR become spaces (browsers render them as nothing or as spaces),
# U+FFFE/U+FFFF go, lone surrogates become U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# The same characters written as numeric character references (&#1; &#x0C; &#xFFFE;). The
# lookahead lets through only references that can name one (small, 4-digit D800-DFFF/FFFE/FFFF,
# or long numbers), so the Python-level check runs on a handful of references, not on every
# &#8217; of a page (50,000 on the development sets; 0.15 s -> 0.12 s, the rest being the scan).
_CHAR_REF = re.compile(
    r"&#(?=[xX]0*(?:[01]?[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF]|[0-9a-fA-F]{6,})(?![0-9a-fA-F])"
    r"|0*(?:[12]?[0-9]|3[01]|[0-9]{5,})(?![0-9]))"
    r"(?:[xX]0*([0-9a-fA-F]+)|0*([0-9]+))(;?)")
# Every byte but the C0 controls lxml refuses: what is left after deleting these from a page's
# UTF-8 is its controls, found by one C-level pass (_NOT_XML scans a str about three times
# slower). Surrogates encode as ED A0-BF, so a page without an ED byte has none.
_NOT_CONTROL = bytes(b for b in range(256) if b >= 0x20 or b in (0x09, 0x0A, 0x0D))


def _xml_char(ch: str) -> str:
    if ch in "\ufffe\uffff":
        return ""
    return " " if ch < " " else "\ufffd"


def _ref(match: re.Match) -> str:
    hex_digits, dec_digits, _semi = match.groups()
    digits = hex_digits or dec_digits or "0"
    if len(digits) > 8:
        return "\ufffd"  # past U+10FFFF: what browsers show for it
    code = int(digits, 16 if hex_digits else 10)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0:
        return "\ufffd"
    if code in (0xFFFE, 0xFFFF) or (code < 0x20 and code not in (9, 10, 13)):
        return _xml_char(chr(code))
    return match.group(0)


def xml_safe(text: str) -> str:
    """``text`` without the characters (raw or as character references) that lxml cannot hold."""
    return _safe(text)[0]


def _safe(text: str, encoded: bytes | None = None) -> tuple[str, bytes | None]:
    """:func:`xml_safe`'s text, and its UTF-8 when the pre-test found nothing to change (the
    pre-test encodes it anyway, and the parser reads UTF-8 bytes). ``encoded``: ``text`` in
    UTF-8 when the caller has it."""
    if "&#" in text:
        fixed = _CHAR_REF.sub(_ref, text)
        if fixed is not text and fixed != text:
            encoded = None
        text = fixed
    if encoded is None:
        encoded = text.encode("utf-8", "surrogatepass")
    if not encoded.translate(None, _NOT_CONTROL) and b"\xed" not in encoded \
            and "\ufffe" not in text and "\uffff" not in text:
        return text, encoded
    return _NOT_XML.sub(lambda m: _xml_char(m.group(0)), text), None


def _depth_hit() -> bool:
    """libxml2 logs the cut ("Excessive depth in document"), so the last parse's error log says
    whether content was dropped, without walking the tree."""
    return any(e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message for e in _PARSER.error_log)


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)([^>]*)>")
_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
_RAW = frozenset(("script", "style", "textarea", "title", "xmp", "plaintext"))
#: The nesting depth kept by :func:`flatten` (counting every open tag not yet closed, so a page
#: of unclosed <p> or <li> counts deeper than it is: well under libxml2's 255).
FLATTEN_DEPTH = 180


def flatten(text: str, limit: int = FLATTEN_DEPTH) -> tuple[str, int]:
    """``text`` with the start and end tags nested deeper than ``limit`` dropped (their text and
    the elements around them kept), so libxml2 never reaches its depth limit and stops parsing:
    a page that opens 300 <div>s before its article keeps its article. Returns the text and the
    number of tags dropped. Only used on pages that did hit the limit."""
    out: list[str] = []
    depth = dropped = pos = 0
    pending: dict[str, int] = {}
    while (m := _TAG.search(text, pos)) is not None:
        closing, name = m.group(1), m.group(2).lower()
        keep = True
        if not closing and name not in _VOID and not m.group(3).rstrip().endswith("/"):
            depth += 1
            if depth > limit:
                keep = False
                pending[name] = pending.get(name, 0) + 1
        elif closing and name not in _VOID:
            if pending.get(name):
                pending[name] -= 1
                keep = False
            depth = max(0, depth - 1)
        out.append(text[pos:m.start()])
        if keep:
            out.append(m.group(0))
        else:
            dropped += 1
        pos = m.end()
        if not closing and name in _RAW:
            # raw text (a script's "<div>" strings) is not markup: copied up to its end tag
            end = re.compile(rf"</{name}\s*>", re.I).search(text, pos)
            stop = end.start() if end else len(text)
            if keep:
                out.append(text[pos:stop])  # else dropped with its tag: it would become markup
            pos = stop
    out.append(text[pos:])
    return "".join(out), dropped


def parse(text: str, utf8: bytes | None = None) -> tuple[lxml.html.HtmlElement, list[str]]:
    """Parse a page. Returns the root ``<html>`` element and warnings (cut size, cut depth).
    Raises SegmentTooLarge when the page has more than ``max_elements()`` elements. ``utf8``:
    ``text`` in UTF-8 when the caller has it (a page sent as UTF-8: decode.utf8_of), which
    spares encoding it again (the text step 0.157 -> 0.118 s on the 1,117 pages)."""
    warnings = []
    if len(text) > MAX_CHARS:
        cut = text.rfind("<", MAX_CHARS - 100_000, MAX_CHARS)
        text, utf8 = text[: cut if cut > 0 else MAX_CHARS], None
        warnings.append(f"page cut to its first {len(text):,} characters (size bound {MAX_CHARS:,})")
    text, data = _safe(text, utf8)
    if text.lstrip().startswith("<?xml"):
        # an XML declaration's encoding must not override the UTF-8 the parser is told
        text, data = text[text.find("?>") + 2:], None
    if data is None:
        data = text.encode("utf-8")
    root = _parse(data)
    if _depth_hit():
        # libxml2 stops at its depth limit and drops the rest of the page: parsed again with
        # the excess nesting taken out, which keeps every piece of text
        flat, dropped = flatten(text)
        data = flat.encode("utf-8")
        root = _parse(data)
        if _depth_hit():
            warnings.append(f"markup nested deeper than {LIBXML_MAX_DEPTH} levels: deeper content dropped")
        else:
            warnings.append(f"markup nested deeper than {LIBXML_MAX_DEPTH} levels: {dropped:,} tags "
                            f"nested deeper than {FLATTEN_DEPTH} dropped, their text kept")
    bound = max_elements()
    # Every element but the few libxml2 adds itself (html, head, body, a <p> around loose text)
    # starts at a "<" of what it parsed: a page with few of them cannot be over the bound, and
    # is not walked to count its elements (0.02 s on the 1,117 pages).
    if not bound or 2 * data.count(b"<") + 8 <= bound:
        return root, warnings
    count = int(_COUNT_ELEMENTS(root))
    if count > bound:
        raise SegmentTooLarge(f"too large to segment: {count:,} elements (bound {bound:,}, "
                              "PAGETRAIL_SEGMENT_MAX_ELEMENTS)")
    return root, warnings


def max_elements() -> int:
    value = os.environ.get("PAGETRAIL_SEGMENT_MAX_ELEMENTS", "")
    return int(value) if value.strip().isdigit() else MAX_ELEMENTS


def _parse(data: bytes) -> lxml.html.HtmlElement:
    try:
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring(b"<html><body></body></html>", parser=_PARSER)
        text = data.decode("utf-8")
        body = root.find("body")
        body.text = text if "<" not in text else None
    if root.find("body") is None:
        etree.SubElement(root, "body")
    return root
