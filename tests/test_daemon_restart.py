"""The daemon survives SIGTERM and SIGKILL mid-crawl: jobs persist, missed runs are coalesced, a
seed is never crawled twice at once, WARC files end closed and valid, and no capture is lost."""

from __future__ import annotations

import signal
from datetime import UTC, datetime

import pytest

from pagetrail.schedule.jobs import StoreReader, jobstore_url
from tests.support.daemon import Daemon, RecordingSite, check_archive, wait_for, write_seeds


@pytest.fixture
def site():
    s = RecordingSite(delay=0.6)
    yield s
    s.close()


def jobs(archive):
    reader = StoreReader(jobstore_url(archive))
    try:
        return {j.name: j for j in reader.jobs()}
    finally:
        reader.close()


def test_daemon_survives_sigterm_and_sigkill_mid_crawl(tmp_path, site):
    seeds = tmp_path / "seeds.toml"
    write_seeds(seeds, [
        {"name": "a", "url": site.url("/a"), "schedule": "1s", "robots": False},
        {"name": "b", "url": site.url("/b"), "schedule": "2s", "robots": False},
    ])
    archive = tmp_path / "archive"
    args = ("seeds.toml", "--archive", "archive", "--batch-window", "0.3s", "--stop-timeout", "30s")

    # 1. SIGTERM while a page is being fetched: the crawl finishes and closes its WARC file.
    first = Daemon(tmp_path, *args, tag="first")
    first.wait_log("crawl of a, b done")
    wait_for(lambda: site.in_flight() > 0, what="a crawl in flight")
    assert first.stop(signal.SIGTERM) == 0
    assert "pagetrail daemon stopped" in first.log()
    check_archive(archive)

    # 2. Jobs are still in the store with next run times; wait until runs have been missed.
    stored = jobs(archive)
    assert set(stored) == {"a", "b"}
    assert all(j.next_run is not None for j in stored.values())
    latest = max(j.next_run for j in stored.values())
    wait_for(lambda: (datetime.now(UTC) - latest).total_seconds() > 3, what="missed runs")

    # 3. After the restart the missed runs become one crawl of each seed, not several.
    before = {p: site.count(p) for p in ("/a", "/b")}
    second = Daemon(tmp_path, *args, tag="second")
    log = second.wait_log("crawl of ", count=1)
    first_crawl = log[log.index("crawling "):].splitlines()[0]
    assert first_crawl.endswith("crawling a, b"), log
    assert site.count("/a") - before["/a"] == 1 and site.count("/b") - before["/b"] == 1, log
    assert all(j.next_run > latest for j in jobs(archive).values())

    # 4. SIGKILL mid-crawl: the orphaned crawl still holds the archive lock until it has closed
    #    its files; the next daemon waits for it, repairs what is left, and carries on.
    wait_for(lambda: site.in_flight() > 0, what="a crawl in flight")
    second.stop(signal.SIGKILL)
    third = Daemon(tmp_path, *args, tag="third")
    third.wait_log("crawl of a", count=2)
    assert third.stop(signal.SIGTERM) == 0

    # Never two crawls of one seed at once, across all three daemons.
    assert site.max_active["/a"] == 1 and site.max_active["/b"] == 1
    captures = check_archive(archive)
    assert set(jobs(archive)) == {"a", "b"}
    # No capture lost: every page the site finished serving is in the catalog.
    for path in ("/a", "/b"):
        stored = [c for c in captures if c.url == site.url(path) and c.kind != "failed"]
        assert len(stored) == site.count(path), (path, len(stored), site.count(path))


def test_runs_a_killed_daemon_left_waiting_run_once_at_the_next_start(tmp_path, site):
    # Four hourly seeds due together, crawled one at a time: when the daemon dies during the
    # first crawl, three runs were still waiting in it. The job store already points an hour
    # ahead, so only the record of due runs (schedule/handover.py) brings them back.
    names = ["a", "b", "c", "d"]
    write_seeds(tmp_path / "seeds.toml", [{"name": n, "url": site.url(f"/{n}"), "schedule": "1h",
                                           "robots": False} for n in names])
    for name in names:
        site.hold(f"/{name}")
    args = ("seeds.toml", "--archive", "archive", "--batch-window", "0.2s")
    first = Daemon(tmp_path, *args, "--batch-size", "1", tag="first")
    busy = wait_for(lambda: [n for n in names if site.active[f"/{n}"] > 0], what="the first crawl")
    first.stop(signal.SIGKILL)
    for name in names:  # the orphaned crawl finishes its page and exits
        site.release(f"/{name}")
    # The next daemon may take the runs left due in one crawl (one crawl process, not four).
    second = Daemon(tmp_path, *args, "--batch-size", "4", "--once-per-seed", tag="second")
    second.wait_log("every seed crawled once")
    assert second.proc.wait(120) == 0  # --once-per-seed: it stops by itself (no signal race)
    second.stop()
    assert "3 runs left due by the previous daemon" in second.log() or \
        "4 runs left due by the previous daemon" in second.log(), second.log()
    waiting = [n for n in names if n not in busy]
    assert {n: site.count(f"/{n}") for n in waiting} == dict.fromkeys(waiting, 1)
    check_archive(tmp_path / "archive")
