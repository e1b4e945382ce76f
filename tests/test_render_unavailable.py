"""render = true without Chromium, or with one that will not start: one clear line naming the
package before anything is fetched, or a capture without its rendering, never a lost capture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pagetrail.seeds import SeedError, build_seed
from tests.support.crawl_runs import ROOT, write_seeds
from tests.support.servers import LocalSite, page


@dataclass
class Crawled:
    done: subprocess.CompletedProcess
    seeds: Path
    fetched: int  # requests the site answered

    @property
    def summary(self) -> dict:
        return json.loads(self.done.stdout)


def crawl_rendered(tmp_path: Path, *args: str, **env: str) -> Crawled:
    """``pagetrail crawl`` of one local page with ``render = true``, ``env`` added to ours."""
    with LocalSite() as site:
        site.add("/", page("<p>hi</p>"))
        seeds = write_seeds(tmp_path / "s.toml", [{"url": site.url("/"), "name": "x", "render": True}])
        done = subprocess.run([sys.executable, "-m", "pagetrail", "crawl", str(seeds), "--archive",
                               str(tmp_path / "archive"), *args], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env})
    return Crawled(done, seeds, len(site.hits))


def test_render_must_be_true_or_false():
    with pytest.raises(SeedError, match="field 'render': must be true or false"):
        build_seed({"url": "http://example.com/", "schedule": "1h", "render": "yes"})
    assert build_seed({"url": "http://example.com/", "schedule": "1h", "render": True}).render
    assert not build_seed({"url": "http://example.com/", "schedule": "1h"}).render


def test_missing_chromium_is_one_line_naming_the_package(tmp_path):
    run = crawl_rendered(tmp_path, PAGETRAIL_CHROMIUM=str(tmp_path / "no-such-chromium"))
    assert run.done.returncode == 2, run.done.stderr
    errors = [ln for ln in run.done.stderr.splitlines() if ln.startswith("pagetrail: error:")]
    assert len(errors) == 1, run.done.stderr
    assert "'chromium' package" in errors[0] and "apt-get install chromium" in errors[0]
    assert f"{run.seeds}:" in errors[0] and "'x'" in errors[0]
    assert run.fetched == 0  # nothing fetched


def test_a_browser_that_will_not_start_fails_the_rendering_not_the_capture(tmp_path):
    run = crawl_rendered(tmp_path, "--json", PAGETRAIL_CHROMIUM="/bin/false")
    assert run.done.returncode == 1, run.done.stderr
    assert run.summary["results"][0]["kind"] == "new"  # the page itself is archived
    assert run.summary["rendered"][0]["error"].startswith("the browser could not start")
    assert "not rendered: the browser could not start" in run.done.stderr


@pytest.fixture(scope="module")
def restarted(tmp_path_factory) -> tuple[Crawled, Path]:
    """One rendered crawl for the two tests below (a browser start costs ~2 s CPU): its Chromium
    exits at its first start, as it sometimes does on a busy machine, and starts normally after
    that, under a TMPDIR whose path is long. Returns the crawl and the first start's marker."""
    from pagetrail.crawl.render.browser import chromium_path

    tmp_path = tmp_path_factory.mktemp("restarted")
    marker = tmp_path / "started-once"
    wrapper = tmp_path / "flaky-chromium"
    wrapper.write_text(f"#!/bin/sh\nif [ ! -e {marker} ]; then touch {marker}; exit 1; fi\n"
                       f"exec {chromium_path()} \"$@\"\n")
    wrapper.chmod(0o755)
    # Chromium's singleton socket lives under TMPDIR, and a socket path holds at most 107 bytes.
    long_tmp = tmp_path / ("t" * 80)
    long_tmp.mkdir()
    return crawl_rendered(tmp_path, "--json", PAGETRAIL_CHROMIUM=str(wrapper), TMPDIR=str(long_tmp)), marker


# Both read the one crawl of `restarted`: one test process makes it (--dist loadgroup).
@pytest.mark.browser
@pytest.mark.xdist_group("render_unavailable")
def test_a_browser_that_fails_to_start_once_is_tried_again(restarted):
    run, marker = restarted
    assert run.done.returncode == 0, run.done.stderr
    assert marker.exists()
    assert "the browser could not start" in run.done.stderr and "trying once more" in run.done.stderr
    assert run.summary["rendered"][0]["error"] is None


@pytest.mark.browser
@pytest.mark.xdist_group("render_unavailable")
def test_a_long_temporary_folder_does_not_stop_the_browser(restarted):
    # The second start, which rendered the page, ran under the long TMPDIR.
    run, _ = restarted
    assert run.done.returncode == 0, run.done.stderr
    assert run.summary["rendered"][0]["error"] is None
