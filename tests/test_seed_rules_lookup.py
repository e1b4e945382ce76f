"""One way to find a page's seed and its site rules, used by `segment --rules`, `diff --rules`
and the change processor: by name or by URL (a trailing slash aside); a one-seed file answers for
a local file; a seed without rules gives None."""

from __future__ import annotations

import pytest

from pagetrail.errors import UsageError
from pagetrail.seeds import build_seed, find_seed, rules_for
from pagetrail.segment.inputs import rules_from

WITH_RULES = build_seed({"url": "https://a.example/post/", "schedule": "1d", "name": "a",
                         "rules": {"comments": "ol.commentlist > li"}})
WITHOUT = build_seed({"url": "https://b.example/page", "schedule": "1d", "name": "b"})


def test_by_url_with_or_without_the_trailing_slash():
    assert find_seed([WITH_RULES, WITHOUT], "https://a.example/post") is WITH_RULES
    assert find_seed([WITH_RULES, WITHOUT], "https://b.example/page/") is WITHOUT
    assert rules_for([WITH_RULES, WITHOUT], "https://a.example/post/").comments[0].expr == "ol.commentlist > li"


def test_by_name():
    assert find_seed([WITH_RULES, WITHOUT], name="b") is WITHOUT


def test_no_match_and_no_rules_give_none():
    assert find_seed([WITH_RULES, WITHOUT], "https://c.example/") is None
    assert rules_for([WITH_RULES, WITHOUT], "https://b.example/page") is None


def test_a_one_seed_list_answers_for_any_page_only_when_asked():
    assert find_seed([WITH_RULES], "https://elsewhere.example/") is None
    assert find_seed([WITH_RULES], None, only=True) is WITH_RULES


def test_a_local_file_with_a_file_of_several_seeds_is_a_usage_error(tmp_path):
    seeds = tmp_path / "two.toml"
    seeds.write_text('[[seed]]\nurl = "https://a.example/"\nschedule = "1d"\n'
                     '[[seed]]\nurl = "https://b.example/"\nschedule = "1d"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="2 seeds"):
        rules_from(str(seeds), None)
    assert rules_from(str(seeds), "https://b.example") is None
