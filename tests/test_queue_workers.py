"""`pagetrail run --broker` + `pagetrail worker`: one scheduler queues crawl batches in a real Redis
(Debian's redis-server on loopback), Celery workers crawl them into one archive.

Each scenario ends with the archive's own check: every WARC valid and every catalog row readable
from its WARC file, one row per WARC record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support.daemon import Daemon, RecordingSite, check_archive, wait_for, write_seeds
from tests.support.redis import start_redis

VISIBILITY = "8s"  # short, so a killed worker's batch comes back quickly; batches here take ~1 s


class Worker(Daemon):
    """``python -m pagetrail worker ...`` as a subprocess, its log in a file."""

    def __init__(self, tmp: Path, broker: str, name: str):  # noqa: D107 - Daemon's log helpers
        self.log_path = tmp / f"worker-{name}.log"
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pagetrail", "worker", "--broker", broker, "--archive",
             "archive", "--visibility-timeout", VISIBILITY, "--name", name],
            cwd=tmp, stdout=self.log_file, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True,
        )


@pytest.fixture
def redis():
    yield from start_redis()


@pytest.fixture
def persistent_redis():
    yield from start_redis(persistent=True)


def scheduler(tmp: Path, broker: str) -> Daemon:
    return Daemon(tmp, "seeds.toml", "--archive", "archive", "--broker", broker,
                  "--batch-window", "0.2s", "--batch-size", "1", "--visibility-timeout", VISIBILITY,
                  "--stop-timeout", "5s")


def seeds_on(site: RecordingSite, tmp: Path, names: list[str], schedule: str) -> None:
    write_seeds(tmp / "seeds.toml", [{"name": n, "url": site.url(f"/{n}"), "schedule": schedule,
                                      "robots": False} for n in names])


def check_catalog(archive: Path) -> list:
    """One catalog row per WARC record: no record cataloged twice, none left out."""
    from warcio.archiveiterator import ArchiveIterator

    captures = check_archive(archive)
    ids = [c.record_id for c in captures if c.record_id]
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    in_warcs = set()
    for warc in archive.glob("*.warc.gz"):
        with open(warc, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    in_warcs.add(record.rec_headers.get_header("WARC-Record-ID"))
    cataloged = {c.record_id for c in captures if c.kind in ("response", "revisit")}
    assert cataloged == in_warcs
    from pagetrail.archive import Archive

    store = Archive.existing(archive)
    try:  # no lost summary: every capture's change summary was stored by the worker's crawl
        missing = [c.url for c in captures if c.kind in ("response", "revisit")
                   and store.get_summary(c.id) is None]
    finally:
        store.close()
    assert not missing, missing
    return captures


def stop_all(*procs: Daemon) -> None:
    for proc in procs:
        try:
            proc.stop(timeout=60)
        except subprocess.TimeoutExpired:
            proc.proc.kill()
            proc.proc.wait()


def test_two_workers_capture_every_seed_that_one_scheduler_queues(tmp_path, redis):
    site = RecordingSite(delay=0.1)
    names = ["a", "b", "c", "d"]
    seeds_on(site, tmp_path, names, "2s")
    daemon = scheduler(tmp_path, redis.url)
    first, second = Worker(tmp_path, redis.url, "one"), Worker(tmp_path, redis.url, "two")
    try:
        for name in names:
            daemon.wait_log(f"{name}: {site.url('/' + name)} 200", count=2)
    finally:
        stop_all(daemon, first, second)
        site.close()
    assert "crawling" in first.log() and "crawling" in second.log(), "both workers took batches"
    assert "by one@" in daemon.log() and "by two@" in daemon.log()
    captures = check_catalog(tmp_path / "archive")
    for name in names:
        assert sum(c.url == site.url(f"/{name}") for c in captures) >= 2


def test_a_batch_whose_worker_is_killed_is_crawled_by_another_worker(tmp_path, redis):
    site = RecordingSite(delay=0.1)
    site.hold("/slow")  # the first worker's crawl stays busy until it is killed
    seeds_on(site, tmp_path, ["slow"], "1h")
    daemon = scheduler(tmp_path, redis.url)
    first = Worker(tmp_path, redis.url, "one")
    second = None
    try:
        first.wait_log("crawling slow")
        wait_for(lambda: site.active["/slow"] > 0, what="the first worker's request")
        second = Worker(tmp_path, redis.url, "two")
        second.wait_log("pagetrail worker two@")
        os.killpg(first.proc.pid, signal.SIGKILL)  # the worker and its crawl, as a machine dies
        first.proc.wait()
        second.wait_log("crawling slow", timeout=120)  # after the visibility timeout
        site.release("/slow")
        daemon.wait_log(f"slow: {site.url('/slow')} 200")
        assert "by two@" in daemon.log()
    finally:
        stop_all(*(p for p in (daemon, second) if p is not None))
        first.log_file.close()
        site.close()
    captures = check_catalog(tmp_path / "archive")
    assert any(c.url == site.url("/slow") and c.status == 200 for c in captures)


def test_scheduling_resumes_when_redis_comes_back(tmp_path, persistent_redis):
    redis = persistent_redis
    site = RecordingSite(delay=0.1)
    names = ["a", "b"]
    seeds_on(site, tmp_path, names, "1s")
    daemon = scheduler(tmp_path, redis.url)
    worker = Worker(tmp_path, redis.url, "one")
    try:
        for name in names:
            daemon.wait_log(f"{name}: {site.url('/' + name)} 200")
        redis.stop()
        daemon.wait_log("unreachable")
        before = {name: daemon.log().count(f"{name}: {site.url('/' + name)} 200") for name in names}
        redis.start()
        daemon.wait_log("reachable again")
        for name in names:
            daemon.wait_log(f"{name}: {site.url('/' + name)} 200", count=before[name] + 2,
                            timeout=120)
        # Runs due while Redis was away were coalesced: one queued batch per seed at a time.
        assert daemon.log().count("due again while its crawl is still running") <= len(names)
    finally:
        stop_all(daemon, worker)
        site.close()
    check_catalog(tmp_path / "archive")
