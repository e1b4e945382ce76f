"""The hosts EasyList's site-specific rules may apply to (segment/easylist_hosts.py): on any other
host the engine's element-hiding answer is the generic one, which the ad step then uses."""

from __future__ import annotations

from pagetrail.segment import easylist
from pagetrail.segment import easylist_hosts as H

RULES = """[Adblock Plus 2.0]
! a comment ##.not-a-rule
##.generic-ad
example.com,~shop.example.net##.banner
news.example.org#@##sidebar-ad
tracker.*##.promo
@@||spiegel.de^$generichide
@@$generichide,domain=video.example|films.example
@@||www.search.*/results?$generichide
||ads.example.com^$script
"""


def test_the_rules_name_their_domains_entities_and_hiding_exceptions():
    domains, labels = H._read(RULES)
    assert domains == {"example.com", "shop.example.net", "news.example.org", "spiegel.de", "video.example",
                       "films.example"}
    assert labels == {"tracker", "search"}


def test_rules_naming_pages_otherwise_leave_every_host_asked_about():
    assert H._read(RULES + "@@/ads/$generichide\n") is None
    assert H._read(RULES + "/^https?:\\/\\/[a-z]+\\.example/##.ad\n") is None


def _answer(host: str) -> tuple:
    res = easylist.engine().url_cosmetic_resources(f"http://{host}/")
    return frozenset(res.hide_selectors), frozenset(res.exceptions), res.generichide


def test_hosts_no_rule_names_get_the_generic_answer_from_the_engine_too():
    domains, labels = H.named_hosts()
    assert not H.may_apply("localhost")
    generic = _answer("localhost")
    listed = sorted(domains)[::25]
    named = [f"www.{d}" for d in listed] + [f"cdn.{label}.co.uk" for label in sorted(labels)]
    others = [f"www.x{d}" for d in listed] + [f"blog{i}.example{i}.org" for i in range(40)]
    assert all(H.may_apply(h) for h in named)
    unnamed = [h for h in others if not H.may_apply(h)]
    assert len(unnamed) > len(others) / 2
    assert [h for h in unnamed if _answer(h) != generic] == []


def test_pages_on_unnamed_hosts_are_asked_about_as_generic_pages():
    domain = sorted(H.named_hosts()[0])[0]
    assert H.cosmetic_url(f"https://www.{domain}/a") == f"https://www.{domain}/a"
    assert H.cosmetic_url("https://blog7.example7.org/post?id=1") == ""
    assert H.cosmetic_url("") == ""
