"""A page's rendering (its DOM after scripts and a screenshot) next to the page capture.

``pagetrail.crawl.render`` produces them; the change pipeline reads the DOM in place of the HTML
that was fetched, and the reports and the web app show the screenshot. Both records carry the page
capture's record id (``Pagetrail-Page-Record``), so they are found from the page capture alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pagetrail.archive import records, rows
from pagetrail.archive.model import Capture
from pagetrail.archive.naming import timestamp17


@dataclass
class Rendering:
    dom: Capture | None = None  # kind "conversion", url "urn:dom:" + page URL
    screenshot: Capture | None = None  # kind "resource", url "urn:fullPage:" + page URL

    @property
    def note(self) -> str | None:
        """Why the rendering is partial (bounds reached), when it is."""
        return (self.dom.extra or {}).get("note") if self.dom is not None else None


def page_url(capture: Capture) -> str:
    """The URL of the page a capture shows: a rendering's URI without its scheme prefix."""
    for scheme in (records.DOM_SCHEME, records.SCREENSHOT_SCHEME):
        if capture.url.startswith(scheme):
            return capture.url[len(scheme):]
    return capture.url


def write_rendering(archive, page: Capture, rendered: datetime, dom: bytes,  # noqa: ANN001
                    screenshot: bytes | None, note: str | None = None) -> Rendering:
    """Write the DOM (and screenshot) of ``page`` as rendered at ``rendered``; return their rows."""
    if not page.record_id:
        raise ValueError(f"{page.url}: capture {page.id} has no WARC record to refer to")
    def build(free_timestamp) -> list[records.Record]:  # noqa: ANN001
        ts = free_timestamp(records.DOM_SCHEME + page.url, timestamp17(rendered))
        return records.rendering(page.url, page.record_id, ts, dom, screenshot, note, page.seed)

    out = Rendering()
    for capture in archive.write_related(page, build):
        if capture.kind == "conversion":
            out.dom = capture
        else:
            out.screenshot = capture
    return out


def find_rendering(archive, page: Capture) -> Rendering:  # noqa: ANN001
    """The rendering of ``page`` (empty when the page was not rendered)."""
    out = Rendering()
    if not page.record_id or page.kind == "failed":
        return out
    for attr, scheme, kind in (("dom", records.DOM_SCHEME, "conversion"),
                               ("screenshot", records.SCREENSHOT_SCHEME, "resource")):
        for capture in archive.captures(url=scheme + page.url, kind=kind):
            if (capture.extra or {}).get("page_record") == page.record_id:
                setattr(out, attr, capture)
    return out


def screenshots(archive, pages: Iterable[tuple[str, str]]) -> dict[str, bytes]:  # noqa: ANN001
    """PNG bytes of the screenshots of the given (page URL, page record id) captures, by record
    id; pages that were not rendered are left out."""
    out: dict[str, bytes] = {}
    wanted: dict[str, set[str]] = {}
    for url, record_id in pages:
        if record_id:
            wanted.setdefault(url, set()).add(record_id)
    for url, record_ids in wanted.items():
        for shot in archive.captures(url=records.SCREENSHOT_SCHEME + url, kind="resource"):
            page_record = (shot.extra or {}).get("page_record")
            if page_record in record_ids:
                out[page_record] = archive.read_payload(shot)[1]
    return out
