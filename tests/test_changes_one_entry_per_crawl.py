"""A page's timeline has one entry per crawl: its final outcome. Scrapy's retries (a 500 that then
answered 200, a refused connection tried three times) stay in the WARC files and are shown as
evidence of that entry, never as captures of their own in history, report or feed."""

from __future__ import annotations

import json

from pagetrail.archive import Archive
from pagetrail.cli import main
from pagetrail.example import render
from tests.support.crawl_runs import crawl
from tests.support.servers import LocalSite, closed_port, page


def flaky(body: bytes, failures: int):  # noqa: ANN201 - a handler
    """Answers 500 ``failures`` times, then the page, every time it is asked again."""
    count = {"n": 0}
    error, good = page(b"<html><body>Internal error</body></html>", 500), page(body)

    def handle(req) -> None:  # noqa: ANN001
        count["n"] += 1
        if count["n"] % (failures + 1):
            error(req)
        else:
            good(req)

    return handle


def _history(url: str, archive_dir, capsys) -> list[dict]:  # noqa: ANN001
    assert main(["history", url, "--format", "json", "--archive", str(archive_dir)]) == 0
    return json.loads(capsys.readouterr().out)["captures"]


def test_retried_500_then_200_is_one_timeline_entry_per_crawl(tmp_path, capsys):
    archive_dir = tmp_path / "archive"
    with LocalSite() as site:
        site.add("/flaky/", flaky(render(1), failures=1))
        url = site.url("/flaky/")
        for _ in range(2):
            run = crawl("--url", url, "--archive", archive_dir, "--no-robots")
            assert run.returncode == 0, run.stderr
    with Archive(archive_dir) as archive:
        statuses = [c.status for c in archive.captures(url=url)]
    assert statuses == [500, 200, 500, 200]  # every attempt is archived

    entries = _history(url, archive_dir, capsys)
    assert [e["summary"] for e in entries] == ["first capture", "no change: identical payload (same digest)"]
    for entry in entries:
        assert [a["status"] for a in entry["attempts"]] == [500]  # the retry, as evidence
        assert entry["to"]["status"] == 200

    assert main(["report", "--since", "2000-01-01", "--format", "json", "--archive", str(archive_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert all(not c.get("fetch_problem") for p in report["pages"] for c in p["changes"])
    assert main(["feed", "--archive", str(archive_dir)]) == 0
    assert "HTTP 500" not in capsys.readouterr().out


def test_refused_connection_is_one_fetch_problem_per_crawl(tmp_path, capsys):
    archive_dir = tmp_path / "archive"
    url = f"http://127.0.0.1:{closed_port()}/gone/"
    for _ in range(2):
        crawl("--url", url, "--archive", archive_dir, "--no-robots")
    with Archive(archive_dir) as archive:
        assert [c.kind for c in archive.captures(url=url)] == ["failed"] * 6  # 3 attempts a crawl

    entries = _history(url, archive_dir, capsys)
    assert len(entries) == 2
    for entry in entries:
        assert entry["fetch_problem"].startswith("connection refused")
        assert len(entry["attempts"]) == 2


def test_text_history_shows_each_summary_once_and_the_retries(capsys):
    from pagetrail.diff.model import CaptureRef, Change, ChannelDiff, PageDiff
    from pagetrail.report import ReportDoc, render

    pd = PageDiff("http://x.test/", CaptureRef("20261201000000000"), CaptureRef("20261202000000000", status=200),
                  changed=True, article=ChannelDiff(True, [Change("edited", "a b", "a c", "paragraph", 0, 0)], 1, 1),
                  attempts=[CaptureRef("20261201235959000", status=500)])
    text = render("text", ReportDoc(mode="history", title="History", items=[pd]))
    assert text.count("article: 1 edited") == 1, text
    assert "after 1 retry in the same crawl" in text and "HTTP 500" in text


def test_html_report_shows_the_retries_as_evidence():
    from pagetrail.diff.model import CaptureRef, PageDiff
    from pagetrail.report import ReportDoc, render

    pd = PageDiff("http://x.test/", None, CaptureRef("20261202000000000", status=200), notes=["first capture"],
                  attempts=[CaptureRef("20261201235959000", error="connection refused: http://x.test/")])
    html = render("html", ReportDoc(mode="diff", title="Diff", items=[pd]))
    assert "after 1 retry in the same crawl" in html and "connection refused" in html
