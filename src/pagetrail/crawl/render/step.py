"""After a crawl: render the seed pages that ask for it and archive what the browser got."""

from __future__ import annotations

import shlex
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pagetrail.archive.httpblock import mime_of
from pagetrail.archive.model import Capture
from pagetrail.archive.rendered import write_rendering
from pagetrail.crawl.render.bounds import RenderBounds
from pagetrail.crawl.render.browser import browser, kill_all
from pagetrail.crawl.render.page import MainDocument, render_page
from pagetrail.errors import PagetrailError

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class RenderOutcome:
    seed: str | None
    url: str
    page_capture: int
    dom_capture: int | None = None
    screenshot_capture: int | None = None
    resources: int = 0  # subresource fetches archived (new or revisit)
    revisits: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def describe(self) -> str:
        if self.error:
            return f"not rendered: {self.error}"
        text = (f"rendered in {self.seconds:.1f}s: {self.resources} subresources "
                f"({self.revisits} unchanged), DOM and screenshot archived")
        return text + (f" ({'; '.join(self.notes)})" if self.notes else "")


def renderable(capture: Capture | None) -> bool:
    """A seed page capture worth rendering: an HTML page that came back 2xx (or 304)."""
    if capture is None or capture.kind not in ("response", "revisit") or not capture.record_id:
        return False
    ok = capture.status is not None and (200 <= capture.status < 300 or capture.status == 304)
    return ok and (capture.mime is None or capture.mime in HTML_TYPES)


def render_captures(archive, pages: Sequence[tuple[str | None, Capture]],  # noqa: ANN001
                    bounds: RenderBounds | None = None,
                    progress: Callable[[RenderOutcome], None] | None = None,
                    chromium_args: Sequence[str] = ()) -> list[RenderOutcome]:
    """Render each (seed name, page capture) and archive the result through ``archive`` (an open
    ``pagetrail.archive.Archive``). One failing page never stops the others."""
    bounds = bounds or RenderBounds()
    outcomes: list[RenderOutcome] = []
    todo = list(pages)
    _stop.clear()
    retried = False
    while todo and not _stop.is_set():
        launched = False
        try:
            with browser((bounds.viewport_width, bounds.viewport_height), chromium_args) as br:
                launched = True
                while todo and not _stop.is_set():
                    seed, capture = todo.pop(0)
                    outcome = _one(archive, br, seed, capture, bounds)
                    outcomes.append(outcome)
                    if progress is not None:
                        progress(outcome)
                    if br.killed:
                        break  # a fresh browser for the pages left
        except PagetrailError:
            raise
        except Exception as exc:  # noqa: BLE001 - the browser would not start
            detail = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            if not launched and not retried:
                # A Chromium that exits while starting on a busy machine usually starts the next
                # time: one more try before its pages go without a rendering. The full reason
                # goes to the log, as the one-line outcome below keeps only its start.
                retried = True
                print(f"  the browser could not start ({detail[:2000]}); trying once more",
                      file=sys.stderr)
                _stop.wait(1.0)
                continue
            why = f"the browser could not start ({detail[:200]})"
            for seed, capture in todo:
                outcome = RenderOutcome(seed, capture.url, capture.id, error=why)
                outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)
            todo = []
    if _stop.is_set():
        raise KeyboardInterrupt  # the browser is closed and every record written: safe here
    return outcomes


_stop = threading.Event()


def stop_rendering() -> None:
    """Stop the rendering in progress (from a signal handler): its browser is killed at once,
    the page in hand keeps what it had, and ``render_captures`` raises KeyboardInterrupt."""
    _stop.set()
    kill_all("interrupted")


def _one(archive, br, seed: str | None, capture: Capture,  # noqa: ANN001
         bounds: RenderBounds) -> RenderOutcome:
    outcome = RenderOutcome(seed, capture.url, capture.id)
    started = time.monotonic()
    try:
        headers, body = archive.read_payload(capture, decode=True)
    except PagetrailError as exc:
        outcome.error = str(exc)
        return outcome
    status = 200 if capture.status == 304 else (capture.status or 200)
    if (mime_of(headers) or "text/html") not in HTML_TYPES:
        outcome.error = f"not HTML ({mime_of(headers)}): {capture.url}"
        return outcome
    seed_url = (capture.extra or {}).get("seed_url") or capture.url
    page = render_page(br, MainDocument(capture.url, status, headers, body), bounds,
                       seed=seed, seed_url=seed_url)
    for exchange in page.exchanges:
        written = archive.record(exchange)
        outcome.resources += 1
        outcome.revisits += written.kind == "revisit"
    outcome.notes = page.notes
    if page.dom is not None:
        rendering = write_rendering(archive, capture, page.started, page.dom, page.screenshot,
                                    "; ".join(page.notes) or None)
        outcome.dom_capture = rendering.dom.id if rendering.dom else None
        outcome.screenshot_capture = rendering.screenshot.id if rendering.screenshot else None
    else:
        outcome.error = "; ".join(page.notes) or "no DOM"
    outcome.seconds = time.monotonic() - started
    return outcome


def print_progress(outcome: RenderOutcome) -> None:
    print(f"  {outcome.url}: {outcome.describe()}", file=sys.stderr)


def chromium_args(settings) -> list[str]:  # noqa: ANN001 - scrapy Settings
    """``PAGETRAIL_RENDER_CHROMIUM_ARGS``: a list, or one string split like a shell would."""
    value = settings.get("PAGETRAIL_RENDER_CHROMIUM_ARGS") or []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def archive_for(root: str | Path, settings) -> object:  # noqa: ANN001 - scrapy Settings
    """The archive the crawl wrote to, opened here in this process for the rendering's records."""
    from pagetrail.archive import Archive
    from pagetrail.crawl.writer import archive_options

    # the crawl's stream of WARC files: a file the crawl parked is appended to
    return Archive(root, **archive_options(settings)).open()
