"""The daemon's crawls append to one stream of WARC files: many crawls, one file (closed and
indexed when the daemon stops), change summaries in it too."""

from __future__ import annotations

from pagetrail.archive import Archive, cdxj
from tests.support.daemon import Daemon, RecordingSite, check_archive, write_seeds
from tests.support.warcs import members, split_record

CRAWLS = 4


def test_a_daemons_crawls_share_one_warc_file(tmp_path):
    site = RecordingSite(delay=0.0)
    try:
        write_seeds(tmp_path / "seeds.toml", [
            {"name": name, "url": site.url(f"/{name}"), "schedule": "1s", "robots": False}
            for name in ("a", "b", "c")])
        daemon = Daemon(tmp_path, "seeds.toml", "--archive", "archive", "--batch-window", "0.5s")
        try:
            daemon.wait_log("crawl of a, b, c done", count=CRAWLS)
        finally:
            assert daemon.stop() == 0, daemon.log()
    finally:
        site.close()
    archive = tmp_path / "archive"
    captures = check_archive(archive)  # every file closed (renamed) and valid
    assert len([c for c in captures if c.kind == "response"]) >= 3 * CRAWLS
    (warc,) = archive.glob("*.warc.gz")  # one file for all the crawls
    types = [split_record(raw)[0]["WARC-Type"] for _, _, raw in members(warc)]
    assert types.count("warcinfo") == 1
    assert types.count("metadata") >= 3 * CRAWLS  # the change summaries, same stream
    with Archive.existing(archive) as store:
        indexed = [line for line in cdxj.iter_index(archive) if warc.name in line]
        assert len(indexed) == len([c for c in store.captures() if c.kind != "failed"])
