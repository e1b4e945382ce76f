"""The stored change pipeline over the example site's whole timeline, through a real archive: each
version's change lands in exactly its channel, noise is no change, a revisit is no change without
parsing, fetch problems are never content changes, and summaries are stored with the evidence."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from pagetrail.archive import Archive, Exchange, FailedFetch
from pagetrail.archive.records import summary_of
from pagetrail.changes import ChangeProcessor, diff_captures, history, process_captures, reprocess
from pagetrail.example import PAGE_PATH, VERSIONS, render

URL = f"http://127.0.0.1:8000{PAGE_PATH}"
T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
CAPTCHA = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
           b"<h1>Please verify you are a human</h1><form action='/cdn-cgi/challenge'>"
           b"<div class='g-recaptcha' data-sitekey='x'></div></form></body></html>")


def exchange(body: bytes, when: datetime, status: int = 200, gz: bool = False) -> Exchange:
    headers = [("Content-Type", "text/html; charset=utf-8")]
    if gz:
        body = gzip.compress(body, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    return Exchange(url=URL, method="GET", request_headers=[("User-Agent", "pagetrail-test")],
                    status=status, response_headers=headers, body=body, started=when,
                    seed="heparin", seed_url=URL, role="page")


def capture(archive: Archive, body: bytes, hours: float, status: int = 200, gz: bool = False):
    c = archive.record(exchange(body, T0 + timedelta(hours=hours), status, gz))
    process_captures(archive, [], [c])
    return c


def build_timeline_archive(root: Path) -> tuple[Archive, list]:
    """One capture per example version, each processed as the crawl would after recording it."""
    archive = Archive(root).open()
    captures = [capture(archive, render(v.number), v.number, gz=v.number % 2 == 1) for v in VERSIONS]
    return archive, captures


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    archive, captures = build_timeline_archive(tmp_path_factory.mktemp("timeline") / "archive")
    yield archive, captures
    archive.close()


def _changes(summary: dict, channel: str) -> list[dict]:
    return summary["channels"][channel]["changes"]


def _evidence(expected: dict) -> list[str]:
    """Distinctive strings an expected change must show: its text, author or new link."""
    keys = ("after", "text", "author") if expected["op"] != "removed" else ("before", "text", "author")
    found = [str(expected[k])[:60] for k in keys if expected.get(k)]
    found += [str(x) for x in expected.get("links_after") or []]
    return found


@pytest.mark.parametrize("version", VERSIONS[1:], ids=lambda v: f"v{v.number}")
def test_each_version_changes_exactly_its_channels(timeline, version):
    archive, captures = timeline
    summary = archive.get_summary(captures[version.number].id)
    assert summary["from"]["timestamp"] == captures[version.number - 1].timestamp
    assert not summary["fetch_problem"]
    changed = {name for name, ch in summary["channels"].items() if ch["changed"]}
    assert changed == set(version.changed_channels), summary["summary"]
    assert summary["changed"] == bool(version.changed_channels)
    for channel in version.changed_channels:
        got = _changes(summary, channel)
        expected = version.changes[channel]
        assert Counter(c["op"] for c in got) == Counter(e["op"] for e in expected), summary["summary"]
        for e in expected:
            same_op = [json.dumps(c, ensure_ascii=False) for c in got if c["op"] == e["op"]]
            for text in _evidence(e):
                assert any(text in dumped for dumped in same_op), (channel, e["op"], text)


def test_edited_paragraph_has_word_level_insertions(timeline):
    archive, captures = timeline
    summary = archive.get_summary(captures[3].id)
    edited = next(c for c in _changes(summary, "article") if c["op"] == "edited")
    inserted = " ".join(w["text"] for w in edited["words"] if w["op"] == "insert").split()
    assert set(VERSIONS[3].changes["article"][0]["words_inserted"]) <= set(inserted)


def test_deep_reply_keeps_its_parent(timeline):
    archive, captures = timeline
    added = _changes(archive.get_summary(captures[2].id), "comments")
    reply = next(c for c in added if "Thank you Deb" in (c["after"] or ""))
    assert "comment-1187" in json.dumps(reply)


def test_noise_only_version_is_no_change(timeline):
    archive, captures = timeline
    summary = archive.get_summary(captures[5].id)
    assert summary["changed"] is False and summary["summary"] == "no change"
    assert not any(ch["changed"] for ch in summary["channels"].values())


def test_first_capture_is_marked_as_such(timeline):
    archive, captures = timeline
    summary = archive.get_summary(captures[0].id)
    assert summary["from"] is None and summary["summary"] == "first capture"


def test_summary_is_stored_as_a_warc_metadata_record(timeline):
    archive, captures = timeline
    target = captures[3]
    found = []
    for path in sorted(Path(archive.root).glob("*.warc.gz*")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if (rec.rec_type == "metadata"
                        and rec.rec_headers.get_header("WARC-Refers-To") == target.record_id):
                    assert rec.rec_headers.get_header("Content-Type") == "application/warc-fields"
                    found.append(summary_of(rec.content_stream().read()))
    assert found and found[-1]["summary"] == archive.get_summary(target.id)["summary"]
    assert found[-1]["to"]["record_id"] == target.record_id


def test_revisit_is_no_change_without_parsing(tmp_path):
    with Archive(tmp_path / "a") as archive:
        capture(archive, render(1), 0)
        again = archive.record(exchange(render(1), T0 + timedelta(hours=1)))
        assert again.kind == "revisit"
        proc = ChangeProcessor(archive)
        [pd] = proc.process([again])
        assert proc.segment_calls == 0
        assert not pd.changed and "identical payload (revisit)" in pd.notes
        assert archive.get_summary(again.id)["summary"] == "no change: identical payload (revisit)"


def test_fetch_problems_are_not_changes_and_next_good_capture_uses_last_good(tmp_path):
    with Archive(tmp_path / "a") as archive:
        good = capture(archive, render(1), 0)
        failed = archive.record_failure(FailedFetch(URL, T0 + timedelta(hours=1), "connection refused",
                                                    seed="heparin", seed_url=URL))
        process_captures(archive, [], [failed])
        error = capture(archive, b"<html><body><h1>Internal Server Error</h1></body></html>", 2, status=500)
        captcha = capture(archive, CAPTCHA, 3)
        empty = capture(archive, b"", 4)
        after = capture(archive, render(3), 5)
        for bad in (failed, error, captcha, empty):
            summary = archive.get_summary(bad.id)
            assert summary["fetch_problem"], bad.kind
            assert summary["changed"] is False
            assert summary["from"]["timestamp"] == good.timestamp
            assert not any(ch["changed"] for ch in summary["channels"].values())
        assert "refused" in archive.get_summary(failed.id)["fetch_problem"]
        assert "500" in archive.get_summary(error.id)["fetch_problem"]
        summary = archive.get_summary(after.id)
        assert summary["from"]["timestamp"] == good.timestamp
        changed = {name for name, ch in summary["channels"].items() if ch["changed"]}
        assert changed == {"article", "comments"}  # v1 -> v3, not "everything was added"
        ops = Counter(c["op"] for c in _changes(summary, "article"))
        assert ops == Counter({"edited": 1, "added": 1})


def test_same_captcha_again_stays_a_fetch_problem(tmp_path):
    with Archive(tmp_path / "a") as archive:
        capture(archive, render(0), 0)
        capture(archive, CAPTCHA, 1)
        again = capture(archive, CAPTCHA, 2)
        assert archive.get_summary(again.id)["fetch_problem"]


def test_history_uses_stored_summaries_and_fills_gaps(tmp_path):
    with Archive(tmp_path / "a") as archive:
        captures = [archive.record(exchange(render(v.number), T0 + timedelta(hours=v.number)))
                    for v in VERSIONS[:4]]  # recorded, never processed
        entries = history(archive, URL)
        assert [c.id for c, _s in entries] == [c.id for c in captures]
        assert [s["changed"] for _c, s in entries] == [False, True, True, True]
        proc = ChangeProcessor(archive)
        again = proc.timeline(URL)
        assert proc.segment_calls == 0
        assert [s["summary"] for _c, s in again] == [s["summary"] for _c, s in entries]


def test_reprocess_recomputes_from_the_raw_captures(tmp_path):
    with Archive(tmp_path / "a") as archive:
        captures = [capture(archive, render(v.number), v.number) for v in VERSIONS[:3]]
        good = archive.get_summary(captures[2].id)
        archive.set_summary(captures[2].id, {**good, "summary": "stale", "changed": False})
        assert reprocess(archive, [], URL) == 3
        fresh = archive.get_summary(captures[2].id)
        assert fresh["summary"] == good["summary"] and fresh["changed"] is True


def test_diff_captures_across_several_versions(timeline):
    archive, captures = timeline
    pd = diff_captures(archive, captures[0], captures[4])
    assert {name for name, ch in pd.channels().items() if ch.changed} == {"article", "ads", "comments"}
    assert pd.from_.timestamp == captures[0].timestamp and pd.to.timestamp == captures[4].timestamp


def test_http_charset_is_used_when_the_page_has_no_meta(tmp_path):
    page = ("<html><head><title>Caf\u00e9</title></head><body><article><h1>Caf\u00e9 notes</h1>"
            "<p>{}</p><p>The first paragraph of a long enough article about coffee and pastry.</p>"
            "</article></body></html>")
    with Archive(tmp_path / "a") as archive:
        for hours, extra in ((0, "Opening hours are unchanged this week, as ever."),
                             (1, "Cr\u00e8me br\u00fbl\u00e9e is back on the menu \u00e0 la carte.")):
            ex = exchange(page.format(extra).encode("iso-8859-1"), T0 + timedelta(hours=hours))
            ex.response_headers = [("Content-Type", "text/html; charset=iso-8859-1")]
            c = archive.record(ex)
            process_captures(archive, [], [c])
        dumped = json.dumps(archive.get_summary(c.id)["channels"]["article"], ensure_ascii=False)
        assert "Cr\u00e8me br\u00fbl\u00e9e" in dumped


def test_reprocess_applies_changed_seed_rules(tmp_path):
    from pagetrail.seeds import build_seed

    with Archive(tmp_path / "a") as archive:
        captures = [capture(archive, render(v.number), v.number) for v in VERSIONS[1:3]]
        assert archive.get_summary(captures[1].id)["channels"]["comments"]["changed"]
        seed = build_seed({"url": URL, "name": "heparin", "schedule": "1h",
                           "rules": {"ignore": ["#comments"]}})
        reprocess(archive, [seed], URL)
        summary = archive.get_summary(captures[1].id)
        assert summary["summary"] == "no change" and summary["rules"] != "none"


def test_diff_captures_reuses_the_stored_summary_of_adjacent_captures(timeline):
    archive, captures = timeline
    stored = archive.get_summary(captures[3].id)
    archive.set_summary(captures[3].id, {**stored, "notes": ["read from the catalog"]})
    try:
        pd = diff_captures(archive, captures[2], captures[3])
        assert pd.notes == ["read from the catalog"] and pd.article.changed and not pd.ads.changed
        assert diff_captures(archive, captures[1], captures[3]).notes == []  # not adjacent: computed
    finally:
        archive.set_summary(captures[3].id, stored)
