"""Shrink the tree before trafilatura sees it, without changing what it extracts.

trafilatura copies the page tree three times and runs its XPath prunes over the whole of it; a good
part of that work goes to subtrees its own cleaning deletes anyway (navigation, asides, footers,
the head, images: 40% of the elements on the articles set). Deleting them first leaves its result
unchanged, given what each of its stages reads (checked on all 1,117 development pages):

- its tree cleaning deletes these tags (settings.MANUALLY_CLEANED), tag by tag in document order.
  Deleting an element while lxml iterates stops the walk if the element holds one of the same tag
  (the iterator has already stepped inside it), so the later ones survive and may be extracted.
  We delete only the ones before the first such nesting element: exactly those it deletes too.
  For the same reason an element holding nested cleaned tags of an earlier pass is kept.
  Void elements it deletes or strips (images, inputs...) can hold nothing: they go wherever they are.
- its page-size measure (baseline.html2txt, which decides the recall retry) reads the body with
  asides and footers deleted but navigation, figures and selects kept, so those are not deleted
  but reduced to one text node spaced the way that measure spaces it;
- its baseline rescue deletes asides and footers itself, reads paragraphs anywhere (so an element
  holding one is kept) and, as a last resort, the text pieces of the page (so an element is only
  reduced if its pieces give the same words). It and the forum check read JSON-LD scripts and
  Discourse's preloaded JSON anywhere, so a page carrying either is left whole;
- its raw-tree prune keeps infinite-scroll containers that hold an ``<h1>``: elements holding one
  are kept;
- its recall retry cleans a page whose every paragraph sits inside cleaned tags all over again
  without deleting them: such pages are left whole.

This assumes the options article.py passes (images off, tables on).
"""

from __future__ import annotations

from lxml import etree

#: Cleaned tags deleted here, in trafilatura's cleaning order (settings.MANUALLY_CLEANED).
DELETED = ("aside", "footer", "head")
#: Cleaned tags whose words its page-size measure counts: kept as one text node (cleaning order).
WORDS_ONLY = ("figure", "nav", "select")
#: Void elements its cleaning deletes or strips (no text to count): deleted wherever they are.
EMPTY = ("img", "input", "link", "meta", "source")
#: What its baseline rescue reads as paragraphs (baseline.baseline).
PARAGRAPHS = ("blockquote", "code", "p", "pre", "q", "quote")
#: Discourse's preloaded JSON, which trafilatura reads before its cleaning (an id lookup).
_discourse_json = etree.XPath("id('data-preloaded')")
_text = etree.XPath("string()")


def _trafilatura_facts() -> tuple[tuple[str, ...], frozenset[str], frozenset[str]] | None:
    """trafilatura's cleaned tags (in order, and as a set) and the block tags its page-size
    measure spaces."""
    try:
        from trafilatura.baseline import _BLOCK_ELEMS
        from trafilatura.settings import MANUALLY_CLEANED, MANUALLY_STRIPPED
    except ImportError:
        return None
    cleaned = tuple(MANUALLY_CLEANED)
    if not {*DELETED, *WORDS_ONLY} <= set(cleaned) or not set(EMPTY) <= {*cleaned, *MANUALLY_STRIPPED}:
        return None
    return cleaned, frozenset(cleaned), frozenset(_BLOCK_ELEMS)


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
    measure spaces it (``el``'s own boundaries stay with ``el``). Spoils ``el``'s subtree."""
    for sub in el.iterdescendants(*blocks):
        sub.text = " " + (sub.text or "")
        sub.tail = " " + (sub.tail or "")
    return _text(el)


def _attached(el: etree._Element, root: etree._Element) -> bool:
    return el.getroottree().getroot() is root


def _reduce_to_words(el: etree._Element, blocks: frozenset[str]) -> bool:
    """Replace ``el``'s children by their spaced words; False (``el`` left as it was) if the text
    pieces baseline's last resort reads would not give the same words."""
    pieces = " ".join(el.itertext()).split()
    words = spaced_words(el, blocks)  # only adds white space where the page-size measure adds it
    if words.split() != pieces:
        return False
    del el[:]
    el.text = words
    return True


def trim(root: etree._Element) -> int:
    """Delete from ``root`` (in place) what trafilatura would delete unread; returns the number of
    subtrees deleted or reduced to words."""
    if _FACTS is None:
        return 0
    cleaned, cleaned_set, blocks = _FACTS
    found: dict[str, list[etree._Element]] = {}
    for el in root.iter(*DELETED, *WORDS_ONLY, "p", "h1", "script"):  # one walk, document order
        found.setdefault(el.tag, []).append(el)
    if _discourse_json(root) or any(s.get("type") == "application/ld+json" for s in found.get("script", ())):
        return 0
    if not any(not any(a.tag in cleaned_set for a in p.iterancestors()) for p in found.get("p", ())):
        return 0
    holds_h1 = {a for h1 in found.get("h1", ()) for a in h1.iterancestors()}
    done = 0
    for tag in DELETED:
        for el in found.get(tag, ()):
            if not _attached(el, root):
                continue  # went with an element deleted before it
            if _nesting(el):
                break  # trafilatura's walk stops inside this one: the rest stay for it
            if el not in holds_h1:
                _delete(el)
                done += 1
    for tag in WORDS_ONLY:
        earlier = cleaned[:cleaned.index(tag)]
        for el in found.get(tag, ()):
            if not _attached(el, root):
                continue
            if _nesting(el):
                break
            if (not len(el) or el in holds_h1 or next(el.iter(*PARAGRAPHS, "table"), None) is not None
                    or any(_nesting(sub) for sub in el.iterdescendants(*earlier))):
                continue
            done += _reduce_to_words(el, blocks)
    for el in list(root.iter(*EMPTY)):  # those left after the above
        if not len(el) and not el.text:
            _delete(el)
            done += 1
    return done
