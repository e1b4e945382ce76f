"""One trafilatura extraction on a tree the article step owns.

``bare_extraction`` copies its input tree first, to leave the caller's tree alone. The article step
is the pipeline's last user of its tree, so the copy is wasted work: when trafilatura's internal
cascade (``trafilatura.core.trafilatura_sequence``) has the call shape this module was written
against, it runs directly on our tree. It is not a stable API, so the shape is checked once and
``bare_extraction`` stays as the fallback (pyproject pins trafilatura to the versions checked).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from lxml import etree

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


def _direct(run: Callable[..., Any], root: etree._Element, options: Any) -> tuple[etree._Element | None, str]:  # noqa: ANN401
    result = run(root, options, None)
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
