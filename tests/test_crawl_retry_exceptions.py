"""pagetrail's RETRY_EXCEPTIONS are Scrapy's, with Scrapy's http11 TunnelError told without
importing Scrapy's HTTP client (crawl/retryable.py): the same exceptions are retried."""

from __future__ import annotations

import subprocess
import sys

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.settings import default_settings
from twisted.internet import error

from pagetrail.crawl import retryable
from pagetrail.crawl.runner import crawl_settings


def test_the_same_exceptions_are_retried_as_with_scrapys_list(tmp_path):
    from scrapy.core.downloader.handlers.http11 import TunnelError

    ours = RetryMiddleware(crawl_settings(tmp_path)).exceptions_to_retry
    settings = crawl_settings(tmp_path)
    settings.set("RETRY_EXCEPTIONS", default_settings.RETRY_EXCEPTIONS)
    scrapys = RetryMiddleware(settings).exceptions_to_retry

    class OwnTunnelError(TunnelError):
        pass

    for exc in (TunnelError("proxy said 407"), OwnTunnelError("x"), error.ConnectionLost(),
                error.ConnectError(), OSError("empty body"), ValueError("no"), KeyError("k"),
                RuntimeError("tunnel")):
        assert isinstance(exc, ours) == isinstance(exc, scrapys), exc
    assert isinstance(TunnelError("x"), ours) and not isinstance(ValueError(), ours)
    assert issubclass(OwnTunnelError, retryable.TunnelError)
    assert not issubclass(ValueError, retryable.TunnelError)
    assert [e for e in ours if e is not retryable.TunnelError] == \
        [e for e in scrapys if e is not TunnelError]


def test_a_crawls_retry_middleware_does_not_import_scrapys_http_client(tmp_path):
    code = ("import sys\n"
            "from scrapy.downloadermiddlewares.retry import RetryMiddleware\n"
            "from pagetrail.crawl.runner import crawl_settings\n"
            f"mw = RetryMiddleware(crawl_settings({str(tmp_path)!r}))\n"
            "assert not isinstance(ValueError(), mw.exceptions_to_retry)\n"
            f"print({retryable.HTTP11!r} in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
