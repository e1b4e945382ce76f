"""One trafilatura extraction on a tree the article step owns.

``bare_extraction`` copies its input tree first, to leave the caller's tree alone. The article step
is the pipeline's last user of its tree, so the copy is wasted work: when trafilatura's internal
cascade (``trafilatura.core.trafilatura_sequence``) has the call shape this module was written
against, it runs directly on our tree. It is not a stable API, so the shape is checked once and
``bare_extraction`` stays as the fallback (pyproject pins trafilatura to the versions checked).

The cascade measures the page (``baseline.html2txt``) to decide its recall retry. On a ~100 KB page
that measure is a sixth of the cascade, most of it in one XPath whose two EXSLT ``re:test`` calls
call back into Python for every element. While this module runs the cascade, the measure selects
the same elements with a Python walk (the regex applied to the attribute values directly) and
leaves the deletions and the text rendering to trafilatura's own functions: same string. It is
only switched on for our calls (a thread-local flag), when the XPath is the one mirrored here.

Its pruning XPaths with ``re:test`` make the same callback for every element of the tags they look
at, most of which carry none of the attributes tested. For the ones checked by hand (pinned by a
hash of their text) an element with none of those attributes cannot match, so while our call runs
they are evaluated with that as a first predicate, in C: the same elements, fewer callbacks.

Its tree preparation also copies the cleaned tree as a backup for the external extractors (off in
fast mode) and for forum comments (comments off here): with our options nothing reads it, so during
our call the preparation skips that copy (only when its code and its callers' are the ones read).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import re
import threading
from collections.abc import Callable
from copy import copy
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

LOG = logging.getLogger(__name__)

#: The parameters trafilatura_sequence had when this module was written (trafilatura 2.3).
SEQUENCE_PARAMS = ("tree", "options", "url")


#: Cleared if the cascade ever returns something other than what we read.
_shape_ok = True


def sequence() -> Callable[..., Any] | None:
    """trafilatura's cascade if its signature is the one we call, else None."""
    return _find_sequence() if _shape_ok else None


@functools.lru_cache(maxsize=1)
def _find_sequence() -> Callable[..., Any] | None:
    try:
        from trafilatura.core import trafilatura_sequence
    except ImportError:
        return None
    return trafilatura_sequence if callable_as_expected(trafilatura_sequence) else None


def callable_as_expected(fn: Callable[..., Any]) -> bool:
    """True if ``fn`` takes exactly (tree, options, url), the call this module makes."""
    try:
        return tuple(inspect.signature(fn).parameters) == SEQUENCE_PARAMS
    except (TypeError, ValueError):
        return False


#: The measure's selection (trafilatura.settings.BASIC_CLEAN_XPATH): tags and footer divs, then
#: elements whose class or id the consent regex finds. The fast measure is off unless trafilatura's
#: XPath reads exactly so.
_STRUCTURAL = (".//aside|.//div[contains(@class|@id, 'footer')]|.//fencedframe|.//footer|.//script|"
               ".//style|.//svg|.//template")
MEASURE_XPATH = _STRUCTURAL + "|.//*[re:test(@class, '{0}', 'i') or re:test(@id, '{0}', 'i')]"
_ours = threading.local()


def _measure_parts() -> tuple[Any, ...] | None:
    """trafilatura's page measure, its selection XPath, the consent regex and the helpers the
    measure uses, if its selection is the one mirrored here."""
    try:
        from trafilatura.baseline import _spaced_text, html2txt
        from trafilatura.settings import _COOKIE_CONSENT_RE, BASIC_CLEAN_XPATH
        from trafilatura.xml import delete_element
    except ImportError:
        return None
    if BASIC_CLEAN_XPATH.path != MEASURE_XPATH.format(_COOKIE_CONSENT_RE):
        return None
    if _COOKIE_CONSENT_RE != _COOKIE_CONSENT_RE.lower():
        return None
    # lxml's EXSLT re:test is re.search (re.UNICODE, IGNORECASE for 'i') on the attribute's value.
    # The regex has no anchor and nothing that matches a line break, so it finds nothing in the
    # values joined by line breaks exactly when it finds nothing in any one of them. On ASCII text
    # (nearly all class names) its lowercase pattern without IGNORECASE on the lowered text is the
    # same test, several times faster.
    consent = re.compile(_COOKIE_CONSENT_RE, re.UNICODE | re.IGNORECASE)
    consent_ascii = re.compile(_COOKIE_CONSENT_RE)
    return (html2txt, BASIC_CLEAN_XPATH, etree.XPath(_STRUCTURAL), consent, consent_ascii,
            delete_element, _spaced_text)


