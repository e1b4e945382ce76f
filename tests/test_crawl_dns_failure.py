"""A host that does not resolve: each attempt is kept as a failed capture naming the URL, and the
other seeds of the crawl are archived as usual. (``.invalid`` never resolves: RFC 6761.)"""

from __future__ import annotations

from pagetrail.archive import Archive
from tests.support.crawl_runs import crawl, read_records, warcio_check, write_seeds
from tests.support.servers import standard_site

NOWHERE = "http://no-such-host.invalid/page"


def test_unresolvable_host_is_recorded_and_the_other_seeds_are_archived(tmp_path):
    archive = tmp_path / "archive"
    with standard_site() as site:
        seeds = write_seeds(tmp_path / "s.toml", [{"name": "nowhere", "url": NOWHERE},
                                                  {"name": "home", "url": site.url("/")}])
        run = crawl(seeds, "--archive", archive, "--json")
    assert run.returncode == 1, run.stderr  # some pages failed
    failed = run.result("nowhere")
    assert failed["error"] == f"DNS lookup failed: {NOWHERE}"
    assert run.result("home")["kind"] == "new"
    with Archive(archive) as arch:
        attempts = arch.captures(NOWHERE)
    assert attempts and all(c.kind == "failed" for c in attempts)
    assert all(c.error == f"DNS lookup failed: {NOWHERE}" for c in attempts)
    # each attempt is a metadata record an archivist can find by URL
    metadata = [r for r in read_records(archive)
                if r.type == "metadata" and r.warc["WARC-Target-URI"] == NOWHERE]
    assert len(metadata) == len(attempts)
    assert warcio_check(archive).returncode == 0
