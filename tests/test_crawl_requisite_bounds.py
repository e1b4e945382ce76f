"""Requisites are capped per page (PAGETRAIL_MAX_REQUISITES) and come from the page's own host
unless PAGETRAIL_REQUISITE_HOSTS says otherwise: a page of 3,000 <img> made 3,000 fetches."""

from __future__ import annotations

from pagetrail.crawl.requisites import MAX_REQUISITES, select_requisites
from tests.support.crawl_runs import crawl, write_seeds
from tests.support.servers import LocalSite, page


def test_host_policy_and_cap_choose_the_requisites():
    urls = [f"http://www.example.org/i{i}.png" for i in range(5)] + [
        "http://static.example.org/s.css", "http://tracker.example.net/t.gif"]
    assert select_requisites(urls, "http://www.example.org/post") == (urls[:5], 0)
    assert select_requisites(urls, "http://www.example.org/post", "site") == (urls[:6], 0)
    assert select_requisites(urls, "http://www.example.org/post", "any", limit=3) == (urls[:3], 4)
    assert MAX_REQUISITES == 200


def test_crawl_fetches_at_most_the_cap_from_the_page_host(tmp_path):
    with LocalSite() as site:
        imgs = "".join(f'<img src="/img/{i}.png">' for i in range(300))
        other = "".join(f'<img src="http://localhost:{site.port}/other/{i}.png">' for i in range(5))
        site.add("/page", page(f"<html><body><p>Pictures</p>{other}{imgs}</body></html>"))
        site.add("/img/", page(b"\x89PNG\r\n\x1a\n", content_type="image/png"), prefix=True)
        site.add("/other/", page(b"\x89PNG\r\n\x1a\n", content_type="image/png"), prefix=True)
        seeds = write_seeds(tmp_path / "s.toml", [{"name": "pics", "url": site.url("/page"),
                                                   "requisites": True}])
        run = crawl(seeds, "--archive", tmp_path / "archive", "--json",
                    "--set", "PAGETRAIL_MAX_REQUISITES=40")
        paths = [h.path for h in site.hits]
    assert run.returncode == 0, run.stderr
    assert sum(p.startswith("/img/") for p in paths) == 40  # 300 before
    assert not any(p.startswith("/other/") for p in paths)  # another host: not by default
    assert run.summary["requisites"] == 40
