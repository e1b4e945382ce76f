"""Tunable data of the article step (article.py, content.py, trafilatura_run.py)."""

from __future__ import annotations

#: Keyword options of ``trafilatura.bare_extraction`` for the article body. Comments off: the
#: comment step has taken them out already. Metadata off: metadata.py reads title, byline and
#: date itself. Tables on: their cells are article text. "txt": we read the XML body, so the
#: Python-format text rendering is not needed.
TRAFILATURA_OPTIONS: dict[str, object] = {
    "fast": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "with_metadata": False,
    "output_format": "txt",
}
