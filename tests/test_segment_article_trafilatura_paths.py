"""The article step calls trafilatura's cascade directly on the tree it owns (no defensive copy);
the public bare_extraction stays as the fallback. Both paths must give the same article."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagetrail.segment import trafilatura_run
from pagetrail.segment.article import _options, body_blocks, extract_blocks
from pagetrail.segment.parse import parse

PAGES = Path(__file__).parent / "pages"
ARTICLE_PAGES = sorted(p.name for p in PAGES.glob("*.html"))


def tree(name: str):
    root, _ = parse((PAGES / name).read_text(encoding="utf-8"))
    return root


def test_installed_trafilatura_has_the_cascade_we_call():
    # pyproject pins trafilatura to versions with this call shape: the fast path is the one in use
    assert trafilatura_run.sequence() is not None


@pytest.mark.parametrize("name", ARTICLE_PAGES)
def test_direct_and_public_paths_give_the_same_article(name):
    direct_body, direct_text = trafilatura_run.extract(tree(name), _options(), direct=True)
    public_body, public_text = trafilatura_run.extract(tree(name), _options(), direct=False)
    assert direct_text == public_text
    if public_body is None:
        assert direct_body is None
    else:
        assert body_blocks(direct_body) == body_blocks(public_body)


def test_the_page_article_comes_through():
    blocks = extract_blocks(tree("news_ads.html"), "https://ledger.example/news/cycle-lanes")
    assert blocks and all(b.text for b in blocks)


def test_a_cascade_with_another_signature_is_not_called():
    def older(tree, cleaned_tree, cleaned_tree_backup, options):  # noqa: ANN001, ANN202
        raise AssertionError("never called")

    def current(tree, options, url=None):  # noqa: ANN001, ANN202
        return None

    assert not trafilatura_run.callable_as_expected(older)
    assert trafilatura_run.callable_as_expected(current)
    assert not trafilatura_run.callable_as_expected(len)


def test_an_unexpected_result_switches_to_the_public_path(monkeypatch):
    monkeypatch.setattr(trafilatura_run, "_shape_ok", True)  # restored after the test

    def changed(tree, options, url=None):  # noqa: ANN001, ANN202 - same signature, new result shape
        return {"body": None}

    assert trafilatura_run._direct(changed, tree("news_ads.html"), _options()) == (None, "")
    assert trafilatura_run.sequence() is None
    body, text = trafilatura_run.extract(tree("news_ads.html"), _options())  # via bare_extraction
    assert body is not None and "cycle" in text.lower()
