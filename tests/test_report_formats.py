"""Each report format on hand-made PageDiffs: the JSON keys, the text markers and colours, escaping in
HTML, and a valid Atom feed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from pagetrail.diff.model import CaptureRef, Change, ChannelDiff, PageDiff, WordOp
from pagetrail.report import ReportDoc, ReportOptions, formats, render, summary_line

URL = "http://127.0.0.1:8000/2011/05/heparin/"
ATOM = "{http://www.w3.org/2005/Atom}"


def ref(ts: str, offset: int = 0) -> CaptureRef:
    return CaptureRef(timestamp=ts, record_id=f"<urn:uuid:{ts}>", warc_file="pagetrail-1.warc.gz",
                      offset=offset, status=200, digest=f"sha1:{ts}")


def sample_diff(payload: str = "") -> PageDiff:
    """A diff with one change of each kind: edited paragraph, swapped affiliate link, new reply."""
    article = ChannelDiff(changed=True, count_before=3, count_after=3, changes=[
        Change("edited", before=f"Heparin is a blood thinner {payload}", kind="paragraph",
               after="Heparin is a widely used blood thinner", index_before=1, index_after=1,
               words=[WordOp("equal", "Heparin is a"), WordOp("insert", "widely used"),
                      WordOp("equal", "blood thinner"), WordOp("delete", payload)] if payload else []),
        Change("moved", before="Dosage", after="Dosage", kind="heading", index_before=2, index_after=0),
    ])
    ads = ChannelDiff(changed=True, count_before=1, count_after=1, changes=[
        Change("edited", before="Buy now", after="Buy now", kind="affiliate-link",
               detail={"links_before": ["http://x.hop.clickbank.net/?aff=1"],
                       "links_after": ["javascript:alert(1)"], "position": "in-article"}),
    ])
    comments = ChannelDiff(changed=True, count_before=2, count_after=3, changes=[
        Change("added", after=f"I agree {payload}", kind="comment", index_after=2,
               detail={"author": "Alice", "date": "2011-05-03", "parent": "comment-12"}),
    ])
    return PageDiff(url=URL, from_=ref("20261125100000000", 100), to=ref("20261125110000123", 9000),
                    changed=True, article=article, ads=ads, comments=comments)


def no_change() -> PageDiff:
    return PageDiff(url=URL, from_=ref("20261125110000123"), to=ref("20261125120000000"),
                    notes=["identical payload (revisit)"])


def problem() -> PageDiff:
    return PageDiff(url=URL, from_=ref("20261125120000000"), to=ref("20261125130000000"),
                    fetch_problem="HTTP 500")


def doc(mode: str = "diff", items: list | None = None, color: bool = False) -> ReportDoc:
    return ReportDoc(mode=mode, title=f"Changes to {URL}", url=URL,
                     items=items if items is not None else [sample_diff()],
                     options=ReportOptions(color=color))


def test_registry_finds_every_format_module():
    assert {"text", "json", "html", "atom"} <= set(formats())


def test_json_has_the_documented_keys():
    data = json.loads(render("json", doc()))
    assert data["schema"] == 2
    for key in ("url", "from", "to", "changed", "channels", "fetch_problem", "notes", "summary"):
        assert key in data
    for side in ("from", "to"):
        assert {"timestamp", "record_id", "warc_file", "offset", "replay"} <= set(data[side])
    assert set(data["channels"]) == {"article", "ads", "comments"}
    for ch in data["channels"].values():
        assert {"changed", "changes", "count_before", "count_after", "truncated"} <= set(ch)
        for change in ch["changes"]:
            assert change["op"] in ("added", "removed", "edited", "moved")
            assert {"before", "after", "kind", "words", "detail"} <= set(change)
    assert data["to"]["replay"] == f"http://localhost:8080/pagetrail/20261125110000/{URL}"


def test_json_history_wraps_one_entry_per_capture():
    data = json.loads(render("json", doc("history", [sample_diff(), no_change(), problem()])))
    assert data["kind"] == "history" and len(data["captures"]) == 3
    assert data["captures"][2]["fetch_problem"] == "HTTP 500"


def test_text_is_plain_without_colour_and_marks_words():
    out = render("text", doc())
    assert "\x1b[" not in out
    assert "{+widely used+}" in out
    assert "pagetrail-1.warc.gz:100" in out and "pagetrail-1.warc.gz:9000" in out
    assert "comments: 1 added (2 → 3)" in out
    assert "reply to comment-12" in out


def test_text_colours_for_a_terminal():
    out = render("text", doc(color=True))
    assert "\x1b[32m{+widely used+}\x1b[0m" in out


def test_text_strips_escape_sequences_from_archived_text():
    out = render("text", doc(items=[sample_diff("\x1b[2J\x1b]0;pwned\x07")]))
    assert "\x1b[2J" not in out and "\x07" not in out


def test_text_says_no_change_and_fetch_problem():
    out = render("text", doc("history", [no_change(), problem()]))
    assert "no change: identical payload (revisit)" in out
    assert "fetch problem: HTTP 500" in out
    assert summary_line(problem()) == "fetch problem: HTTP 500"


def test_html_escapes_archived_content_and_has_csp():
    hostile = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
    out = render("html", doc(items=[sample_diff(hostile)]))
    assert "<script" not in out.lower()
    assert "onerror=\"" not in out
    assert "&lt;script&gt;" in out
    assert "Content-Security-Policy" in out and "default-src 'none'" in out
    assert 'href="javascript:' not in out
    assert 'href="http://localhost:8080/pagetrail/20261125100000/http://127.0.0.1:8000/' in out
    assert "<del>" in out and "<ins>widely used</ins>" in out


def test_html_history_lists_timeline_and_details():
    out = render("html", doc("history", [sample_diff(), no_change(), problem()]))
    assert out.count('<section class="page"') == 3  # timeline + changed + problem
    assert "fetch problem: HTTP 500" in out


def test_atom_feed_is_valid_and_has_entries():
    out = render("atom", doc("report", [sample_diff("<b>x</b>"), no_change(), problem()]))
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2  # the no-change capture is not an entry
    for entry in entries:
        for tag in ("id", "title", "updated", "link", "content"):
            assert entry.find(f"{ATOM}{tag}") is not None
    assert entries[0].find(f"{ATOM}updated").text == "2026-11-25T13:00:00.000Z"
    content = entries[1].find(f"{ATOM}content")
    assert content.get("type") == "html" and "&lt;b&gt;x&lt;/b&gt;" in content.text
    again = ET.fromstring(render("atom", doc("report", [sample_diff("<b>x</b>")])).encode())
    assert again.find(f"{ATOM}entry/{ATOM}id").text == entries[1].find(f"{ATOM}id").text


def test_html_period_report_has_an_index_of_pages():
    from pagetrail.diff.model import CaptureRef, Change, ChannelDiff, PageDiff
    from pagetrail.report import ReportDoc, render

    def entry(url: str, ts: str) -> PageDiff:
        return PageDiff(url, CaptureRef("20261201000000000"), CaptureRef(ts), changed=True,
                        article=ChannelDiff(True, [Change("added", None, "new text", "paragraph", None, 0)], 0, 1))

    items = [entry("http://a.test/", "20261202000000000"), entry("http://a.test/", "20261203000000000"),
             entry("http://b.test/", "20261203000000000")]
    html = render("html", ReportDoc(mode="report", title="Changes", items=items))
    index = html.split("<h2>Pages</h2>", 1)[1].split("</section>", 1)[0]
    assert index.count("<tr>") == 3  # header + two pages
    assert 'href="#e0"' in index and 'href="#e1"' in index and 'href="#e2"' in index
    assert 'id="e2"' in html
