"""Shrink the tree before trafilatura sees it, without changing what it extracts.

trafilatura copies the page tree three times and runs its XPath prunes over the whole of it; a good
part of that work goes to subtrees its own cleaning deletes anyway (navigation, asides, footers,
the head: a third of the elements on the development sets). Deleting them first leaves its result
unchanged, given what each of its stages reads:

- its tree cleaning deletes these tags (settings.MANUALLY_CLEANED), tag by tag in document order.
  Deleting an element while lxml iterates stops the walk if the element holds one of the same tag
  (the iterator has already stepped inside it), so the later ones survive and may be extracted.
  We delete only the ones before the first such nesting element: exactly those it deletes too.
  For the same reason a navigation block holding nested cleaned tags of an earlier pass is kept.
- its page-size measure (baseline.html2txt, which decides the recall retry) reads the body with
  asides and footers deleted but navigation kept, so a navigation block is not deleted but kept as
  one text node spaced the way that measure spaces it;
- its baseline rescue deletes asides and footers itself and reads paragraphs anywhere, so a
  navigation block holding paragraphs is kept; both read JSON-LD scripts and Discourse's preloaded
  JSON anywhere, so a page carrying either is left whole;
- its raw-tree prune keeps infinite-scroll containers that hold an ``<h1>``: elements holding one
  are kept;
- its recall retry cleans a page whose every paragraph sits inside cleaned tags all over again
  without deleting them: such pages are left whole.
"""

from __future__ import annotations

from lxml import etree

#: Cleaned tags deleted here, in trafilatura's cleaning order (settings.MANUALLY_CLEANED).
DELETED = ("aside", "footer", "head")
#: Cleaned tags whose words its page-size measure counts: kept as one text node.
WORDS_ONLY = "nav"
#: What its baseline rescue reads as paragraphs (baseline.baseline).
PARAGRAPHS = ("blockquote", "code", "p", "pre", "q", "quote")
#: Pages carrying these are left whole: trafilatura reads them before its cleaning.
_keep_page = etree.XPath(".//script[@type='application/ld+json'] | .//div[@id='data-preloaded']")


def _trafilatura_facts() -> tuple[tuple[str, ...], frozenset[str]] | None:
    """trafilatura's cleaned tags (in order) and the block tags its page-size measure spaces."""
    try:
        from trafilatura.baseline import _BLOCK_ELEMS
        from trafilatura.settings import MANUALLY_CLEANED
    except ImportError:
        return None
    cleaned = tuple(MANUALLY_CLEANED)
    if not {*DELETED, WORDS_ONLY} <= set(cleaned) or WORDS_ONLY not in _BLOCK_ELEMS:
        return None
    return cleaned, frozenset(_BLOCK_ELEMS)


_FACTS = _trafilatura_facts()


def _delete(el: etree._Element) -> None:
    """Remove ``el`` with its subtree; its tail joins the previous sibling or the parent."""
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is None:
            parent.text = (parent.text or "") + el.tail
        else:
            prev.tail = (prev.tail or "") + el.tail
    parent.remove(el)


def _nesting(el: etree._Element) -> bool:
    return next(el.iterdescendants(el.tag), None) is not None


def spaced_words(el: etree._Element, blocks: frozenset[str]) -> str:
    """The text of ``el`` with a space at each block boundary inside it, as trafilatura's page-size
    measure spaces it (``el``'s own boundaries stay with ``el``)."""
    parts = [el.text or ""]
    for event, sub in etree.iterwalk(el, events=("start", "end")):
        if sub is el:
            continue
        if sub.tag in blocks:
            parts.append(" ")
        if event == "start":
            if sub.text and isinstance(sub.tag, str):
                parts.append(sub.text)
        elif sub.tail:
            parts.append(sub.tail)
    return "".join(parts)


def trim(root: etree._Element) -> int:
    """Delete from ``root`` (in place) what trafilatura would delete unread; returns the number of
    subtrees deleted or reduced to words."""
    if _FACTS is None:
        return 0
    cleaned, blocks = _FACTS
    if _keep_page(root) or not any(
            not any(a.tag in cleaned for a in p.iterancestors()) for p in root.iter("p")):
        return 0
    done = 0
    for tag in DELETED:
        for el in list(root.iter(tag)):
            if el.getroottree().getroot() is not root:
                continue  # went with an element deleted before it
            if _nesting(el):
                break  # trafilatura's walk stops inside this one: the rest stay for it
            if el.find(".//h1") is None:
                _delete(el)
                done += 1
    earlier = cleaned[:cleaned.index(WORDS_ONLY)]
    for el in list(root.iter(WORDS_ONLY)):
        if el.getroottree().getroot() is not root:
            continue
        if _nesting(el):
            break
        if (not len(el) or el.find(".//h1") is not None or next(el.iter(*PARAGRAPHS), None) is not None
                or any(_nesting(sub) for sub in el.iterdescendants(*earlier))):
            continue
        words = spaced_words(el, blocks)
        del el[:]
        el.text = words
        done += 1
    return done