_values = etree.XPath(".//@class|.//@id", smart_strings=False)


def _consent_anywhere(body: etree._Element, consent: re.Pattern[str], consent_ascii: re.Pattern[str]) -> bool:
    """True if the measure's consent regex finds anything in a class or id in or below ``body``."""
    values = "\n".join(_values(body))
    if values.isascii():
        return consent_ascii.search(values.lower()) is not None
    return consent.search(values) is not None


def measure(content: Any, clean: bool = True) -> str:  # noqa: ANN401
    """``baseline.html2txt``, the same string: its selection XPath calls back into Python twice
    per element (EXSLT re:test); when the consent regex finds nothing in any class or id, the
    rest of it (no callbacks) selects the same elements."""
    parts = _MEASURE
    if parts is None or not clean or not isinstance(content, HtmlElement):
        return _ORIGINAL_MEASURE(content, clean) if _ORIGINAL_MEASURE else ""
    _original, full, structural, consent, consent_ascii, delete_element, spaced_text = parts
    tree = copy(content)  # as html2txt: the steps below modify the tree
    body = tree.find(".//body")
    if body is None:
        body = tree
    chosen = full(body) if _consent_anywhere(body, consent, consent_ascii) else structural(body)
    for el in chosen:  # document order, as basic_cleaning deletes them
        delete_element(el)
    return spaced_text(body)


def _dispatching_measure(content: Any, clean: bool = True) -> str:  # noqa: ANN401
    if getattr(_ours, "on", False):
        return measure(content, clean)
    return _ORIGINAL_MEASURE(content, clean)


_MEASURE = _measure_parts()
_ORIGINAL_MEASURE = _MEASURE[0] if _MEASURE else None


#: trafilatura's pruning XPaths (name in trafilatura.xpaths, index) read by hand, by the first 16
#: hex digits of the SHA-256 of their text: in each, a predicate that tests only attributes (EXSLT
#: re:test on patterns that do not match an empty string, contains/starts-with of non-empty
#: strings, comparisons with non-empty strings, presence) is false on an element that has none of
#: the attributes the XPath names, so "has one of them" can be tested first.
GUARDABLE = {
    ("RAW_TREE_PRUNE_XPATH", 0): "01e7c660fd6406f2",
    ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0): "9cc18d34e6e2d258",
    ("OVERALL_DISCARD_XPATH", 0): "a837e58a1b1ea116",
    ("OVERALL_DISCARD_XPATH", 1): "c1d5b70b8cd03783",
}
_ATTRIBUTE = re.compile(r"@([\w-]+)")
_REGEXP_NS = {"re": "http://exslt.org/regular-expressions"}


def fingerprint(path: str) -> str:
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:16]


def guarded(path: str) -> str:
    """``path`` (one ``.//*[...]`` step) with "has one of the attributes it names" as first predicate."""
    names = sorted(set(_ATTRIBUTE.findall(path)))
    return path.replace(".//*[", ".//*[" + " or ".join(f"@{n}" for n in names) + "][", 1)


class _Guarded:
    """Evaluates the guarded XPath during our calls, trafilatura's own otherwise."""

    def __init__(self, original: etree.XPath) -> None:
        self.original = original
        self.fast = etree.XPath(guarded(original.path), namespaces=_REGEXP_NS)

    def __call__(self, tree: etree._Element) -> list[Any]:
        return (self.fast if getattr(_ours, "on", False) else self.original)(tree)

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - .path and the like
        return getattr(self.original, name)


