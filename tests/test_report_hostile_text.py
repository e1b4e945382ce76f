"""Archived text with control characters and bidi overrides: the Atom feed stays valid XML, the
HTML report and the terminal get neither raw controls nor U+202E."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pagetrail.report import render
from pagetrail.report.common import neutralise
from tests.test_report_formats import doc, problem, sample_diff

HOSTILE = "evil\x01\x0c\x1b[2J\x9b\u202egnp.exe\ufffe end"


def hostile_items() -> list:
    bad = problem()
    bad.fetch_problem = f"HTTP 500 {HOSTILE}"
    return [sample_diff(HOSTILE), bad]


def test_atom_feed_with_control_characters_is_valid_xml():
    feed = render("atom", doc("report", hostile_items()))
    ET.fromstring(feed.encode("utf-8"))  # raised "not well-formed (invalid token)" before
    assert "\u202e" not in feed and "[U+202E]" in feed


def test_html_report_has_no_control_or_bidi_characters():
    html = render("html", doc("report", hostile_items()))
    assert not any(ch in html for ch in "\x01\x0c\x1b\x9b\u202e\ufffe")
    assert "[U+202E]" in html


def test_text_report_spells_out_bidi_overrides():
    for color in (False, True):
        text = render("text", doc("report", hostile_items(), color=color))
        assert not any(ch in text for ch in "\x01\x0c\x9b\u202e\ufffe")
        assert "[U+202E]gnp.exe" in text
        if not color:
            assert "\x1b" not in text


def test_neutralise_keeps_tabs_newlines_and_ordinary_text():
    assert neutralise("a\tb\nc — שלום \u200f") == "a\tb\nc — שלום \u200f"
    assert neutralise(None) == ""
