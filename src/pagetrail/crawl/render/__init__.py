"""Rendered captures: a seed page loaded in headless Chromium (Debian's ``chromium`` package,
driven by Playwright) after Scrapy fetched it.

The browser is given the very response the crawl archived (so the DOM refers to that capture and
the server sees no second page request); every subresource it then fetches is archived like any
other fetch, and the DOM after scripts and a full-page screenshot are archived next to the page
(``pagetrail.archive.rendered``). Bounds (``RenderBounds``) keep a hostile page from hanging a
crawl: when one is reached the page is frozen and captured as far as it got, with a note.
"""

from pagetrail.crawl.render.bounds import RenderBounds
from pagetrail.crawl.render.browser import RenderUnavailable, check_render_available
from pagetrail.crawl.render.step import RenderOutcome, render_captures

__all__ = ["RenderBounds", "RenderOutcome", "RenderUnavailable", "check_render_available",
           "render_captures"]
