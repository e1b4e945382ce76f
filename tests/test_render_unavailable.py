"""render = true without Chromium: one clear line naming the package, before anything is fetched."""

from __future__ import annotations

import os

import pytest

from pagetrail.seeds import SeedError, build_seed
from tests.support.crawl_runs import ROOT, write_seeds
from tests.support.servers import LocalSite, page


def test_render_must_be_true_or_false():
    with pytest.raises(SeedError, match="field 'render': must be true or false"):
        build_seed({"url": "http://example.com/", "schedule": "1h", "render": "yes"})
    assert build_seed({"url": "http://example.com/", "schedule": "1h", "render": True}).render
    assert not build_seed({"url": "http://example.com/", "schedule": "1h"}).render


def test_missing_chromium_is_one_line_naming_the_package(tmp_path):
    import subprocess
    import sys

    with LocalSite() as site:
        site.add("/", page("<p>hi</p>"))
        seeds = write_seeds(tmp_path / "s.toml", [{"url": site.url("/"), "name": "x", "render": True}])
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"),
               "PAGETRAIL_CHROMIUM": str(tmp_path / "no-such-chromium")}
        done = subprocess.run([sys.executable, "-m", "pagetrail", "crawl", str(seeds), "--archive",
                               str(tmp_path / "archive")], capture_output=True, text=True, env=env)
        assert done.returncode == 2, done.stderr
        errors = [ln for ln in done.stderr.splitlines() if ln.startswith("pagetrail: error:")]
        assert len(errors) == 1, done.stderr
        assert "'chromium' package" in errors[0] and "apt-get install chromium" in errors[0]
        assert f"{seeds}:" in errors[0] and "'x'" in errors[0]
        assert not site.hits  # nothing fetched


def test_a_browser_that_will_not_start_fails_the_rendering_not_the_capture(tmp_path):
    import json
    import subprocess
    import sys

    with LocalSite() as site:
        site.add("/", page("<p>hi</p>"))
        seeds = write_seeds(tmp_path / "s.toml", [{"url": site.url("/"), "name": "x", "render": True}])
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PAGETRAIL_CHROMIUM": "/bin/false"}
        done = subprocess.run([sys.executable, "-m", "pagetrail", "crawl", str(seeds), "--archive",
                               str(tmp_path / "archive"), "--json"], capture_output=True, text=True,
                              env=env)
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)
    assert summary["results"][0]["kind"] == "new"  # the page itself is archived
    assert summary["rendered"][0]["error"].startswith("the browser could not start")
    assert "not rendered: the browser could not start" in done.stderr


@pytest.mark.browser
def test_a_browser_that_fails_to_start_once_is_tried_again(tmp_path):
    import json
    import subprocess
    import sys

    from pagetrail.crawl.render.browser import chromium_path

    # A Chromium that exits at its first start, as it sometimes does on a busy machine, and
    # starts normally after that.
    marker = tmp_path / "started-once"
    wrapper = tmp_path / "flaky-chromium"
    wrapper.write_text(f"#!/bin/sh\nif [ ! -e {marker} ]; then touch {marker}; exit 1; fi\n"
                       f"exec {chromium_path()} \"$@\"\n")
    wrapper.chmod(0o755)
    with LocalSite() as site:
        site.add("/", page("<p>hi</p>"))
        seeds = write_seeds(tmp_path / "s.toml", [{"url": site.url("/"), "name": "x", "render": True}])
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PAGETRAIL_CHROMIUM": str(wrapper)}
        done = subprocess.run([sys.executable, "-m", "pagetrail", "crawl", str(seeds), "--archive",
                               str(tmp_path / "archive"), "--json"], capture_output=True, text=True,
                              env=env)
    assert done.returncode == 0, done.stderr
    assert marker.exists()
    assert "the browser could not start" in done.stderr and "trying once more" in done.stderr
    summary = json.loads(done.stdout)
    assert summary["rendered"][0]["error"] is None


@pytest.mark.browser
def test_a_long_temporary_folder_does_not_stop_the_browser(tmp_path):
    import json
    import subprocess
    import sys

    # Chromium's singleton socket lives under TMPDIR, and a socket path holds at most 107 bytes.
    long_tmp = tmp_path / ("t" * 80)
    long_tmp.mkdir()
    with LocalSite() as site:
        site.add("/", page("<p>hi</p>"))
        seeds = write_seeds(tmp_path / "s.toml", [{"url": site.url("/"), "name": "x", "render": True}])
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(long_tmp)}
        done = subprocess.run([sys.executable, "-m", "pagetrail", "crawl", str(seeds), "--archive",
                               str(tmp_path / "archive"), "--json"], capture_output=True, text=True,
                              env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rendered"][0]["error"] is None
