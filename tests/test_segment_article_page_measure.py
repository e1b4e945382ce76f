"""While the article step runs trafilatura's cascade, its page measure (baseline.html2txt, which
decides the recall retry) selects what it deletes without the EXSLT callbacks: the same string as
trafilatura's own, on real pages and on pages whose classes and ids its consent regex finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml.html import HtmlElement

from pagetrail.segment import trafilatura_run
from pagetrail.segment.article import _options
from pagetrail.segment.parse import parse

PAGES = Path(__file__).parent / "pages"

CONSENT_PAGE = """<html><body><div class="wrap"><p>Some article text that stays on the page.</p>
<div class="Cookie-Banner">We use cookies <b>a lot</b></div>tail after banner
<div id="x" class="site-footer">footer words</div><div class="ok" id="footer-2">kept by class order</div>
<section id="ONETRUST-sdk">consent text</section><span class="notice__cookie">n</span>
<script>var x = 1;</script><p class="con\u017fent-banner">Long s: only IGNORECASE over Unicode finds it</p>
<aside>aside words</aside><svg><text>svg</text></svg>closing words</div></body></html>"""

PLAIN_PAGE = """<html><body><div class="main"><p>First <i>para</i>graph.</p><div class="footer-links">a b</div>
<p class="caf\u00e9">Non-ASCII class, nothing for the consent regex.</p><template>t</template>end</div></body></html>"""


def trees() -> list[HtmlElement]:
    out = [parse(CONSENT_PAGE)[0], parse(PLAIN_PAGE)[0]]
    out += [parse(p.read_text(encoding="utf-8"))[0] for p in sorted(PAGES.glob("*.html"))]
    return out


def test_trafilatura_measure_is_the_one_mirrored():
    assert trafilatura_run._MEASURE is not None


@pytest.mark.parametrize("index", range(len(trees())))
def test_measure_gives_trafilaturas_string(index):
    tree = trees()[index]
    assert isinstance(tree, HtmlElement)
    assert trafilatura_run.measure(tree) == trafilatura_run._ORIGINAL_MEASURE(tree)


def test_measure_leaves_its_input_alone():
    tree = parse(CONSENT_PAGE)[0]
    before = len(list(tree.iter()))
    trafilatura_run.measure(tree)
    assert len(list(tree.iter())) == before


def test_consent_classes_are_found_in_any_case():
    text = trafilatura_run.measure(parse(CONSENT_PAGE)[0])
    assert "We use cookies" not in text and "consent text" not in text and "Long s" not in text
    assert "tail after banner" in text and "kept by class order" in text and "footer words" in text  # id comes first


def test_other_callers_get_trafilaturas_own_measure():
    import trafilatura.core

    extracted = trafilatura_run.extract(parse(CONSENT_PAGE)[0], _options())
    assert extracted is not None
    assert trafilatura.core.html2txt is trafilatura_run._dispatching_measure
    assert not getattr(trafilatura_run._ours, "on", False)  # switched off after our call
