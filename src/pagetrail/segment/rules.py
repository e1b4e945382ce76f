"""Step 3: a seed's SiteRules, applied before any heuristic. ``ignore`` removes nodes; the
``article``, ``ads`` and ``comments`` selectors pick those regions and win over the heuristics."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from pagetrail.seeds import Selector, SiteRules
from pagetrail.segment.textutil import remove


@dataclass
class Picked:
    article: list[etree._Element] = field(default_factory=list)
    ads: list[etree._Element] = field(default_factory=list)
    comments: list[etree._Element] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _select(selectors: tuple[Selector, ...], root: etree._Element, what: str, warnings: list[str]) -> list[etree._Element]:
    out: list[etree._Element] = []
    for sel in selectors:
        try:
            found = sel.select(root)
        except (etree.XPathError, ValueError) as exc:
            warnings.append(f"rule {what} {sel.expr!r} failed: {exc}")
            continue
        if not isinstance(found, list):
            found = []
        hits = [el for el in found if isinstance(el, etree._Element)]
        if not hits:
            warnings.append(f"rule {what} {sel.expr!r} matched nothing")
        for el in hits:
            if el not in out:
                out.append(el)
    # Outermost only: a selector matching both a node and its child would count it twice.
    sel_set = set(out)
    return [el for el in out if not any(a in sel_set for a in el.iterancestors())]


def apply_rules(root: etree._Element, rules: SiteRules | None) -> Picked:
    picked = Picked()
    if not rules:
        return picked
    for el in _select(rules.ignore, root, "ignore", picked.warnings):
        remove(el)
    picked.article = _select(rules.article, root, "article", picked.warnings)
    picked.ads = _select(rules.ads, root, "ads", picked.warnings)
    picked.comments = _select(rules.comments, root, "comments", picked.warnings)
    return picked
