"""The article step's one call into trafilatura, through its public API only.

``trafilatura.bare_extraction`` is documented to return a ``Document`` whose ``.body`` is the
unserialised XML tree of the main text; with ``output_format="txt"`` its ``.raw_text`` is that text
without the Python-format rendering we would not read. Every option is passed by keyword, so the
call means the same on any trafilatura 2.x (pyproject allows that range); what we pass is in
``patterns_article.TRAFILATURA_OPTIONS`` and is part of the snapshot cache key.
"""

from __future__ import annotations

import logging
from importlib import metadata
from typing import Any

from lxml import etree

from pagetrail.segment.patterns_article import TRAFILATURA_OPTIONS

# trafilatura and htmldate log every page they discard; the segmenter reports its own warnings.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def version() -> str:
    """The installed trafilatura's version ("" when it is not installed)."""
    try:
        return metadata.version("trafilatura")
    except metadata.PackageNotFoundError:
        return ""


def extract(root: etree._Element, url: str | None = None,
            options: dict[str, Any] | None = None) -> tuple[etree._Element | None, str]:
    """trafilatura's main-text body and its text for ``root`` (left unchanged: trafilatura works
    on a copy). ``(None, "")`` when it finds nothing or fails on an odd tree."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(root, url=url or None, **(options or TRAFILATURA_OPTIONS))
    except Exception:  # noqa: BLE001 - trafilatura raises assorted errors on odd trees
        return None, ""
    if doc is None:
        return None, ""
    return getattr(doc, "body", None), getattr(doc, "raw_text", None) or ""
