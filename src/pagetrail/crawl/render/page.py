"""One page in the browser: load it from the archived response, let it settle, freeze it, and
take what it has: the exchanges of its subresources, the DOM and a screenshot."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pagetrail.archive.model import Exchange
from pagetrail.crawl.render import exchanges
from pagetrail.crawl.render.bounds import RenderBounds
from pagetrail.crawl.render.browser import Browser

# What the browser must not be told about the stored body: it is given decoded and whole.
_FRAMING = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"}
# Scrolls the page to its end after `load`, a viewport at a time, then back to the top: comment
# threads and images that load when scrolled into view (IntersectionObserver, loading="lazy") are
# fetched as a reader's scrolling would fetch them. It runs in the page, so a page whose scripts
# never yield only stops it; the crawler never waits on the page's main thread for it.
_DONE_FLAG = "__pagetrailScrolledToEnd"
_SCROLL_SCRIPT = """(() => {
  if (window.top !== window) { return; }
  addEventListener('load', () => {
    let steps = 0;
    const step = () => {
      const root = document.documentElement;
      const height = Math.max(root ? root.scrollHeight : 0, document.body ? document.body.scrollHeight : 0);
      if (window.scrollY + window.innerHeight >= height - 2 || window.scrollY >= LIMIT || steps++ > 400) {
        window.scrollTo(0, 0);
        window.FLAG = true;
        return;
      }
      window.scrollBy(0, window.innerHeight);
      setTimeout(step, 100);
    };
    setTimeout(step, 50);
  });
})();"""
FREEZE_TRIES = 5
FREEZE_SECONDS = 120  # the watchdog's bound once the page is loaded and settled
_DOM_LENGTH = "() => document.documentElement ? document.documentElement.outerHTML.length : 0"
_PAGE_HEIGHT = ("() => Math.max(document.documentElement ? document.documentElement.scrollHeight"
                " : 0, document.body ? document.body.scrollHeight : 0)")


@dataclass
class MainDocument:
    """The page as the crawl archived it, handed to the browser instead of a second fetch."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # decoded


@dataclass
class RenderedPage:
    url: str
    started: datetime
    exchanges: list[Exchange] = field(default_factory=list)
    dom: bytes | None = None
    screenshot: bytes | None = None
    notes: list[str] = field(default_factory=list)
    requests_blocked: int = 0


class _Traffic:
    """Route handler and response log of one page."""

    def __init__(self, main: MainDocument, bounds: RenderBounds) -> None:
        self.main, self.bounds = main, bounds
        self.main_request: Any = None
        self.allowed = 0
        self.blocked = 0
        self.frozen = False
        self.started: dict[Any, datetime] = {}
        self.responses: list[Any] = []

    def route(self, route: Any, request: Any) -> None:
        # The page's first navigation is answered with the archived response, whatever the
        # browser made of the URL (a normalised path, an IDN host, a fragment dropped).
        if self.main_request is None and request.is_navigation_request() \
                and request.frame.parent_frame is None:
            self.main_request = request
            headers = {k: v for k, v in self.main.headers if k.lower() not in _FRAMING}
            route.fulfill(status=self.main.status, headers=headers, body=self.main.body)
            return
        if self.frozen or self.allowed >= self.bounds.max_requests \
                or not request.url.startswith(("http://", "https://")):
            self.blocked += 1
            route.abort("blockedbyclient")
            return
        self.allowed += 1
        self.started[request] = datetime.now(UTC)
        route.continue_()

    def response(self, response: Any) -> None:
        request = response.request
        if request is self.main_request:
            return
        if request not in self.started:
            # A redirect's next hop does not pass the route handler again: it belongs to the
            # request that was let through, and is archived like it.
            origin = request.redirected_from
            while origin is not None and origin not in self.started:
                origin = origin.redirected_from
            if origin is None:
                return
            self.started[request] = datetime.now(UTC)
        self.responses.append(response)


