"""Downloader middlewares for a server's wishes and a seed's identity:

- :class:`RetryAfterMiddleware` (priority 560, its ``process_response`` runs just before
  Scrapy's RetryMiddleware at 550): a 429 or 503 with ``Retry-After`` is retried only after the
  delay the server asked for, up to ``PAGETRAIL_RETRY_AFTER_MAX`` seconds (120); a longer delay is
  not retried in this run at all (retrying sooner would ignore what the server said). Without
  the header Scrapy's retries go on as before.
- :class:`RedirectPolicyMiddleware` (priority 610, before RedirectMiddleware at 600): a seed page
  that redirects to another site, or to a scheme other than http(s), is not followed: what
  answers there is not the page the seed names, and must not be archived as it. The seed fails
  with ``redirect to another site not followed: URL -> LOCATION``.
  ``PAGETRAIL_REDIRECT_HOSTS``: ``"site"`` (default: the same last two host labels, so
  ``example.org`` -> ``www.example.org`` and http -> https are followed), ``"host"`` or ``"any"``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future

from pagetrail.crawl.redirects import redirect_policy, refusal

META_NOT_RETRIED = "pagetrail_retry_after_refused"  # seconds asked for, over the bound
META_REDIRECT_REFUSED = "pagetrail_redirect_refused"  # why the redirect was not followed
RETRY_AFTER_STATUSES = (429, 503)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None when absent or
    unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.max_wait = crawler.settings.getfloat("PAGETRAIL_RETRY_AFTER_MAX", 120.0)
        self.max_retries = crawler.settings.getint("RETRY_TIMES")
        self.enabled = crawler.settings.getbool("RETRY_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if (not self.enabled or response.status not in RETRY_AFTER_STATUSES
                or request.meta.get("dont_retry")):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        retries_left = request.meta.get("max_retry_times", self.max_retries) - request.meta.get("retry_times", 0)
        if wait is None or retries_left <= 0:
            return response
        if wait > self.max_wait:
            request.meta["dont_retry"] = True
            request.meta[META_NOT_RETRIED] = wait
            return response
        if wait > 0:
            from twisted.internet import reactor  # the one Scrapy installed: imported only now
            from twisted.internet.task import deferLater

            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return response


class RedirectPolicyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.policy = redirect_policy(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectPolicyMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        why = refusal(request, response, self.policy)
        if why is not None:
            request.meta["dont_redirect"] = True
            request.meta[META_REDIRECT_REFUSED] = why
        return response
