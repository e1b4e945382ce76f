"""The page's attribute index (textutil.PageAttributes) kept up to date by ``removed`` gives
what a new walk of the tree gives."""

from __future__ import annotations

from lxml import etree

from pagetrail.segment.parse import parse
from pagetrail.segment.textutil import DocOrder, PageAttributes, remove

PAGE = """<html><head><script type="application/ld+json">{}</script><style id="s">p{}</style></head>
<body class="b"><div id="a" class="x"><noscript><img class="x" src="i.png">
<svg class="icon" viewBox="0 0 1 1"><path d="M0"/></svg></noscript><p class="x" role="note">t</p></div>
<script src="a.js" class="x"></script><script src="b.js"></script><span itemprop="name" class="y">n</span>
<svg viewBox="0 0 2 2"><g class="x"><path d="M1"/></g></svg><a rel="author" href="/a">A</a></body></html>"""


def _view(index: PageAttributes) -> tuple:
    return (index.names(), {n: [(el, v) for _i, el, v in index.named(n)] for n in index.names()},
            index.elements({"class": lambda v: v == "x", "id": bool}))


def test_removed_gives_the_index_of_a_new_walk():
    root = parse(PAGE)[0]
    index = PageAttributes(root)
    assert index.named("viewbox") and index.named("src")
    dropped = list(root.iter("script", "style", "noscript", "svg"))
    for el in dropped:
        remove(el)
    index.removed(dropped)
    assert _view(index) == _view(PageAttributes(root))
    assert "viewbox" not in index.names() and "d" not in index.names()
    # ranks are the elements' places in document order: rising within a name, one element each
    element_of: dict[int, etree._Element] = {}
    for n in index.names():
        ranks = [i for i, _el, _v in index.named(n)]
        assert ranks == sorted(ranks)
        for i, el, _v in index.named(n):
            assert element_of.setdefault(i, el) is el


def test_removed_subtrees_the_index_does_not_hold_give_a_new_walk():
    """A subtree added after the walk (so never indexed), or subtrees given out of document
    order, still leave the index a new walk would give."""
    root = parse(PAGE)[0]
    index = PageAttributes(root)
    index.names()
    body = root.find("body")
    added = etree.SubElement(body, "div", {"class": "late"})
    remove(added)
    index.removed([added])
    assert _view(index) == _view(PageAttributes(root))
    index.names()
    dropped = list(root.iter("script", "svg"))[::-1]  # last first
    for el in dropped:
        remove(el)
    index.removed(dropped)
    assert _view(index) == _view(PageAttributes(root))


def test_doc_order_sorts_as_the_document_and_knows_what_left_it():
    """DocOrder's keys (the ads', sidebars' and chrome's order) sort elements as a walk of the
    tree meets them, past parents with many children too; an element taken out has none."""
    page = "<html><body>" + "".join(
        f"<div>{''.join(f'<a href=x>{j}</a>' for j in range(i))}<p>t<b>u</b></p></div>" for i in range(0, 80, 7)) + "</body></html>"
    root = parse(page)[0]
    gone = root.find(".//div[3]")
    remove(gone)
    walked = list(root.iter())
    order = DocOrder(root)
    shuffled = walked[::3][::-1] + walked[1::3]
    assert sorted(shuffled, key=order.key) == [el for el in walked if el in set(shuffled)]
    assert order.rank(root) == () and order.rank(gone) is None and order.rank(gone.find(".//b")) is None
