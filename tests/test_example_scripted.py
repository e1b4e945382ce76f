"""The example's scripted page: the same HTML on every load; only a script's promo and a
script-loaded comment change, so only a rendered capture can see them. The demo says when it
skips it."""

from __future__ import annotations

import json
import urllib.request

from pagetrail.commands.demo_scripted import run_scripted
from pagetrail.example import ExampleSite
from pagetrail.example.scripted import COMMENTS_PATH, PROMO_SCRIPT_PATH, SCRIPTED_PATH


def get(url: str) -> bytes:
    with urllib.request.urlopen(url) as resp:
        return resp.read()


def test_the_html_never_changes_but_the_script_loaded_comments_do():
    with ExampleSite() as site:
        first = get(site.scripted_url)
        assert json.loads(get(site.base_url + COMMENTS_PATH)) == []
        second = get(site.scripted_url)
        comments = json.loads(get(site.base_url + COMMENTS_PATH))
        script = get(site.base_url + PROMO_SCRIPT_PATH)
    assert first == second
    assert PROMO_SCRIPT_PATH.encode() in first and COMMENTS_PATH.encode() in first
    assert b"clickbank" not in first  # the promo exists only once the script ran
    assert [c["author"] for c in comments] == ["Rachel T."]
    assert b"hop.clickbank.net" in script and b"Math.random" in script
    assert site.scripted_url.endswith(SCRIPTED_PATH)


def test_the_demo_says_what_it_skipped_without_chromium(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PAGETRAIL_CHROMIUM", str(tmp_path / "no-chromium"))
    assert run_scripted("http://127.0.0.1:9/x/", tmp_path / "archive", tmp_path) is None
    out = capsys.readouterr().out
    assert "skipped the scripted page" in out and "'chromium' package" in out
    assert not (tmp_path / "archive").exists()
