"""Retry-After on 429/503 is honoured up to PAGETRAIL_RETRY_AFTER_MAX; a seed page redirecting to
another site (or to file:) is a clear failure, never archived as the page; Scrapy's
DownloadFailedError reads as one line."""

from __future__ import annotations

import time

from pagetrail.archive import Archive
from pagetrail.changes import history
from pagetrail.crawl.politeness import retry_after_seconds
from tests.support.crawl_runs import crawl, write_seeds
from tests.support.servers import LocalSite, Reply, _send, page, raw, redirect


def busy_then_ok(retry_after: str, times: list[float]):  # noqa: ANN201 - a handler
    def handle(req) -> None:  # noqa: ANN001
        times.append(time.monotonic())
        if len(times) == 1:
            _send(req, Reply(b"busy", 503, "text/plain", [("Retry-After", retry_after)]))
        else:
            _send(req, Reply(b"<html><body><p>Back again.</p></body></html>"))
    return handle


def test_retry_after_parses_seconds_and_dates():
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_retry_after_is_waited_for_and_a_long_one_not_retried(tmp_path):
    short, long_ = [], []
    with LocalSite() as site:
        site.add("/short", busy_then_ok("2", short))
        site.add("/long", busy_then_ok("3600", long_))
        seeds = write_seeds(tmp_path / "s.toml", [{"name": "short", "url": site.url("/short")},
                                                  {"name": "long", "url": site.url("/long")}])
        run = crawl(seeds, "--archive", tmp_path / "archive", "--json", "--no-robots")
    assert run.result("short")["error"] is None, run.stderr
    assert len(short) == 2 and short[1] - short[0] >= 1.9  # was retried within 0.7 s
    assert len(long_) == 1  # not hammered three times in a second
    error = run.result("long")["error"]
    assert "Retry-After 3600 s" in error and "not retried" in error and "\n" not in error


def test_redirect_to_another_site_or_file_is_a_failure_not_the_page(tmp_path):
    with LocalSite() as site, LocalSite() as other:
        other.add("/elsewhere", page("<html><body><p>Someone else's page.</p></body></html>"))
        # 127.0.0.1 and localhost are different hosts (and sites) to the policy
        site.add("/away", redirect(f"http://localhost:{other.port}/elsewhere"))
        site.add("/file", redirect("file:///etc/passwd"))
        site.add("/moved", redirect(site.url("/here")))
        site.add("/here", page("<html><body><p>The page, moved on its own site.</p></body></html>"))
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": "away", "url": site.url("/away")}, {"name": "file", "url": site.url("/file")},
            {"name": "moved", "url": site.url("/moved")}])
        run = crawl(seeds, "--archive", tmp_path / "archive", "--json", "--no-robots")
        other_hits = list(other.hits)
    assert run.returncode == 1
    assert "redirect to another site not followed" in run.result("away")["error"]
    assert "redirect to a file: URL not followed" in run.result("file")["error"]
    assert run.result("moved")["error"] is None
    assert not other_hits  # never fetched, so never archived as the page
    with Archive(tmp_path / "archive") as archive:
        assert not [c for c in archive.captures() if "elsewhere" in c.url]
        # The refused 3xx is the seed's own answer: its timeline has the crawl, as a fetch problem
        # (it said "no captures of this URL" when the 3xx was stored as a hop).
        for name in ("away", "file"):
            [(capture, summary)] = history(archive, site.url(f"/{name}"))
            assert capture.status == 302 and summary["fetch_problem"], summary


def test_unparsable_response_is_one_readable_line(tmp_path):
    with LocalSite() as site:
        site.add("/garbage", raw(b"garbage line\r\n\r\n"))
        seeds = write_seeds(tmp_path / "s.toml", [{"name": "g", "url": site.url("/garbage")}])
        run = crawl(seeds, "--archive", tmp_path / "archive", "--json", "--no-robots",
                    "--set", "RETRY_TIMES=0")
    error = run.result("g")["error"]
    assert error.startswith("download failed: not a valid HTTP response"), error
    assert "Failure" not in error and "<" not in error
