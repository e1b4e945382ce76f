"""Runs of text: the text between two block boundaries (block elements and ``<br>``), whatever
element holds it, as pieces of the tree that can be cut out exactly (promos.py cuts promos this way:
they are injected into paragraphs, list items, divs and the loose text of containers alike)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from pagetrail.segment.textutil import BLOCK_TAGS, remove

_BOLD = frozenset(("strong", "b"))


@dataclass
class Run:
    """The text between two block boundaries inside ``block``: (kind, node) pieces, kind "text"
    (``block.text``), "tail" (``node.tail``) or "el" (an inline element, with its subtree)."""

    block: etree._Element
    pieces: list[tuple[str, etree._Element]] = field(default_factory=list)

    def piece_texts(self) -> list[str]:
        out = []
        for kind, node in self.pieces:
            if kind == "text":
                out.append(node.text or "")
            elif kind == "tail":
                out.append(node.tail or "")
            else:
                out.append("".join(node.itertext()) if isinstance(node.tag, str) else "")
        return out

    @property
    def raw(self) -> str:
        return "".join(self.piece_texts())

    @property
    def text(self) -> str:
        return " ".join(self.raw.split())

    def links(self) -> list[etree._Element]:
        return [a for kind, node in self.pieces if kind == "el" and isinstance(node.tag, str)
                for a in node.iter("a")]

    def elements(self) -> list[etree._Element]:
        return [node for kind, node in self.pieces if kind == "el"]

    def bold_only(self) -> bool:
        """True when every non-blank piece of the run is bold (``<strong>``/``<b>``)."""
        texts = self.piece_texts()
        return any(t.strip() for t in texts) and all(
            kind == "el" and node.tag in _BOLD for (kind, node), t in zip(self.pieces, texts, strict=True) if t.strip())

    def cut(self, start: int = 0, end: int | None = None) -> None:
        """Take the characters ``start:end`` of ``raw`` out of the tree: pieces inside the range go,
        text pieces across its edges are trimmed, an inline element across an edge goes when
        most of its text is inside."""
        texts = self.piece_texts()
        end = sum(map(len, texts)) if end is None else end
        plan, pos = [], 0
        for (kind, node), text in zip(self.pieces, texts, strict=True):
            a, b = pos, pos + len(text)
            pos = b
            lo, hi = max(a, start), min(b, end)
            if (hi <= lo and text) or (not text and not start <= a < end):
                continue
            plan.append((kind, node, text, lo - a, hi - a))
        # last piece first: dropping an element moves its tail, which a later piece may be
        for kind, node, text, lo, hi in reversed(plan):
            if kind == "el":
                if hi - lo >= len(text) / 2:
                    remove(node)
                continue
            kept = text[:lo] + text[hi:]
            if kind == "text":
                node.text = kept or None
            else:
                node.tail = kept or None


def _blockish(el: etree._Element) -> bool:
    """A block boundary: a block element, or an inline one that holds a block (``<a><div>``)."""
    if el.tag in BLOCK_TAGS:
        return True
    return len(el) > 0 and next(el.iterdescendants(*BLOCK_TAGS), None) is not None


def runs(region: etree._Element, skip: Iterable[etree._Element] = ()) -> Iterator[Run]:
    """The runs of text below ``region``, in document order, leaving out the subtrees of ``skip``
    (regions read already)."""
    skip = set(skip)
    walk = region.iter()
    for block in walk:
        if block in skip:
            _skip_subtree(walk, block)
            continue
        if not isinstance(block.tag, str) or block.tag in ("script", "style") or block.tag == "br":
            continue
        if block is not region and not _blockish(block):
            continue
        current = Run(block)
        if block.text:
            current.pieces.append(("text", block))
        for child in block:
            if isinstance(child.tag, str) and (child.tag == "br" or _blockish(child)):
                if current.pieces:
                    yield current
                current = Run(block)
            elif isinstance(child.tag, str):
                current.pieces.append(("el", child))
            if child.tail:
                current.pieces.append(("tail", child))
        if current.pieces:
            yield current


def _skip_subtree(walk: Iterator[etree._Element], el: etree._Element) -> None:
    """Advance ``walk`` (a document-order iterator that just gave ``el``) past ``el``'s subtree."""
    last = el
    while len(last):
        last = last[-1]
    if last is el:
        return
    for node in walk:
        if node is last:
            return