@functools.lru_cache(maxsize=1)
def _install_guards() -> int:
    """Swap the hand-checked XPaths in trafilatura's lists (shared by its modules) for _Guarded."""
    try:
        from trafilatura import xpaths
    except ImportError:
        return 0
    done = 0
    for (name, index), digest in GUARDABLE.items():
        exprs = getattr(xpaths, name, None)
        if not isinstance(exprs, list) or index >= len(exprs) or not isinstance(exprs[index], etree.XPath):
            continue
        path = exprs[index].path
        if fingerprint(path) == digest and path.count(".//*[") == 1:
            exprs[index] = _Guarded(exprs[index])
            done += 1
    return done


#: trafilatura.core functions read by hand (first 16 hex digits of the SHA-256 of their source):
#: with options.fast and not options.comments, the backup _prepare_tree returns is never read.
PREPARE_READ = {
    "_prepare_tree": "9595f0642825c2c7",
    "_extract_and_compare": "f7d056c2118222e8",
    "_recall_retry": "59594c39714f57be",
    "trafilatura_sequence": "f03dc4d2946dacbd",
}


@functools.lru_cache(maxsize=1)
def _install_prepare() -> bool:
    """Route trafilatura's tree preparation through _prepare (without backup during our calls)."""
    try:
        import trafilatura.core as core
    except ImportError:
        return False
    try:
        for name, digest in PREPARE_READ.items():
            if fingerprint(inspect.getsource(getattr(core, name))) != digest:
                return False
    except (AttributeError, OSError, TypeError):
        return False
    original = core._prepare_tree
    tree_cleaning, convert_tags = core.tree_cleaning, core.convert_tags

    def _prepare(tree: Any, options: Any, url: str | None) -> tuple[Any, Any]:  # noqa: ANN401
        if not (getattr(_ours, "on", False) and options.fast and not options.comments):
            return original(tree, options, url)
        return convert_tags(tree_cleaning(copy(tree), options), options, url), None

    core._prepare_tree = _prepare
    return True


@functools.lru_cache(maxsize=1)
def _install_measure() -> bool:
    """Route the cascade's page measure through _dispatching_measure (ours only while on)."""
    if _MEASURE is None:
        return False
    import trafilatura.core as core

    if getattr(core, "html2txt", None) is not _ORIGINAL_MEASURE:
        return False
    core.html2txt = _dispatching_measure
    return True


def _direct(run: Callable[..., Any], root: etree._Element, options: Any) -> tuple[etree._Element | None, str]:  # noqa: ANN401
    _install_guards()
    _install_measure()
    _install_prepare()
    _ours.on = True
    try:
        result = run(root, options, None)
    finally:
        _ours.on = False
    if not (isinstance(result, tuple) and len(result) == 4 and isinstance(result[1], str)):
        # The shape changed under the same signature: our tree is spent, so this page gets no
        # trafilatura result (the caller falls back to the page's own blocks); later pages
        # take bare_extraction.
        LOG.warning("trafilatura_sequence returned an unexpected %s; using bare_extraction", type(result).__name__)
        global _shape_ok
        _shape_ok = False
        return None, ""
    body, text = result[0], result[1]
    # bare_extraction's checks that apply with our options (no dedup, no language filter).
    if options.max_tree_size and len(body) > options.max_tree_size:
        etree.strip_tags(body, "hi")
        if len(body) > options.max_tree_size:
            return None, ""
    if len(text) < options.min_output_size:
        return None, ""
    return body, text


def extract(root: etree._Element, options: Any, direct: bool = True) -> tuple[etree._Element | None, str]:  # noqa: ANN401
    """trafilatura's output body and its text for ``root`` (consumed: do not use it afterwards).
    ``direct=False`` forces the public ``bare_extraction`` path."""
    run = sequence() if direct else None
    try:
        if run is not None:
            return _direct(run, root, options)
        import trafilatura

        doc = trafilatura.bare_extraction(root, options=options)
    except Exception:  # noqa: BLE001 - trafilatura raises assorted errors on odd trees
        return None, ""
    if doc is None:
        return None, ""
    return getattr(doc, "body", None), getattr(doc, "raw_text", None) or ""
