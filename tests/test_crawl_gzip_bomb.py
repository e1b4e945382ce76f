"""A gzip bomb (a small body inflating to far more than DOWNLOAD_MAXSIZE) is stopped at the bound
while crawling, for the page and for robots.txt, and on every read path of the archive: a capture
with a note, never an inflated body in memory, a crash or a change."""

from __future__ import annotations

import gzip
import zlib

import pytest

from pagetrail.archive import Archive
from pagetrail.archive.encoding import DecodedTooLarge, decode_body
from tests.support.crawl_runs import crawl, write_seeds
from tests.support.servers import LocalSite, page

MB = 1024 * 1024


def bomb(size: int, coding: str = "gzip") -> bytes:
    """``size`` bytes of spaces, compressed: about a thousandth of ``size`` on the wire."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31 if coding == "gzip" else 15)
    block = b" " * MB
    parts = [comp.compress(block) for _ in range(size // MB)]
    return b"".join(parts) + comp.flush()


def test_decode_body_stops_at_the_bound():
    body = bomb(8 * MB)
    assert len(body) < 100_000
    with pytest.raises(DecodedTooLarge) as err:
        decode_body(body, "gzip", limit=2 * MB)
    assert "too large" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(DecodedTooLarge):
        decode_body(bomb(8 * MB, "deflate"), "deflate", limit=2 * MB)
    assert len(decode_body(body, "gzip", limit=0)) == 8 * MB  # 0: no bound
    assert decode_body(gzip.compress(b"<p>small</p>"), "gzip", limit=2 * MB) == b"<p>small</p>"


def test_brotli_bomb_stops_at_the_bound():
    brotli = pytest.importorskip("brotli")
    with pytest.raises(DecodedTooLarge):
        decode_body(brotli.compress(b" " * (8 * MB)), "br", limit=MB)


def test_crawl_stops_a_gzip_bomb_page_and_robots(tmp_path):
    archive = tmp_path / "archive"
    headers = [("Content-Encoding", "gzip")]
    with LocalSite() as site:
        # past both bounds: DOWNLOAD_MAXSIZE (the crawl) and MAX_DECODED_SIZE (readers), 50 MiB
        site.add("/bomb", page(bomb(64 * MB), headers=headers))
        site.add("/robots.txt", page(bomb(64 * MB), content_type="text/plain", headers=headers))
        site.add("/fine", page("<html><body><p>An ordinary page.</p></body></html>"))
        seeds = write_seeds(tmp_path / "s.toml", [{"name": "bomb", "url": site.url("/bomb")},
                                                  {"name": "fine", "url": site.url("/fine")}])
        run = crawl(seeds, "--archive", archive, "--json")
    assert run.returncode == 1, run.stderr
    bombed, fine = run.result("bomb"), run.result("fine")
    assert fine["error"] is None, fine
    assert "decompress" in bombed["error"] and bombed["url"] in bombed["error"], bombed
    assert "Traceback" not in run.stderr
    with Archive(archive) as arch:
        page_caps = [c for c in arch.captures() if c.url.endswith("/bomb")]
        assert page_caps and page_caps[-1].kind == "response"  # archived as received
        with pytest.raises(DecodedTooLarge):
            arch.read_payload(page_caps[-1])
        summary = arch.get_summary(page_caps[-1].id)
    assert summary and "too large" in (summary.get("fetch_problem") or ""), summary


def test_zstd_is_decoded_and_bounded():
    """Scrapy sends Accept-Encoding: zstd; a zstd page was read back still encoded ("binary")."""
    try:
        from compression import zstd
    except ImportError:
        zstd = pytest.importorskip("backports.zstd")
    page = b"<html><body><p>zstd page</p></body></html>"
    assert decode_body(zstd.compress(page), "zstd") == page
    with pytest.raises(DecodedTooLarge):
        decode_body(zstd.compress(b" " * (8 * MB)), "zstd", limit=MB)


def test_a_seeds_max_size_bounds_its_body_received_and_inflated(tmp_path):
    with LocalSite() as site:
        site.add("/small-bomb", page(bomb(8 * MB), headers=[("Content-Encoding", "gzip")]))
        site.add("/big", page(b"<html><body><p>" + b"x" * (3 * MB) + b"</p></body></html>"))
        seeds = write_seeds(tmp_path / "s.toml", [
            {"name": "bomb", "url": site.url("/small-bomb"), "max_size": "1MB"},
            {"name": "big", "url": site.url("/big"), "max_size": "1MB"},
            {"name": "free", "url": site.url("/big?free")}])
        run = crawl(seeds, "--archive", tmp_path / "archive", "--json", "--no-robots")
    assert "body inflates past DOWNLOAD_MAXSIZE" in run.result("bomb")["error"]
    assert "body larger than DOWNLOAD_MAXSIZE" in run.result("big")["error"]
    assert run.result("free")["error"] is None  # the crawl's 50 MB still holds for the others