def render_page(browser: Browser, main: MainDocument, bounds: RenderBounds, *,
                seed: str | None = None, seed_url: str | None = None) -> RenderedPage:
    """Render ``main`` within ``bounds``; never raises for what the page does (notes say it)."""
    out = RenderedPage(main.url, datetime.now(UTC))
    traffic = _Traffic(main, bounds)
    deadline = time.monotonic() + bounds.total_seconds
    page = browser.context.new_page()
    # Opened before the page runs anything: a session attached later waits for a busy page.
    cdp = browser.context.new_cdp_session(page)
    page.add_init_script(_SCROLL_SCRIPT.replace("FLAG", _DONE_FLAG)
                         .replace("LIMIT", str(bounds.max_screenshot_height)))
    page.route("**/*", traffic.route)
    page.on("response", traffic.response)
    browser.watchdog.arm(bounds.total_seconds * 2 + 30)
    try:
        _load(page, main.url, deadline, bounds, out)
        browser.watchdog.arm(FREEZE_SECONDS)  # what is left: freeze, DOM, screenshot, bodies
        _freeze(page, cdp, traffic)
        out.dom = _dom(page, bounds, out)
        out.screenshot = _screenshot(page, bounds, out)
        out.exchanges = _exchanges(traffic, bounds, out, seed, seed_url)
    except Exception as exc:  # noqa: BLE001 - a crashed or killed browser: keep what we have
        what = f"killed ({browser.killed})" if browser.killed else \
            f"failed ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
        out.notes.append(f"browser {what}")
        if not out.exchanges:
            out.exchanges = _exchanges(traffic, bounds, out, seed, seed_url, bodies=False)
    finally:
        browser.watchdog.arm(None)
        try:
            page.close()
        except Exception:  # noqa: BLE001
            pass
    out.requests_blocked = traffic.blocked
    if traffic.blocked:
        out.notes.append(f"{traffic.blocked} requests blocked (limit {bounds.max_requests} "
                         "subresources, or after the page was frozen)")
    return out


def _load(page: Any, url: str, deadline: float, bounds: RenderBounds, out: RenderedPage) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.goto(url, wait_until="load", timeout=_ms(deadline))
    except PlaywrightTimeout:
        out.notes.append(f"page did not finish loading within {bounds.total_seconds:g}s")
        return
    settle = min(bounds.settle_seconds, max(deadline - time.monotonic(), 0.0))
    try:
        page.wait_for_function(f"() => window.{_DONE_FLAG} === true", timeout=max(settle * 1000, 1))
    except PlaywrightTimeout:
        out.notes.append(f"not scrolled to the end within {settle:g}s")
    settle = min(bounds.settle_seconds, max(deadline - time.monotonic(), 0.0))
    try:
        page.wait_for_load_state("networkidle", timeout=max(settle * 1000, 1))
    except PlaywrightTimeout:
        out.notes.append(f"network not idle after {settle:g}s: captured as it was then")


def _freeze(page: Any, cdp: Any, traffic: _Traffic) -> None:
    """Stop the page where it is: end a running script (an endless loop included), run no more,
    and let no further request out, so what is taken next is one consistent state."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    traffic.frozen = True
    # terminateExecution ends only the script running at that moment (a loop a timer starts just
    # after would block what follows): end scripts until the page answers, then disable them.
    for _ in range(FREEZE_TRIES):
        cdp.send("Runtime.terminateExecution")
        try:
            page.wait_for_function("() => true", timeout=1000)
            break
        except PlaywrightTimeout:
            continue
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})


def _dom(page: Any, bounds: RenderBounds, out: RenderedPage) -> bytes:
    length = page.evaluate(_DOM_LENGTH)
    html = page.content()
    data = html.encode("utf-8")
    if length > bounds.max_dom_bytes or len(data) > bounds.max_dom_bytes:
        out.notes.append(f"DOM of {len(data)} bytes cut at {bounds.max_dom_bytes}")
        data = data[:bounds.max_dom_bytes].decode("utf-8", "ignore").encode("utf-8")
    return data


def _screenshot(page: Any, bounds: RenderBounds, out: RenderedPage) -> bytes | None:
    height = int(page.evaluate(_PAGE_HEIGHT) or 0)
    options: dict[str, Any] = {"full_page": True, "type": "png", "timeout": 30_000,
                               "animations": "disabled"}
    if height > bounds.max_screenshot_height:
        out.notes.append(f"screenshot cut at {bounds.max_screenshot_height} of {height} px")
        options["clip"] = {"x": 0, "y": 0, "width": bounds.viewport_width,
                           "height": bounds.max_screenshot_height}
    return page.screenshot(**options)


def _exchanges(traffic: _Traffic, bounds: RenderBounds, out: RenderedPage, seed: str | None,
               seed_url: str | None, bodies: bool = True) -> list[Exchange]:
    found: list[Exchange] = []
    total = 0
    skipped = 0
    for response in traffic.responses:
        body, truncated = b"", None
        if bodies and total < bounds.max_total_bytes and not 300 <= response.status < 400:
            try:
                body = response.body()
            except Exception:  # noqa: BLE001 - no body (aborted, evicted, an opaque redirect)
                body, truncated = b"", "unspecified"
            limit = min(bounds.max_resource_bytes, bounds.max_total_bytes - total)
            if len(body) > limit:
                body, truncated = body[:limit], "length"
        elif bodies and total >= bounds.max_total_bytes:
            skipped += 1
            truncated = "length"
        total += len(body)
        found.append(exchanges.build(response.request, response, body,
                                     traffic.started[response.request], truncated=truncated,
                                     seed=seed, seed_url=seed_url))
    if skipped:
        out.notes.append(f"{skipped} bodies not kept: {bounds.max_total_bytes} bytes reached")
    return found


def _ms(deadline: float) -> float:
    return max((deadline - time.monotonic()) * 1000, 1.0)
