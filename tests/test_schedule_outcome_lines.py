"""The daemon's capture lines say what happened: a 304 is "not modified", and a capture a crawl
saved before `run --stop-timeout` killed it is logged as saved, not as FAILED."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pagetrail.archive import Archive
from pagetrail.schedule.child import CrawlRun
from pagetrail.schedule.outcome import CaptureOutcome, outcomes
from tests.support.warcs import exchange


def test_a_304_is_logged_as_not_modified():
    item = CaptureOutcome("news", "http://e.org/news", True, status=304, kind="revisit",
                          report={"summary": "no change: identical payload (revisit)"})
    assert item.line() == "news: http://e.org/news 304 revisit — no change: not modified (HTTP 304)"
    same = CaptureOutcome("news", "http://e.org/news", True, status=200, kind="revisit",
                          report={"summary": "no change: identical payload (revisit)"})
    assert same.line().endswith("— no change: identical payload (revisit)")


def test_a_capture_saved_before_the_crawl_was_killed_is_not_logged_as_failed(tmp_path):
    now = datetime.now(UTC)
    run = CrawlRun(seeds=("a", "b"), command=[], started=now - timedelta(seconds=2),
                   finished=now, returncode=-9, stopped=True)
    with Archive(tmp_path) as store:
        store.record(exchange("http://example.test/a", at=now - timedelta(seconds=1)))
    items = {o.seed: o for o in outcomes(run, tmp_path, {"a": "http://example.test/a",
                                                          "b": "http://example.test/b"})}
    a, b = items["a"], items["b"]
    assert a.ok and a.status == 200 and a.kind == "new" and a.capture_id is not None
    assert "FAILED" not in a.line() and "saved before the crawl was stopped" in a.line()
    assert not b.ok and b.stopped
    assert b.line() == "b: http://example.test/b FAILED: crawl killed by SIGKILL (daemon stopping)"


def test_crawl_says_not_modified_for_a_304(tmp_path):
    from tests.support.crawl_runs import crawl
    from tests.support.servers import standard_site

    with standard_site() as site:
        runs = [crawl("--url", site.url("/validated"), "--archive", tmp_path / "a", "--json",
                      "--no-robots") for _ in range(2)]
    assert [r.result("127.0.0.1-validated")["status"] for r in runs] == [200, 304], runs[1].stderr
    assert runs[1].summary["changes"] == [f"{site.url('/validated')}: no change: not modified (HTTP 304)"]
