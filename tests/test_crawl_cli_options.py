"""--only, --url, --user-agent and --no-robots on one real crawl."""

from __future__ import annotations

from tests.support.crawl_runs import crawl, read_records, write_seeds
from tests.support.servers import standard_site


def test_only_url_user_agent_and_no_robots(tmp_path):
    archive = tmp_path / "archive"
    with standard_site() as site:
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": "home", "url": site.url("/")},
            {"name": "cookies", "url": site.url("/cookies")},
        ])
        # A new process (not forked from the launcher): stdout must hold nothing but the
        # summary from the interpreter's start on, imports included.
        run = crawl(seeds, "--only", "home", "--url", site.url("/private/page"),
                    "--archive", archive, "--user-agent", "research-bot/1.0", "--no-robots",
                    "--json", fresh=True)
        hits = list(site.hits)
    assert run.returncode == 0, run.stderr
    names = [r["seed"] for r in run.summary["results"]]
    assert names == ["home", "127.0.0.1-private-page"]
    assert not any(h.path == "/cookies" for h in hits)
    assert not any(h.path == "/robots.txt" for h in hits)  # --no-robots: not even fetched
    requests = [r for r in read_records(archive) if r.type == "request"]
    assert requests and all(r.http("User-Agent") == ["research-bot/1.0"] for r in requests)
    # stdout is the JSON summary and nothing else
    assert run.stdout.lstrip().startswith("{") and run.stdout.rstrip().endswith("}")
