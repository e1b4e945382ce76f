"""Scrapy's default RETRY_EXCEPTIONS without the import that naming one of them costs.

Scrapy's list names ``scrapy.core.downloader.handlers.http11.TunnelError`` by its import path,
and RetryMiddleware imports every entry when a crawl starts: that loads Scrapy's whole HTTP/1.1
client and its TLS context factory (~0.07 s CPU per crawl process), though pagetrail's own
client (crawl/wire) downloads and never raises it. :class:`TunnelError` stands in for it: an
exception is one of its instances exactly when it is one of the real class's, which can only
exist once Scrapy's client has been imported (``PAGETRAIL_RAW_HTTP = False``, or a handler of
the user's own), so the same exceptions are retried as with Scrapy's list."""

from __future__ import annotations

import sys
from collections.abc import Iterable

HTTP11 = "scrapy.core.downloader.handlers.http11"
SCRAPY_NAME = f"{HTTP11}.TunnelError"


class _OnceLoaded(type):
    def __instancecheck__(cls, instance: object) -> bool:
        module = sys.modules.get(HTTP11)
        return module is not None and isinstance(instance, module.TunnelError)

    def __subclasscheck__(cls, subclass: type) -> bool:
        module = sys.modules.get(HTTP11)
        return module is not None and issubclass(subclass, module.TunnelError)


class TunnelError(metaclass=_OnceLoaded):
    """``isinstance(exc, TunnelError)``: whether ``exc`` is Scrapy's http11 TunnelError, told
    without importing Scrapy's HTTP/1.1 client (the proxy refused a CONNECT tunnel)."""


def retry_exceptions(entries: Iterable[object]) -> list[object]:
    """``entries`` (RETRY_EXCEPTIONS' form: classes or import paths) with Scrapy's TunnelError
    named by :class:`TunnelError` instead of its import path."""
    return [TunnelError if entry == SCRAPY_NAME else entry for entry in entries]
