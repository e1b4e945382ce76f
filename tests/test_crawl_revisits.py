"""Refetching: unchanged -> identical-payload revisit, 304 -> server-not-modified revisit,
changed -> a new response; conditional headers come from the previous capture."""

from __future__ import annotations

import pytest

from tests.support.crawl_runs import crawl, read_records, warcio_check, write_seeds
from tests.support.servers import HTML, standard_site

# The whole module in one test process (--dist loadgroup): its two crawls, made once.
pytestmark = pytest.mark.xdist_group("crawl_revisits")

IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("revisits")
    archive = tmp / "archive"
    with standard_site() as site:
        seed_file = write_seeds(tmp / "seeds.toml", [
            {"name": "same", "url": site.url("/"), "warc_prefix": "trail"},
            {"name": "changing", "url": site.url("/changing"), "warc_prefix": "trail"},
            {"name": "validated", "url": site.url("/validated"), "warc_prefix": "trail"},
        ])
        first = crawl(seed_file, "--archive", archive, "--json")
        site.set_page("/changing", HTML.format(title="Changing", text="second version"))
        # the second run writes from the archive thread: both ways must archive the same
        second = crawl(seed_file, "--archive", archive, "--json",
                       "--set", "PAGETRAIL_ARCHIVE_WRITER=thread")
        yield site, first, second, archive, read_records(archive)


def records_for(records, url):
    return [r for r in records if r.type in ("response", "revisit")
            and r.warc.get("WARC-Target-URI") == url]


def test_both_crawls_succeed(two_crawls):
    _, first, second, archive, _ = two_crawls
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert [r["kind"] for r in first.summary["results"]] == ["new", "new", "new"]
    assert [r["kind"] for r in second.summary["results"]] == ["revisit", "new", "revisit"]
    assert warcio_check(archive).returncode == 0
    # every seed of the crawl shares a warc_prefix: the files are named with it
    names = [p.name for p in archive.glob("*.warc.gz")]
    assert names and all(n.startswith("trail-") for n in names)


def test_change_lines_name_their_page(two_crawls):
    site, _, second, _, _ = two_crawls
    urls = (site.url("/"), site.url("/changing"), site.url("/validated"))
    assert all(line.startswith(urls) for line in second.summary["changes"])


def test_unchanged_page_becomes_identical_payload_revisit(two_crawls):
    site, *_, records = two_crawls
    original, revisit = records_for(records, site.url("/"))
    assert original.type == "response" and revisit.type == "revisit"
    assert revisit.warc["WARC-Profile"] == IDENTICAL
    assert revisit.warc["WARC-Refers-To"] == original.warc["WARC-Record-ID"]
    assert revisit.warc["WARC-Refers-To-Target-URI"] == site.url("/")
    assert revisit.warc["WARC-Payload-Digest"] == original.warc["WARC-Payload-Digest"]
    assert revisit.warc["WARC-Truncated"] == "length"  # WARC 1.1 section 6.7.2
    assert revisit.payload == b""


def test_changed_page_gets_a_new_response(two_crawls):
    site, *_, records = two_crawls
    first, second = records_for(records, site.url("/changing"))
    assert first.type == second.type == "response"
    assert b"second version" in second.payload


def test_304_is_a_server_not_modified_revisit(two_crawls):
    site, *_, records = two_crawls
    hits = site.hits_for("/validated")
    assert "If-None-Match" not in hits[0].headers
    assert hits[1].headers.get("If-None-Match") == '"v1-abc"'
    assert hits[1].headers.get("If-Modified-Since")
    original, revisit = records_for(records, site.url("/validated"))
    # Written as Heritrix does, so replay serves the original page: no block of its own
    assert revisit.type == "revisit" and revisit.status is None
    assert revisit.warc["WARC-Profile"] == NOT_MODIFIED
    assert revisit.warc["Content-Length"] == "0" and revisit.warc["WARC-Truncated"] == "length"
    assert revisit.warc["WARC-Refers-To"] == original.warc["WARC-Record-ID"]
    assert revisit.warc["WARC-Payload-Digest"] == original.warc["WARC-Payload-Digest"]


def test_revisit_record_is_small(two_crawls):
    """The archive's bytes per unchanged refetch: revisit + request record, gzipped."""
    site, *_, archive, _ = two_crawls
    from pagetrail.archive import Archive

    with Archive(archive) as arch:
        revisit = [c for c in arch.captures(site.url("/")) if c.kind == "revisit"][0]
    assert revisit.length is not None and revisit.length < 1500
