"""The snapshot spider: one request per seed per run, plus the page's requisites when asked.

It only schedules requests and reports outcomes; ArchiveMiddleware archives every fetch, so nothing
here touches the archive. A failing seed ends in its errback and never stops the others.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from pagetrail.crawl import exchange as ex
from pagetrail.crawl.middleware import ARCHIVE_ERROR_STAT
from pagetrail.crawl.outcome import PageOutcome, http_error, kind_word
from pagetrail.crawl.politeness import META_NOT_RETRIED, META_REDIRECT_REFUSED
from pagetrail.crawl.requisites import (
    HOST_POLICIES,
    MAX_REQUISITES,
    requisite_urls,
    select_requisites,
)
from pagetrail.crawl.seedlist import choose_seeds
from pagetrail.crawl.signals import page_done
from pagetrail.seeds import Seed

META_OUTCOME_URL = "pagetrail_outcome_url"


def _split(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


class SnapshotSpider(Spider):
    """Arguments (``scrapy crawl snapshot -a seeds=a.toml,b.toml -a only=NAME -a url=URL``), or
    ``seeds=[Seed, ...]`` when started from Python (``run_crawl``)."""

    name = "snapshot"

    def __init__(self, seeds: str | Sequence[Seed] | None = None, only: str | None = None,
                 url: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        if seeds and not isinstance(seeds, str) and all(isinstance(s, Seed) for s in seeds):
            self.seeds = list(seeds)
        else:
            self.seeds = choose_seeds(_split(seeds), _split(url), _split(only))  # type: ignore[arg-type]
        self.by_name = {s.name: s for s in self.seeds}

    # -- requests -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for seed in self.seeds:
            yield self.seed_request(seed)

    def _request(self, url: str, seed: Seed, role: str, **kwargs: object) -> Request:
        meta = {ex.META_SEED: seed.name, ex.META_SEED_URL: seed.url, ex.META_ROLE: role,
                META_OUTCOME_URL: url,
                # one cookie jar per seed: a capture must not depend on what other seeds were sent
                "cookiejar": seed.name}
        if not seed.robots:
            meta["dont_obey_robotstxt"] = True
        if seed.timeout is not None:
            meta["download_timeout"] = seed.timeout
        if seed.max_size is not None:
            meta["download_maxsize"] = seed.max_size  # ArchiveMiddleware and HttpCompression read it
        if seed.proxy:
            meta["proxy"] = seed.proxy
        headers = {"User-Agent": seed.user_agent} if seed.user_agent else None
        return Request(url, meta=meta, headers=headers, **kwargs)  # type: ignore[arg-type]

    def seed_request(self, seed: Seed) -> Request:
        # dont_filter: a seed is fetched on every run, whatever any duplicate filter remembers
        return self._request(seed.url, seed, "page", callback=self.page_fetched,
                             errback=self.page_failed, dont_filter=True)

    def requisite_requests(self, response: Response, seed: Seed) -> Iterator[Request]:
        if not isinstance(response, TextResponse) or b"html" not in \
                response.headers.get(b"Content-Type", b"text/html").lower():
            return
        settings = self.crawler.settings
        policy = settings.get("PAGETRAIL_REQUISITE_HOSTS", "host")
        urls, left_out = select_requisites(
            requisite_urls(response.text, response.url), response.url,
            policy if policy in HOST_POLICIES else "host",
            settings.getint("PAGETRAIL_MAX_REQUISITES", MAX_REQUISITES))
        if left_out:
            self.crawler.stats.inc_value("pagetrail/requisites_left_out", left_out)
            self.logger.warning("%s: %d requisites over PAGETRAIL_MAX_REQUISITES not fetched",
                                response.url, left_out)
        for url in urls:
            # the duplicate filter keeps a requisite shared by several seeds to one fetch per run
            yield self._request(url, seed, "requisite", callback=self.page_fetched,
                                errback=self.page_failed)

    # -- outcomes -------------------------------------------------------------------------------
    def page_fetched(self, response: Response) -> list[Request]:
        # A list, not a generator: Scrapy parses the source of generator callbacks (to warn about
        # `return value`) on every response of a bound method, which costs more than the page.
        meta = response.meta
        seed = self.by_name[meta[ex.META_SEED]]
        capture = meta.get(ex.META_CAPTURE)
        error = http_error(response.status)
        if "dataloss" in response.flags:
            error = f"connection dropped mid-body ({len(response.body)} bytes kept): {response.url}"
        elif meta.get(META_REDIRECT_REFUSED):
            error = meta[META_REDIRECT_REFUSED]
        elif meta.get(META_NOT_RETRIED) and error:
            error = (f"{error}, Retry-After {meta[META_NOT_RETRIED]:.0f} s (more than "
                     f"PAGETRAIL_RETRY_AFTER_MAX): not retried in this run: {response.url}")
        elif ex.truncation(response) == "length":
            error = (f"body larger than DOWNLOAD_MAXSIZE ({len(response.body)} bytes kept): "
                     f"{response.url}")
        outcome = PageOutcome(seed=seed.name, url=meta.get(META_OUTCOME_URL, response.url),
                              role=meta.get(ex.META_ROLE, "page"), final_url=response.url,
                              status=response.status, kind=kind_word(capture), error=error,
                              capture=capture)
        self._report(outcome)
        if outcome.role == "page" and seed.requisites and response.status < 400:
            return list(self.requisite_requests(response, seed))
        return []

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        if self.crawler.stats.get_value(ARCHIVE_ERROR_STAT):
            raise CloseSpider("archive_error")
        exc = failure.value
        if isinstance(exc, IgnoreRequest):
            reason = str(exc) or "request ignored"
            error = f"{reason[0].lower()}{reason[1:]}: {request.url}"
            if "during decompression" in reason:  # HttpCompressionMiddleware's size guard
                error = f"body inflates past DOWNLOAD_MAXSIZE when decompressed: {request.url}"
        else:
            error = ex.failure_message(request.url, exc)
        capture = meta.get(ex.META_CAPTURE)
        self._report(PageOutcome(seed=meta.get(ex.META_SEED), url=meta.get(META_OUTCOME_URL,
                                 request.url), role=meta.get(ex.META_ROLE, "page"),
                                 final_url=request.url, kind="failed", error=error,
                                 capture=capture))

    def _report(self, outcome: PageOutcome) -> None:
        self.crawler.signals.send_catch_log(signal=page_done, outcome=outcome)
