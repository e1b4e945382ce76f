"""During the article step's call, trafilatura's tree preparation skips the backup copy that only
its external extractors (off in fast mode) and forum comments (off here) read: same article, and
other callers, or other options, get trafilatura's own preparation."""

from __future__ import annotations

from pathlib import Path

import pytest

from pagetrail.segment import trafilatura_run
from pagetrail.segment.article import _options, body_blocks
from pagetrail.segment.parse import parse

PAGES = Path(__file__).parent / "pages"


def test_installed_trafilatura_has_the_code_read_by_hand():
    assert trafilatura_run._install_prepare()


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_article_is_the_same_without_the_backup(name):
    html = (PAGES / name).read_text(encoding="utf-8")
    ours_body, ours_text = trafilatura_run.extract(parse(html)[0], _options(), direct=True)
    theirs_body, theirs_text = trafilatura_run.extract(parse(html)[0], _options(), direct=False)
    assert ours_text == theirs_text
    assert (ours_body is None) == (theirs_body is None)
    if ours_body is not None:
        assert body_blocks(ours_body) == body_blocks(theirs_body)


def test_preparation_keeps_the_backup_outside_our_call_and_with_other_options():
    import trafilatura.core as core

    trafilatura_run._install_prepare()
    html = (PAGES / "news_ads.html").read_text(encoding="utf-8")
    _cleaned, backup = core._prepare_tree(parse(html)[0], _options(), None)
    assert backup is not None  # not inside our call
    trafilatura_run._ours.on = True
    try:
        assert core._prepare_tree(parse(html)[0], _options(), None)[1] is None
        slow = _options().__class__(output_format="txt", fast=False, comments=False)
        assert core._prepare_tree(parse(html)[0], slow, None)[1] is not None
    finally:
        trafilatura_run._ours.on = False
