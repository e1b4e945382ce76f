"""``pagetrail segment``: files, URLs served on loopback, archived captures, formats and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pagetrail.archive import Archive
from pagetrail.archive.model import Exchange
from pagetrail.cli import main
from pagetrail.example import PAGE_PATH, render
from tests.support.servers import LocalSite, page

PAGES = Path(__file__).parent / "pages"


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["segment", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_jsonl_has_the_documented_keys(capsys):
    code, out, _ = run_cli(capsys, PAGES / "wordpress_classic.html", PAGES / "news_ads.html", "--format", "jsonl")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2
    first = lines[0]
    assert first["source"].endswith("wordpress_classic.html")
    assert set(first["article"]) >= {"title", "text", "blocks"}
    assert "twenty litres" in first["article"]["text"]
    assert [c["author"] for c in first["comments"]] == ["Priya", "Tom Baker", "Priya"]
    assert set(first["comments"][0]) >= {"id", "author", "date", "text", "parent"}
    ads = lines[1]["ads"]
    assert ads and set(ads[0]) >= {"kind", "text", "links"}


def test_json_is_one_list(capsys):
    code, out, _ = run_cli(capsys, PAGES / "blogger.html", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and data[0]["comments"][1]["parent"] == "c1001"


def test_text_format_indents_replies(capsys):
    code, out, _ = run_cli(capsys, PAGES / "blogger.html")
    assert code == 0
    assert "COMMENTS (3):" in out
    assert "\n    * Maggie (March 5, 2012 at 1:03 AM) #c1002 reply to c1001" in out


def test_url_from_a_loopback_server(capsys):
    with LocalSite() as site:
        site.add(PAGE_PATH, page(render(1)))
        site.add("/missing", page("gone", status=404))
        site.add("/image.png", page(b"\x89PNG\r\n", content_type="image/png"))
        code, out, err = run_cli(capsys, site.url(PAGE_PATH), "--format", "jsonl")
        assert code == 0
        rec = json.loads(out)
        assert [a["kind"] for a in rec["ads"]].count("promo-text") == 1
        assert "Pregnancy Miracle" not in rec["article"]["text"]
        code, out, err = run_cli(capsys, site.url("/missing"), site.url("/image.png"), site.url(PAGE_PATH), "--format", "jsonl")
    assert code == 1
    assert len(out.splitlines()) == 1
    errors = [line for line in err.splitlines() if line.startswith("pagetrail: error:")]
    assert errors[0] == f"pagetrail: error: {site.url('/missing')}: HTTP 404 Not Found"
    assert site.url("/image.png") in errors[1] and "not an HTML page" in errors[1]


def test_rules_from_a_seed_file_win(tmp_path, capsys):
    seeds = tmp_path / "seeds.toml"
    seeds.write_text(
        '[[seed]]\nurl = "https://garden.example/tomatoes"\nschedule = "1d"\n'
        '[seed.rules]\narticle = "div.entry"\ncomments = "ol.commentlist"\nads = "#sidebar"\nignore = "small"\n'
    )
    code, out, _ = run_cli(capsys, PAGES / "wordpress_classic.html", "--rules", seeds, "--format", "jsonl")
    assert code == 0
    rec = json.loads(out)
    assert rec["article"]["text"].startswith("Tomatoes grow well in containers")
    assert "June 2nd" not in rec["article"]["text"]
    assert len(rec["comments"]) == 3
    assert any(a["reason"] == "site rule" and "Vegetables" in a["text"] for a in rec["ads"])


def test_capture_from_the_archive(tmp_path, capsys):
    url = "http://127.0.0.1:9/" + PAGE_PATH.lstrip("/")
    with Archive(tmp_path / "archive") as archive:
        archive.record(Exchange(
            url=url, method="GET", request_headers=[("Host", "127.0.0.1:9")], status=200,
            response_headers=[("Content-Type", "text/html; charset=UTF-8")], body=render(2),
            started=datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)))
    code, out, err = run_cli(capsys, "--capture", f"{url}@20240501", "--archive", tmp_path / "archive", "--format", "jsonl")
    assert code == 0, err
    rec = json.loads(out)
    assert rec["source"].startswith(url + "@20240501120000")
    assert len(rec["comments"]) == 6
    code, out, err = run_cli(capsys, "--capture", f"{url}@1999", "--archive", tmp_path / "archive")
    assert code == 1 and "no capture of this URL at that time" in err


@pytest.mark.parametrize("args,message", [
    ([], "give at least one PATH_OR_URL"),
    (["--capture", "no-timestamp"], "expected URL@TIMESTAMP"),
    (["x.html", "--rules", "/nonexistent/seeds.toml"], "no such seed file"),
])
def test_usage_errors_exit_2(capsys, args, message):
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_missing_file_and_binary_file_fail_with_one_line_each(tmp_path, capsys):
    binary = tmp_path / "x.html"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    code, out, err = run_cli(capsys, tmp_path / "nope.html", binary, PAGES / "no_comments.html")
    assert code == 1
    assert "ARTICLE: How to descale a kettle" in out
    lines = err.strip().splitlines()
    assert lines[0] == f"pagetrail: error: {tmp_path / 'nope.html'}: no such file"
    assert lines[1].startswith(f"pagetrail: error: {binary}: body is binary")
