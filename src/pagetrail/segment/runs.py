"""Runs of text: the text between two block boundaries (block elements and ``<br>``), whatever
element holds it, as pieces of the tree that can be cut out exactly (promos.py cuts promos this way:
they are injected into paragraphs, list items, divs and the loose text of containers alike)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from pagetrail.segment.textutil import BLOCK_TAGS, outermost, raw_text, remove

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


class Texts:
    """The texts of ``runs`` (``Run.text``), each read the first time it is asked for."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self._texts: list[str | None] = [None] * len(runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self.runs)))]
        text = self._texts[i]
        if text is None:
            text = self._texts[i] = self.runs[i].text
        return text


def _blockish(el: etree._Element) -> bool:
    """A block boundary: a block element, or an inline one that holds a block (``<a><div>``)."""
    if el.tag in BLOCK_TAGS:
        return True
    return len(el) > 0 and next(el.iterdescendants(*BLOCK_TAGS), None) is not None


def runs(region: etree._Element, skip: Iterable[etree._Element] = (),
         within: Callable[[etree._Element], bool] | None = None) -> Iterator[Run]:
    """The runs of text below ``region``, in document order of their blocks (a block's own runs,
    then those of the blocks inside it), leaving out the subtrees of ``skip`` (regions read
    already) and of the blocks below ``region`` that ``within`` rejects (a run's text is part of
    its block's text: a search for a phrase need not build the runs of a block whose text lacks
    it)."""
    skip = set(skip)
    if region in skip:
        return
    # Only blocks hold runs, and every element holding a block is one: the walk goes from block
    # to block and never into the inline elements of a run (a walk of every element, testing each
    # for being a block, cost about twice as much).
    stack = [region]
    while stack:
        block = stack.pop()
        tag = block.tag
        inner: list[etree._Element] = []
        if not isinstance(tag, str):
            continue
        if within is not None and block is not region and tag not in ("script", "style") and not within(block):
            continue
        if tag in ("script", "style", "br"):
            inner = [child for child in block if isinstance(child.tag, str) and _blockish(child)]
        else:
            current = Run(block)
            if block.text:
                current.pieces.append(("text", block))
            for child in block:
                ctag = child.tag
                if isinstance(ctag, str):
                    # _blockish(child), inline: this loop meets every child of every block
                    if ctag in BLOCK_TAGS or (len(child) and next(child.iterdescendants(*BLOCK_TAGS), None) is not None):
                        if current.pieces:
                            yield current
                        current = Run(block)
                        if ctag != "br" or len(child):
                            inner.append(child)
                    else:
                        current.pieces.append(("el", child))
                if child.tail:
                    current.pieces.append(("tail", child))
            if current.pieces:
                yield current
        stack.extend(child for child in reversed(inner) if child not in skip)


def phrases_in(low: str, phrases: tuple[str, ...], among: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The ``phrases`` (lower-case; of ``among`` when given) in the lower-cased text ``low``
    once its white space is normalised, as in a run's text."""
    if among is not None:
        # A phrase is in the normalised text only if each of its words is in the text: most
        # blocks are told apart without normalising their text.
        among = tuple(c for c in among if all(w in low for w in c.split()))
        if not among:
            return ()
    text = " ".join(low.split())
    return tuple(c for c in (phrases if among is None else among) if c in text)


#: Up to this many left-out elements are cut from a region's text before it is searched (each
#: costs a search of that text).
_MAX_CUT = 3


def _without(region: etree._Element, exclude: list[etree._Element], regions: list[etree._Element]) -> str:
    """The text of ``region`` without that of the elements of ``exclude`` inside it whose text
    no run holds (a block, around no region) and occurs there once (so that occurrence is theirs):
    the comments, whose calls to action ("click here") would make a page's runs all read."""
    # libxml2's text joins the runs without spaces: phrases are found inside runs, never across
    text = raw_text(region)
    if len(exclude) > _MAX_CUT:
        return text
    for el in exclude:
        if (el is region or not any(a is region for a in el.iterancestors()) or not _blockish(el)
                or any(r is el or any(a is el for a in r.iterancestors()) for r in regions)):
            continue
        cut = raw_text(el)
        if cut and text.count(cut) == 1:
            text = text.replace(cut, "\x00")  # no run spans it: nothing is found across it
    return text


def runs_holding(regions: list[etree._Element], exclude: list[etree._Element],
                 phrases: tuple[str, ...]) -> Iterator[Run]:
    """Runs of ``regions`` (each leaving out the earlier ones and ``exclude``) that may hold one
    of ``phrases``: every run whose text holds one, and others. A run's text is part of its
    block's, so a block whose text holds none is not read further; nothing is read when the
    outermost regions hold none."""
    # a phrase in a region's text is in the text of any region holding it: only the outermost
    # regions' texts need be read to tell whether any holds one
    texts = {r: _without(r, exclude, regions) for r in outermost(regions)}
    present = tuple(dict.fromkeys(c for text in texts.values() for c in phrases_in(text.lower(), phrases)))
    if not present:
        return
    for n, region in enumerate(regions):
        text = texts[region] if region in texts else raw_text(region)
        if region not in texts and not phrases_in(text.lower(), phrases, present):
            continue
        sizes = {region: len(text)}

        def within(block: etree._Element, sizes: dict = sizes) -> bool:
            text = raw_text(block)
            sizes[block] = len(text)
            outer = next((sizes[a] for a in block.iterancestors() if a in sizes), 0)
            # A block with most of the text of one that holds a phrase (a wrapper) is read
            # without a test: testing each wrapper around an article cost more than it saved.
            return len(text) * 2 > outer or bool(phrases_in(text.lower(), phrases, present))

        yield from runs(region, skip=[*regions[:n], *exclude], within=within)
