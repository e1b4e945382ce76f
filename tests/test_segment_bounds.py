"""Bounds on segmentation: element count and a hard time bound (a worker process that is killed).
A page over a bound is a capture with a "too large to segment" note, never a crash, a hang or a
change; the captures after it are segmented as usual. No wall-clock assertions: the tests check
what was reported."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap

import pytest

from pagetrail.archive import Archive
from pagetrail.changes import process_captures
from pagetrail.seeds import Selector, SiteRules
from pagetrail.segment import segment
from pagetrail.segment.bounded import segment_bounded
from pagetrail.segment.decode import SegmentError, SegmentTooLarge
from tests.support.daemon import ROOT, wait_for
from tests.support.warcs import exchange, later

ORDINARY = (b"<html><head><title>Ordinary</title></head><body><article><h1>Ordinary</h1>"
            + b"<p>An ordinary paragraph of an ordinary article, long enough to be kept.</p>" * 5
            + b"</article></body></html>")


def paragraphs(n: int) -> bytes:
    return b"<html><body><article>" + b"<p>One more short paragraph.</p>" * n + b"</article></body></html>"


# An XPath whose cost grows with the square of the page: libxml2 runs it in one C call that no
# check between steps can interrupt (12,000 <p>: seconds; 200,000: hours).
QUADRATIC = SiteRules(ignore=(Selector.parse("xpath://p[count(preceding::p) > -1]"),))


def test_element_bound_refuses_a_page_with_too_many_elements(monkeypatch):
    monkeypatch.setenv("PAGETRAIL_SEGMENT_MAX_ELEMENTS", "5000")
    with pytest.raises(SegmentTooLarge) as err:
        segment(paragraphs(6000), "https://example.org/huge")
    assert str(err.value).startswith("too large to segment: 6,00")
    assert segment(paragraphs(100), "https://example.org/fine").article.blocks


def test_time_bound_kills_a_step_that_runs_too_long(monkeypatch):
    with pytest.raises(SegmentTooLarge) as err:
        segment_bounded(paragraphs(12_000), "https://example.org/slow", QUADRATIC, limit=0.5)
    assert "took more than 0.5 s" in str(err.value)
    # a fresh worker takes the next page
    snap = segment_bounded(ORDINARY, "https://example.org/ordinary", limit=30)
    assert snap.article.title == "Ordinary" and snap.article.blocks


def test_worker_reports_errors_as_the_segmenter_raised_them():
    with pytest.raises(SegmentError, match="binary"):
        segment_bounded(b"\x89PNG\r\n\x1a\n" + bytes(200), "https://example.org/img.png", limit=30)
    # the same results as in-process segmentation
    assert segment_bounded(ORDINARY, "https://example.org/o", limit=30) == segment(ORDINARY, "https://example.org/o")


def test_change_step_notes_a_page_over_the_bound_and_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("PAGETRAIL_SEGMENT_MAX_ELEMENTS", "5000")
    url_big, url_ok = "http://example.test/big", "http://example.test/ok"
    with Archive(tmp_path) as archive:
        caps = [archive.record(exchange(url_ok, body=ORDINARY)),
                archive.record(exchange(url_big, body=ORDINARY, at=later(1))),
                archive.record(exchange(url_big, body=paragraphs(6000), at=later(2))),
                archive.record(exchange(url_ok, body=ORDINARY.replace(b"ordinary article", b"edited article"),
                                        at=later(3)))]
        process_captures(archive, [], caps)
        summaries = [archive.get_summary(c.id) for c in caps]
    big = summaries[2]
    assert "too large to segment" in (big.get("fetch_problem") or ""), big
    assert not big.get("changed")  # never "article: 5 removed"
    assert summaries[3]["changed"] and "too large" not in str(summaries[3])


def test_crawl_records_a_page_over_the_bound_and_exits(tmp_path, monkeypatch):
    """The crawl's change step segments in the worker; the crawl still ends (a forked worker
    inherited Scrapy's SIGTERM handler and kept the crawl waiting at exit)."""
    from tests.support.crawl_runs import crawl, write_seeds
    from tests.support.servers import LocalSite, page

    monkeypatch.setenv("PAGETRAIL_SEGMENT_MAX_ELEMENTS", "5000")
    with LocalSite() as site:
        site.add("/huge", page(paragraphs(6000)))
        site.add("/ok", page(ORDINARY))
        seeds = write_seeds(tmp_path / "s.toml", [{"name": "huge", "url": site.url("/huge")},
                                                  {"name": "ok", "url": site.url("/ok")}])
        run = crawl(seeds, "--archive", tmp_path / "archive", "--json")
    assert run.returncode == 0, run.stderr
    changes = run.summary["changes"]
    assert any("/huge: fetch problem:" in line and "too large to segment: 6,00" in line
               for line in changes), changes
    assert any(line.endswith("/ok: first capture") for line in changes), changes


_KILLED_PARENT = textwrap.dedent("""
    import fcntl, multiprocessing, os, signal, sys
    from pagetrail.segment.bounded import segment_bounded
    held = open(sys.argv[1], "w")
    fcntl.flock(held, fcntl.LOCK_EX)  # as the change step's archive holds its WARC file's lock
    segment_bounded(sys.stdin.buffer.read(), "https://site.example/")
    print(*[child.pid for child in multiprocessing.active_children()], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_the_worker_ends_with_a_parent_killed_by_sigkill_and_frees_what_it_inherited(tmp_path):
    held = tmp_path / "held.lock"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT.parent / "src"), os.environ.get("PYTHONPATH", "")])}
    out = tmp_path / "out.txt"
    with out.open("w") as sink:  # a file, not a pipe: a worker left running would hold a pipe open
        done = subprocess.run([sys.executable, "-c", _KILLED_PARENT, str(held)], input=ORDINARY,
                              stdout=sink, stderr=subprocess.STDOUT, env=env, timeout=120)
    assert done.returncode == -9, out.read_text()
    (worker,) = map(int, out.read_text().split())

    def lock_free() -> bool:
        fd = os.open(held, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    try:
        wait_for(lock_free, what="the orphaned worker to exit and release the parent's lock")
    except AssertionError:
        os.kill(worker, 9)  # not left running
        raise
