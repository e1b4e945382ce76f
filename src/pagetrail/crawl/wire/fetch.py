"""One request's download: what Scrapy's own HTTP handler promises, on top of the raw bytes.

The connection (``connection.py``) moves bytes; this object decides what they mean for Scrapy:
the ``headers_received`` and ``bytes_received`` signals (whose handlers may raise StopDownload:
pagetrail's ArchiveMiddleware does, to keep an oversized body up to its limit), DOWNLOAD_MAXSIZE
and DOWNLOAD_WARNSIZE, and a body cut short (flagged ``dataloss``, or ResponseDataLossError when
DOWNLOAD_FAIL_ON_DATALOSS is on), as Scrapy's HTTP11DownloadHandler does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from time import monotonic

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, ResponseDataLossError, StopDownload
from scrapy.http import Headers
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from pagetrail.crawl.wire.parser import Head, ResponseParser

logger = logging.getLogger(__name__)

META_WIRE = "pagetrail_wire"  # request.meta key of the WireCapture of the latest download

# Framing headers the client consumed: Scrapy's handler leaves them out of Response.headers too
# (Content-Length is given back, as the length the body was read with).
CONSUMED = frozenset({b"transfer-encoding", b"connection", b"content-length"})


@dataclass
class WireCapture:
    """The exchange as it went over the wire, for the archive (``request.meta[META_WIRE]``)."""

    request: bytes  # request line, headers and body, as written
    head: bytes  # response status line, headers and blank line, as received
    body: bytes  # the body with the transfer coding removed (the Response's body, same object)
    wire_body: bytes | bytearray | None  # the body as received if it differs (chunked), else None
    tls: str | None = None  # e.g. "tls/1.3" for https


@dataclass
class Limits:
    maxsize: int
    warnsize: int
    fail_on_dataloss: bool


@dataclass
class Fetch:
    """The state of one download; ``done`` fires with a :class:`Result` or fails."""

    request: Request
    crawler: Crawler
    limits: Limits
    sent: bytes
    started: float = 0.0  # time.monotonic() when the download began
    done: Deferred = field(default_factory=Deferred)
    head: Head | None = None
    parts: list[bytes] = field(default_factory=list)
    received: int = 0
    warned: bool = False
    flags: list[str] = field(default_factory=list)
    stop: StopDownload | None = None
    parser: ResponseParser | None = None  # the connection's parser for this response
    # what the connection knew when the answer began (read then: a closed TLS connection forgets)
    ip_address: object = None
    certificate: object = None
    tls: str | None = None

    @property
    def finished(self) -> bool:
        return self.done.called

    def fail(self, exc: BaseException) -> None:
        if not self.finished:
            self.done.errback(Failure(exc))

    def finish(self, flags: list[str] | None = None) -> None:
        if not self.finished:
            self.flags += flags or []
            self.done.callback(self)

    # -- events from the connection ---------------------------------------------------------------
    def on_head(self, head: Head, expected: int) -> bool:
        """False: stop reading (the download ended here)."""
        self.head = head
        # what Scrapy's handler reports (AutoThrottle reads it): until the response head
        self.request.meta["download_latency"] = monotonic() - self.started
        stop = self._signal(signals.headers_received, headers=self.headers(),
                            body_length=expected)
        if stop is not None:
            self.stop = stop
            self.finish()
            return False
        maxsize, warnsize = self.limits.maxsize, self.limits.warnsize
        if maxsize and expected > maxsize:
            message = (f"Expected to receive {expected} bytes which is larger than download "
                       f"max size ({maxsize}) in request {self.request}.")
            logger.warning(message)
            self.fail(DownloadCancelledError(message))
            return False
        if warnsize and expected > warnsize:
            self.warned = True
            logger.warning(f"Expected to receive {expected} bytes which is larger than download "
                           f"warn size ({warnsize}) in request {self.request}.")
        return True

    def on_body(self, piece: bytes) -> bool:
        """False: stop reading (StopDownload, or past DOWNLOAD_MAXSIZE)."""
        self.parts.append(piece)
        self.received += len(piece)
        stop = self._signal(signals.bytes_received, data=piece)
        if stop is not None:
            self.stop = stop
            self.finish()
            return False
        maxsize, warnsize = self.limits.maxsize, self.limits.warnsize
        if maxsize and self.received > maxsize:
            message = (f"Received {self.received} bytes which is larger than download "
                       f"max size ({maxsize}) in request {self.request}.")
            logger.warning(message)
            self.parts.clear()
            self.fail(DownloadCancelledError(message))
            return False
        if warnsize and self.received > warnsize and not self.warned:
            self.warned = True
            logger.warning(f"Received {self.received} bytes which is larger than download "
                           f"warn size ({warnsize}) in request {self.request}.")
        return True

    def on_cut_short(self, reason: Failure) -> None:
        """The connection ended inside the body."""
        if self.limits.fail_on_dataloss:
            exc = ResponseDataLossError()
            exc.__cause__ = reason.value
            self.fail(exc)
        else:
            self.finish(["dataloss"])

    # -- results ----------------------------------------------------------------------------------
    def body(self) -> bytes:
        parts = self.parts
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def headers(self) -> Headers:
        """The headers as Scrapy's handler gives them: framing headers consumed, the length the
        body was read with as Content-Length."""
        assert self.head is not None
        out = Headers()
        lengths = [v for k, v in self.head.headers if k.lower() == b"content-length"]
        if lengths and not any(k.lower() == b"transfer-encoding" for k, _ in self.head.headers):
            out[b"Content-Length"] = lengths[0].split(b",")[0].strip()
        for name, value in self.head.headers:
            if name.lower() not in CONSUMED:
                out.appendlist(name, value)
        return out

    def _signal(self, signal: object, **kwargs: object) -> StopDownload | None:
        results = self.crawler.signals.send_catch_log(
            signal=signal, request=self.request, spider=self.crawler.spider, **kwargs)
        for _, result in results:
            if isinstance(result, Failure) and isinstance(result.value, StopDownload):
                return result.value
        return None
