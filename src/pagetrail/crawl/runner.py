"""run_crawl: one Scrapy crawl of some seeds into an archive folder, in this process.

Twisted's reactor cannot be restarted, so a process runs at most one crawl; callers that crawl again
(the scheduler) start a child process (``python -m pagetrail crawl ... --json``).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pagetrail.crawl.outcome import CrawlSummary, PageOutcome
from pagetrail.crawl.render.browser import check_render_available
from pagetrail.errors import ArchiveError, PagetrailError
from pagetrail.seeds import Seed

#: progress(outcome, done, total): done counts seed pages so far; None for a requisite
Progress = Callable[[PageOutcome, int | None, int], None]

DEFAULT_PREFIX = "pagetrail"


def crawl_settings(archive_root: str | Path, overrides: Mapping[str, Any] | None = None,
                   seeds: Sequence[Seed] = ()):  # noqa: ANN201 - scrapy.settings.Settings
    """pagetrail's Scrapy settings for a crawl into ``archive_root``, with ``overrides`` on top."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("pagetrail.crawl.settings", priority="project")
    settings.set("SPIDER_MODULES", [], priority="project")  # the spider class is passed directly
    settings.set("PAGETRAIL_ARCHIVE_DIR", str(archive_root), priority="cmdline")
    # A seed's warc_prefix names the files when every seed of the crawl agrees on one (the
    # scheduler crawls one seed per process); a mixed crawl uses PAGETRAIL_WARC_PREFIX.
    prefixes = {s.warc_prefix for s in seeds}
    if len(prefixes) == 1 and DEFAULT_PREFIX not in prefixes:
        settings.set("PAGETRAIL_WARC_PREFIX", prefixes.pop(), priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def check_archive_folder(root: Path) -> None:
    """Fail before crawling, with one line, if the archive folder cannot be written."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"{root}: cannot create archive folder: {exc.strerror or exc}") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise ArchiveError(f"{root}: archive folder is not writable")


class _Collector:
    """Gathers the spider's outcomes and forwards each to the progress callback."""

    def __init__(self, seeds: Sequence[Seed], progress: Progress | None) -> None:
        self.seeds = list(seeds)
        self.progress = progress
        self.pages: dict[str, PageOutcome] = {}
        self.requisites: list[PageOutcome] = []

    def page_done(self, outcome: PageOutcome) -> None:
        if outcome.role == "page":
            self.pages[outcome.seed or outcome.url] = outcome
            done: int | None = len(self.pages)
        else:
            self.requisites.append(outcome)
            done = None
        if self.progress is not None:
            self.progress(outcome, done, len(self.seeds))

    def summary(self) -> CrawlSummary:
        pages = [self.pages.get(s.name) or PageOutcome(seed=s.name, url=s.url, kind=None,
                                                       error=f"not fetched: {s.url}")
                 for s in self.seeds]
        return CrawlSummary(pages=pages, requisites=self.requisites)


def run_crawl(seeds: Sequence[Seed], archive_root: str | Path, *,
              settings: Mapping[str, Any] | None = None,
              progress: Progress | None = None,
              render_progress: Callable[[Any], None] | None = None) -> CrawlSummary:
    """Fetch every seed once (plus requisites where asked), archive every exchange, and return
    one outcome per seed. Seeds with ``render = true`` are then loaded in headless Chromium
    (pagetrail.crawl.render), each outcome in ``summary.rendered``. Raises ArchiveError when the
    archive cannot be written, RenderUnavailable (before fetching anything) when a seed asks for
    rendering and Chromium or Playwright is missing, and KeyboardInterrupt when the crawl was
    stopped by a signal."""
    from scrapy.crawler import CrawlerProcess

    from pagetrail.crawl.middleware import ARCHIVE_ERROR_STAT
    from pagetrail.crawl.signals import page_done
    from pagetrail.crawl.spider import SnapshotSpider

    seeds = list(seeds)
    scrapy_settings = crawl_settings(archive_root, settings, seeds)
    archiving = scrapy_settings.getbool("PAGETRAIL_ARCHIVE_ENABLED")
    if archiving:
        check_archive_folder(Path(scrapy_settings.get("PAGETRAIL_ARCHIVE_DIR")))
        check_render_available(seeds)
    process = CrawlerProcess(scrapy_settings)
    crawler = process.create_crawler(SnapshotSpider)
    collector = _Collector(seeds, progress)
    crawler.signals.connect(collector.page_done, signal=page_done)
    startup_errors: list[BaseException] = []

    def crawl_failed(failure):  # noqa: ANN001, ANN202 - twisted Failure
        startup_errors.append(failure.value)

    process.crawl(crawler, seeds=seeds).addErrback(crawl_failed)
    process.start()
    if startup_errors:
        exc = startup_errors[0]
        if isinstance(exc, PagetrailError):
            raise exc
        raise PagetrailError(f"the crawl could not start: {type(exc).__name__}: {exc}")
    archive_error = crawler.stats.get_value(ARCHIVE_ERROR_STAT)
    if archive_error:
        raise ArchiveError(f"{archive_root}: cannot archive: {archive_error}")
    if crawler.stats.get_value("finish_reason") == "shutdown":
        raise KeyboardInterrupt
    summary = collector.summary()
    if archiving:
        summary.rendered = render_pages(seeds, summary, scrapy_settings, render_progress)
    return summary


def render_pages(seeds: Sequence[Seed], summary: CrawlSummary, scrapy_settings,  # noqa: ANN001
                 progress: Callable[[Any], None] | None = None) -> list:
    """Render the pages of the seeds that ask for it, into the crawl's archive."""
    from pagetrail.crawl.render import RenderBounds, render_captures
    from pagetrail.crawl.render.step import archive_for, chromium_args, renderable

    wanted = {s.name for s in seeds if s.render}
    todo = [(p.seed, p.capture) for p in summary.pages
            if p.seed in wanted and p.ok and renderable(p.capture)]
    if not todo:
        return []
    archive = archive_for(scrapy_settings.get("PAGETRAIL_ARCHIVE_DIR"), scrapy_settings)
    try:
        with _interruptible():
            return render_captures(archive, todo, RenderBounds.from_settings(scrapy_settings),
                                   progress, chromium_args(scrapy_settings))
    finally:
        archive.close()


@contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM (the daemon stopping) and SIGINT end the rendering at once as KeyboardInterrupt,
    like an interrupted crawl: Scrapy's handlers are gone with its reactor, and pages rendered
    so far are already archived. The first signal kills the browser, so the rendering unwinds
    through its normal paths; a second one interrupts wherever it is."""
    from pagetrail.crawl.render.step import stop_rendering

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals_seen = []

    def interrupt(signum: int, frame: object) -> None:
        signals_seen.append(signum)
        if len(signals_seen) > 1:
            raise KeyboardInterrupt
        stop_rendering()

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
