"""The work queue by URL alone on RabbitMQ: `pagetrail run --broker amqp://...` and a `pagetrail
worker` on the same URL crawl a batch through a real broker (Debian's rabbitmq-server on loopback)
as they do through Redis."""

from __future__ import annotations

import pytest

from tests.support.cluster import Worker, check_catalog, scheduler, seed_names, seeds_on, stop_all
from tests.support.daemon import RecordingSite
from tests.support.rabbitmq import start_rabbitmq


@pytest.fixture
def rabbitmq():
    yield from start_rabbitmq()


def test_a_worker_crawls_the_batches_a_daemon_queues_in_rabbitmq(tmp_path, rabbitmq):
    site = RecordingSite(delay=0.0)
    names = seed_names(4)
    seeds_on(site, tmp_path, names, "1h")
    worker = Worker(tmp_path, rabbitmq.url, "one")
    daemon = scheduler(tmp_path, rabbitmq.url, "--batch-size", "2", "--once-per-seed")
    try:
        daemon.wait_log("every seed crawled once", timeout=180)
        assert daemon.proc.wait(120) == 0  # --once-per-seed: it stops by itself
    finally:
        stop_all(daemon, worker)
        site.close()
    assert daemon.log().count("by one@") == 2  # two batches of two, both through the broker
    assert "guest:guest" not in daemon.log() + worker.log()  # the URL's password is never shown
    check_catalog(tmp_path / "archive", names, site)
