"""Scrapy settings the Scrapy way: `-s NAME=VALUE` on crawl and run, a settings module (option or
SCRAPY_SETTINGS_MODULE), per-seed timeout, proxy and delay, and usage errors per sub-command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pagetrail.crawl.usersettings import layered, seed_slots
from pagetrail.seeds import build_seed
from tests.support.crawl_runs import crawl, read_records, write_seeds
from tests.support.daemon import Daemon
from tests.support.servers import standard_site


def test_dash_s_sets_a_scrapy_setting(tmp_path):
    with standard_site() as site:
        run = crawl("--url", site.url("/slow"), "--archive", tmp_path / "a", "--json",
                    "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_ENABLED=0")
    assert run.returncode == 1, run.stderr
    assert "timed out" in run.summary["results"][0]["error"].lower()


def test_settings_module_from_the_environment_and_dash_s_on_top(tmp_path, monkeypatch):
    (tmp_path / "mysettings.py").write_text(
        'USER_AGENT = "from-module/1.0"\n'
        'DEFAULT_REQUEST_HEADERS = {"X-From-Module": "yes"}\n'
        # A project's own middleware list must not turn archiving off.
        'DOWNLOADER_MIDDLEWARES = {"scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500}\n'
        'SPIDER_MODULES = ["myproject.spiders"]\n',
        encoding="utf-8")
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "mysettings")
    with standard_site() as site:
        first = crawl("--url", site.url("/"), "--archive", tmp_path / "a", "--no-robots",
                      cwd=tmp_path)
        second = crawl("--url", site.url("/gzip"), "--archive", tmp_path / "a", "--no-robots",
                       "-s", "USER_AGENT=from-dash-s/2.0", cwd=tmp_path)
        hits = {h.path: h.headers for h in site.hits}
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert hits["/"]["User-Agent"] == "from-module/1.0" and hits["/"]["X-From-Module"] == "yes"
    assert hits["/gzip"]["User-Agent"] == "from-dash-s/2.0"
    assert {r.warc["WARC-Target-URI"] for r in read_records(tmp_path / "a")
            if r.type == "response"} == {site.url("/"), site.url("/gzip")}


def test_unknown_settings_module_is_one_line(tmp_path):
    run = crawl("--url", "http://127.0.0.1:9/", "--archive", tmp_path / "a",
                "--settings-module", "no_such_settings_here", cwd=tmp_path)
    assert "--settings-module no_such_settings_here: cannot import" in run.one_error()


def test_seed_timeout_and_proxy_apply_to_its_requests(tmp_path):
    with standard_site() as site:
        site.set_page("/proxied", "<html><body><p>through the proxy</p></body></html>")
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": "slow", "url": site.url("/slow"), "timeout": "1s", "robots": False},
            {"name": "far", "url": "http://pagetrail-proxy-test.invalid/proxied",
             "proxy": site.url("/"), "robots": False},
        ])
        run = crawl(seeds, "--archive", tmp_path / "a", "--json", "-s", "RETRY_ENABLED=0")
        paths = [h.path for h in site.hits]
    assert "timed out" in run.result("slow")["error"].lower()
    assert run.result("far")["ok"] and run.result("far")["status"] == 200, run.stderr
    assert "http://pagetrail-proxy-test.invalid/proxied" in paths  # asked of the proxy


def test_seed_delay_is_a_download_slot_per_host_under_dash_s():
    a = build_seed({"url": "https://a.example/1", "schedule": "1h", "delay": "2s"})
    b = build_seed({"url": "https://a.example/2", "name": "b", "schedule": "1h", "delay": 5})
    c = build_seed({"url": "https://c.example/", "schedule": "1h"})
    assert seed_slots([a, b, c]) == {"a.example": {"delay": 5.0}}
    out = layered(None, [a, c], {"LOG_LEVEL": "CRITICAL"}, {"DOWNLOAD_DELAY": "1"})
    assert out["DOWNLOAD_SLOTS"] == {"a.example": {"delay": 2.0}}
    assert out["DOWNLOAD_DELAY"] == "1" and out["LOG_LEVEL"] == "CRITICAL"


@pytest.mark.parametrize("bad", [{"timeout": "soon"}, {"delay": "x"}, {"proxy": "socks5://p:1"},
                                 {"timeout": 0}])
def test_bad_per_seed_settings_name_the_field(bad):
    from pagetrail.seeds import SeedError

    with pytest.raises(SeedError, match=f"field '{next(iter(bad))}'"):
        build_seed({"url": "https://a.example/", "schedule": "1h", **bad})


@pytest.mark.parametrize("command", ["crawl", "run", "schedule"])
def test_unknown_option_prints_the_subcommands_usage(command):
    result = subprocess.run([sys.executable, "-m", "pagetrail", command, "--no-such-option"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith(f"usage: pagetrail {command} "), result.stderr
    assert "unrecognized arguments: --no-such-option" in result.stderr


def test_run_passes_dash_s_to_its_crawls(tmp_path):
    with standard_site() as site:
        write_seeds(tmp_path / "s.toml", [{"name": "slow", "url": site.url("/slow"),
                                            "robots": False}])
        daemon = Daemon(tmp_path, "s.toml", "--archive", "archive", "--once-per-seed",
                        "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_ENABLED=0")
        try:
            log = daemon.wait_log(f"slow: {site.url('/slow')} ")
        finally:
            code = daemon.stop()
    assert "FAILED" in log and "timed out" in log.lower(), log
    assert code == 0


def test_run_checks_its_settings_module_before_starting(tmp_path):
    write_seeds(tmp_path / "s.toml", [{"name": "a", "url": "http://127.0.0.1:9/"}])
    result = subprocess.run([sys.executable, "-m", "pagetrail", "run", "s.toml", "--archive", "a",
                             "--settings-module", "no_such_settings_here", "-s", "X=1"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == ("pagetrail: error: --settings-module no_such_settings_here: "
                                     "cannot import the settings module: No module named "
                                     "'no_such_settings_here'")
    assert not (tmp_path / "a").exists()  # nothing started
