"""Step 2: text -> lxml tree, with a size bound. libxml2 recovers from broken markup and caps
nesting depth itself (deeper elements are dropped), so parsing always terminates; the size bound
keeps the later steps' work bounded on huge pages."""

from __future__ import annotations

import lxml.html
from lxml import etree

#: Pages longer than this many characters are cut (at a tag boundary) before parsing.
MAX_CHARS = 5_000_000
#: libxml2's own nesting limit without huge_tree; reaching it means content was dropped.
LIBXML_MAX_DEPTH = 255

_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, remove_blank_text=False)
# lxml.html picks each element's class with a Python callback (special classes for form
# fields), run every time an element is touched: over a quarter of a million calls on 60 pages,
# in our steps and in trafilatura's. A C-level lookup giving every element HtmlElement keeps
# text_content() and friends (and trafilatura's isinstance check) without that cost.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))


def _depth_hit() -> bool:
    """libxml2 logs the cut ("Excessive depth in document"), so the last parse's error log says
    whether content was dropped, without walking the tree."""
    return any(e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message for e in _PARSER.error_log)


def parse(text: str) -> tuple[lxml.html.HtmlElement, list[str]]:
    """Parse a page. Returns the root ``<html>`` element and warnings (cut size, cut depth)."""
    warnings = []
    if len(text) > MAX_CHARS:
        cut = text.rfind("<", MAX_CHARS - 100_000, MAX_CHARS)
        text = text[: cut if cut > 0 else MAX_CHARS]
        warnings.append(f"page cut to its first {len(text):,} characters (size bound {MAX_CHARS:,})")
    if text.lstrip().startswith("<?xml"):
        text = text[text.find("?>") + 2:]  # an XML declaration would stop lxml parsing a str
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body></body></html>", parser=_PARSER)
        body = root.find("body")
        body.text = text if "<" not in text else None
    if root.find("body") is None:
        etree.SubElement(root, "body")
    if _depth_hit():
        warnings.append(f"markup nested deeper than {LIBXML_MAX_DEPTH} levels: deeper content dropped")
    return root, warnings
