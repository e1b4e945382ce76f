"""`pagetrail run --parallel 2`: a crawl that becomes due while another is busy starts at once in
a child of its own, each with its own archive worker, into one archive."""

from __future__ import annotations

from tests.support.daemon import Daemon, RecordingSite, check_archive, wait_for, write_seeds


def test_parallel_two_starts_a_second_crawl_while_the_first_is_busy(tmp_path):
    site = RecordingSite(delay=0.1)
    site.hold("/slow")  # the first crawl stays busy until both crawls were seen in flight
    seeds = tmp_path / "seeds.toml"
    slow = {"name": "slow", "url": site.url("/slow"), "schedule": "1h", "robots": False}
    added = {"name": "added", "url": site.url("/added"), "schedule": "1h", "robots": False}
    write_seeds(seeds, [slow])
    daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive", "--batch-window", "0.2s",
                    "--parallel", "2")
    try:
        wait_for(lambda: site.active["/slow"] > 0, what="the first crawl's request")
        write_seeds(seeds, [slow, added])  # a new seed is due at once
        both = wait_for(lambda: site.active["/slow"] > 0 and site.active["/added"] > 0,
                        what="both crawls in flight at once", interval=0.02)
        assert both
        site.release("/slow")
        daemon.wait_log(f"added: {site.url('/added')} 200")
        daemon.wait_log(f"slow: {site.url('/slow')} 200")
    finally:
        daemon.stop()
        site.close()
    captures = check_archive(tmp_path / "archive")
    assert sorted(c.url for c in captures) == [site.url("/added"), site.url("/slow")]
