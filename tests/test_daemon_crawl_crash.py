"""A crawl that fails or crashes is logged and never stops the scheduler; a crawl killed mid-write
leaves a WARC file that the next crawl repairs."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.support.daemon import (
    Daemon,
    RecordingSite,
    check_archive,
    children_of,
    free_port_url,
    wait_for,
    write_seeds,
)


@pytest.fixture
def site():
    s = RecordingSite(delay=0.8)
    yield s
    s.close()


def crawls_of(daemon: int) -> list[int]:
    """The daemon's crawl processes: its children, or those of its crawl launcher (launcher.py)."""
    out = []
    for child in children_of(daemon):
        if b"pagetrail.schedule.launcher" in Path(f"/proc/{child}/cmdline").read_bytes():
            out += children_of(child)
        else:
            out.append(child)
    return out


def test_failed_and_killed_crawls_do_not_stop_the_scheduler(tmp_path, site):
    write_seeds(tmp_path / "seeds.toml", [
        {"name": "a", "url": site.url("/a"), "schedule": "1s", "robots": False},
        {"name": "down", "url": free_port_url("/down"), "schedule": "1s", "robots": False},
    ])
    daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive", "--batch-window", "0.2s")
    try:
        daemon.wait_log("down: http://127.0.0.1:", count=1)
        assert "FAILED" in daemon.log()
        # Kill the running crawl outright, as the OOM killer would.
        wait_for(lambda: site.in_flight() > 0, what="a crawl in flight")
        for child in crawls_of(daemon.proc.pid):
            os.kill(child, signal.SIGKILL)
        daemon.wait_log("killed by SIGKILL after")
        captured = daemon.log().count(f"a: {site.url('/a')} 200")
        daemon.wait_log(f"a: {site.url('/a')} 200", count=captured + 1)
    finally:
        assert daemon.stop() == 0
    log = daemon.log()
    assert log.count("down: http://127.0.0.1:") >= 2
    check_archive(tmp_path / "archive")
