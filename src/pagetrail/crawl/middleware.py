"""ArchiveMiddleware: hands every HTTP exchange Scrapy makes to the archive, as it was on the wire.

It sits at priority 950 (see settings.py), next to the download handler: its ``process_request``
runs after every other middleware has added its headers (User-Agent, Accept-Encoding, Cookie), and
its ``process_response`` / ``process_exception`` run before HttpCompression decodes the body,
before Redirect follows a 3xx and before Retry retries, so each hop and each attempt is recorded
with the body exactly as received.
"""

from __future__ import annotations

from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Response

from pagetrail.archive.policy import validator_headers
from pagetrail.crawl import exchange as ex
from pagetrail.crawl.redirects import redirect_policy, refusal
from pagetrail.crawl.signals import fetch_archived
from pagetrail.crawl.writer import archive_options, archive_writer

ARCHIVE_ERROR_STAT = "pagetrail/archive_error"
CONDITIONAL_HEADERS = ("If-None-Match", "If-Modified-Since")


class ArchiveMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.root = Path(settings.get("PAGETRAIL_ARCHIVE_DIR", "archive"))
        self.prefix = settings.get("PAGETRAIL_WARC_PREFIX", "pagetrail")
        self.max_size = settings.getint("PAGETRAIL_WARC_MAX_SIZE", 1024**3)
        self.conditional = settings.getbool("PAGETRAIL_CONDITIONAL_REQUESTS", True)
        self.keep_oversize = settings.getbool("PAGETRAIL_KEEP_OVERSIZE", True)
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.robots_maxsize = settings.getint("PAGETRAIL_ROBOTSTXT_MAXSIZE", 512 * 1024)
        self.redirect_policy = redirect_policy(settings)
        options = archive_options(settings)
        # url -> conditional headers, for the seed pages of this crawl: looked up in one call when
        # the spider opens, then kept up to date from each capture (a round trip per request saved)
        self.validators: dict[str, dict[str, str]] = {}
        self.archive = archive_writer(
            settings.get("PAGETRAIL_ARCHIVE_WRITER", "process"), settings.get("PAGETRAIL_ARCHIVE_CLASS", "pagetrail.archive.Archive"),
            self.root, options)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveMiddleware:
        if not crawler.settings.getbool("PAGETRAIL_ARCHIVE_ENABLED", True):
            raise NotConfigured("PAGETRAIL_ARCHIVE_ENABLED is off")
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        if mw.keep_oversize:
            crawler.signals.connect(mw.bytes_received, signal=signals.bytes_received)
        return mw

    # -- life cycle -----------------------------------------------------------------------------
    def spider_opened(self, spider) -> None:  # noqa: ANN001 - any spider; seeds when it has them
        self.open()
        self._prefetch_validators([seed.url for seed in getattr(spider, "seeds", None) or ()])

    def spider_closed(self) -> None:
        self.close()

    def open(self) -> None:
        self.archive.open()

    def close(self) -> None:
        self.archive.close()

    def _prefetch_validators(self, urls: list[str]) -> None:
        if not (self.conditional and urls):
            return
        try:
            found = self.archive.call_and_wait("conditional_headers_for", urls)
        except AttributeError:
            return  # an archive class without the batch lookup: asked per request
        self.validators = {url: found.get(url, {}) for url in urls}

    # -- downloader middleware ------------------------------------------------------------------
    async def process_request(self, request: Request) -> None:
        request.meta[ex.META_STARTED] = ex.now()
        if self.keep_oversize:
            self._take_over_maxsize(request)
        await self._set_conditional_headers(request)

    def bytes_received(self, data: bytes, request: Request) -> None:
        limit = request.meta.get(ex.META_LIMIT)
        if not limit:
            return
        received = request.meta.get(ex.META_RECEIVED, 0) + len(data)
        request.meta[ex.META_RECEIVED] = received
        if received > limit:
            request.meta[ex.META_OVERSIZE] = True
            raise StopDownload(fail=False)  # the response keeps the bytes so far: archived truncated

    async def process_response(self, request: Request, response: Response) -> Response:
        final = refusal(request, response, self.redirect_policy) is not None
        await self._record(request, ex.build_exchange(request, response, final))
        if self.keep_oversize:
            self._hand_back_maxsize(request)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):
            # Raised before anything went over the wire. A fetch robots.txt forbids is on
            # record like any other failed attempt; an offsite or filtered request is not a fetch.
            if ex.ROBOTS_FORBIDDEN in str(exception):
                await self._record(request, ex.build_failure(request, exception), failed=True)
            return None
        await self._record(request, ex.build_failure(request, exception), failed=True)
        return None

    # -- helpers --------------------------------------------------------------------------------
    async def _set_conditional_headers(self, request: Request) -> None:
        seed_url = request.meta.get(ex.META_SEED_URL)
        added = request.meta.get(ex.META_CONDITIONAL_ADDED, ())
        if request.url != seed_url or request.meta.get(ex.META_ROLE, "page") != "page":
            # a redirect hop copies the seed request's headers: the validators are not its own
            for name in added:
                request.headers.pop(name, None)
            request.meta[ex.META_CONDITIONAL_ADDED] = ()
            return
        if not (self.conditional and request.meta.get(ex.META_CONDITIONAL, True)):
            return
        headers = self.validators.get(request.url)
        if headers is None:
            headers = await self.archive.call("conditional_headers", request.url) or {}
        names = []
        for name in CONDITIONAL_HEADERS:
            if name in headers and headers[name]:
                request.headers[name] = headers[name]
                names.append(name)
        request.meta[ex.META_CONDITIONAL_ADDED] = tuple(names)

    def _take_over_maxsize(self, request: Request) -> None:
        """Enforce DOWNLOAD_MAXSIZE here instead of in the download handler, which would cancel the
        download and throw the body away: an oversized body is archived up to the limit and marked
        ``WARC-Truncated: length``. robots.txt gets PAGETRAIL_ROBOTSTXT_MAXSIZE (what a robots.txt
        parser reads at most; Google stops at 500 KiB)."""
        limit = request.meta.get(ex.META_LIMIT) or request.meta.get("download_maxsize", self.maxsize)
        if ex.role_of(request) == "robots" and self.robots_maxsize:
            limit = min(limit, self.robots_maxsize) if limit else self.robots_maxsize
        request.meta[ex.META_RECEIVED] = 0
        request.meta.pop(ex.META_OVERSIZE, None)
        if limit:
            request.meta[ex.META_LIMIT] = limit
            request.meta["download_maxsize"] = 0

    @staticmethod
    def _hand_back_maxsize(request: Request) -> None:
        """Once the body is in, the limit goes back where HttpCompressionMiddleware reads it:
        it bounds the *decompressed* size too, so a gzip bomb (a few MB inflating to GBs) is
        stopped at the limit instead of being inflated whole in memory."""
        if request.meta.get(ex.META_LIMIT):
            request.meta["download_maxsize"] = request.meta[ex.META_LIMIT]

    async def _record(self, request: Request, record, *, failed: bool = False) -> None:  # noqa: ANN001
        try:
            capture = await self.archive.call("record_failure" if failed else "record", record)
        except Exception as exc:
            # e.g. disk full: the spider sees this error and stops the crawl; the runner reports it
            self.crawler.stats.set_value(ARCHIVE_ERROR_STAT, f"{type(exc).__name__}: {exc}")
            raise
        request.meta[ex.META_CAPTURE] = capture
        if (capture.url in self.validators and capture.kind in ("response", "revisit")
                and (capture.etag or capture.last_modified)):
            # what archive.conditional_headers would now answer: the latest capture's validators
            self.validators[capture.url] = validator_headers(capture.etag, capture.last_modified)
        self.crawler.signals.send_catch_log(signal=fetch_archived, capture=capture,
                                            request=request, exchange=record)

