"""RawHTTPDownloadHandler: Scrapy's http/https downloads through pagetrail's own HTTP/1.1 client,
so the archive stores the request and response bytes as they went over the wire.

Registered through Scrapy's public ``DOWNLOAD_HANDLERS`` setting (see crawl/settings.py;
``PAGETRAIL_RAW_HTTP = False`` gives Scrapy's own handler back). It honours what Scrapy's
HTTP11DownloadHandler does and pagetrail relies on: ``download_timeout``,
``download_maxsize``/``download_warnsize``, ``DOWNLOAD_FAIL_ON_DATALOSS``, the
``headers_received``/``bytes_received`` signals and StopDownload, ``proxy`` (plain HTTP proxies;
https through CONNECT), DOWNLOAD_BIND_ADDRESS (not the per-request ``bindaddress`` meta key),
``download_latency`` (AutoThrottle reads it), ``Response.ip_address``/``certificate``/``protocol``,
HEAD and bodiless answers, keep-alive. The bytes go to the archive in ``request.meta[META_WIRE]``
(a :class:`WireCapture`), which ArchiveMiddleware takes.
"""

from __future__ import annotations

import base64
from time import monotonic
from urllib.parse import unquote, urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    NotConfigured,
)
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import build_from_crawler
from twisted.internet import error
from twisted.internet.defer import CancelledError, Deferred

from pagetrail.crawl.wire.connection import HTTPConnection, StaleConnection
from pagetrail.crawl.wire.fetch import META_WIRE, Fetch, Limits, WireCapture
from pagetrail.crawl.wire.parser import WireError
from pagetrail.crawl.wire.pool import ConnectionPool, Key
from pagetrail.crawl.wire.request import Target, connect_bytes, request_bytes, target_of
from pagetrail.crawl.wire.tls import ClientTLS, context_from

PROXY_PORTS = {"http": 80, "https": 443}


class RawHTTPDownloadHandler(BaseDownloadHandler):
    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("TWISTED_REACTOR_ENABLED", True):
            raise NotConfigured("RawHTTPDownloadHandler needs Twisted's reactor")
        super().__init__(crawler)
        from twisted.internet import reactor

        self.reactor = reactor
        bind = settings.get("DOWNLOAD_BIND_ADDRESS")
        self.pool = ConnectionPool(reactor, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1,
                                   context_from(settings), _bind(bind))
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.warnsize = settings.getint("DOWNLOAD_WARNSIZE")
        self.fail_on_dataloss = settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS")
        self.timeout = settings.getfloat("DOWNLOAD_TIMEOUT") or 180
        # PAGETRAIL_RAW_HTTP = False: Scrapy's own handler does the work (records are then
        # rebuilt from its parsed objects, as docs/archive.md says).
        self.fallback = None
        if not settings.getbool("PAGETRAIL_RAW_HTTP", True):
            # Imported here only: Scrapy's client (and its TLS context factory) costs a crawl
            # process ~0.05 s of start-up it does not need when pagetrail's client does the work.
            from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

            self.fallback = build_from_crawler(HTTP11DownloadHandler, crawler)

    async def close(self) -> None:
        self.pool.close()
        if self.fallback is not None:
            await self.fallback.close()

    async def download_request(self, request: Request) -> Response:
        if self.fallback is not None:
            return await self.fallback.download_request(request)
        meta = request.meta
        timeout = float(meta.get("download_timeout") or self.timeout)
        plan = _Plan(request)
        started = monotonic()
        deadline = started + timeout  # for the whole download, connecting included, as Scrapy's
        fetch = None
        for fresh_only in (False, True):
            fetch = Fetch(request, self.crawler, self._limits(request), plan.sent,
                          started=started)
            conn, fresh = await self._connection(plan, fresh_only, deadline, timeout, fetch)
            conn.send(fetch, request.method.upper() == "HEAD")
            try:
                await self._awaited(fetch.done, deadline, timeout, request, conn)
            except StaleConnection:
                if fresh:
                    raise error.ConnectionLost("connection closed before a response") from None
                continue  # a kept-alive connection the server had closed: once more, fresh
            break
        assert fetch is not None and fetch.head is not None
        return self._response(request, fetch)

    # -- steps ------------------------------------------------------------------------------------
    def _limits(self, request: Request) -> Limits:
        meta = request.meta
        return Limits(meta.get("download_maxsize", self.maxsize),
                      meta.get("download_warnsize", self.warnsize),
                      meta.get("download_fail_on_dataloss", self.fail_on_dataloss))

    async def _connection(self, plan: _Plan, fresh_only: bool, deadline: float, timeout: float,
                          fetch: Fetch) -> tuple[HTTPConnection, bool]:
        if not fresh_only:
            conn = self.pool.take(plan.key)
            if conn is not None:
                return conn, False
        d = self.pool.connect(plan.key, plan.host, plan.port, tls=plan.tls_now,
                              timeout=max(deadline - monotonic(), 0.001))
        conn = await self._awaited(d, deadline, timeout, fetch.request, None)
        if plan.connect is not None:
            conn.open_tunnel(plan.connect, ClientTLS(self.pool.tls_context, plan.target.host))
        return conn, True

    async def _awaited(self, d: Deferred, deadline: float, timeout: float, request: Request,
                       conn: HTTPConnection | None) -> object:
        """``d``'s result, or the error Scrapy's handler gives when the download's ``deadline``
        (``timeout`` seconds after it began) passes first."""
        timed_out = []

        def expire() -> None:
            timed_out.append(True)
            if conn is not None and conn.transport is not None:
                conn.transport.abortConnection()
            d.cancel()

        call = self.reactor.callLater(max(deadline - monotonic(), 0.0), expire)
        try:
            return await maybe_deferred_to_future(d)
        except (CancelledError, error.TimeoutError) as exc:
            if conn is not None and conn.transport is not None:
                conn.transport.abortConnection()  # cancelled: the answer is not wanted any more
            if timed_out or isinstance(exc, error.TimeoutError):
                raise DownloadTimeoutError(
                    f"Getting {request.url} took longer than {timeout} seconds.") from exc
            raise DownloadCancelledError(str(exc)) from exc
        except error.ConnectionRefusedError as exc:
            raise DownloadConnectionRefusedError(str(exc)) from exc
        except error.DNSLookupError as exc:
            raise CannotResolveHostError(str(exc)) from exc
        except WireError as exc:
            raise DownloadFailedError(str(exc)) from exc
        finally:
            if call.active():
                call.cancel()

    def _response(self, request: Request, fetch: Fetch) -> Response:
        head = fetch.head
        assert head is not None
        body = fetch.body()
        headers = fetch.headers()
        parser = fetch.parser
        chunked = parser is not None and parser.framing == "chunked"
        request.meta[META_WIRE] = WireCapture(
            request=fetch.sent, head=head.raw, body=body,
            # the parser's buffer itself, not a copy: the record is built from it once
            wire_body=parser.wire if chunked else None, tls=fetch.tls)
        url = request.url.partition("#")[0]
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        response = cls(url=url, status=head.status, headers=headers, body=body,
                       flags=fetch.flags, certificate=fetch.certificate,
                       ip_address=fetch.ip_address, protocol=head.version)
        if fetch.stop is not None:
            response.flags.append("download_stopped")
            if fetch.stop.fail:
                fetch.stop.response = response
                raise fetch.stop
        return response


class _Plan:
    """Where to connect for a request and what to write: directly, through an HTTP proxy
    (absolute-form request line), or through a CONNECT tunnel (https via a proxy)."""

    def __init__(self, request: Request) -> None:
        proxy = request.meta.get("proxy") or ""
        url = request.url.partition("#")[0]
        self.connect: bytes | None = None
        if not proxy:
            self.target: Target = target_of(url)
            self.host, self.port, self.tls_now = self.target.host, self.target.port, \
                self.target.scheme == "https"
            self.sent = request_bytes(request, self.target)
        else:
            if "://" not in proxy:
                proxy = "http://" + proxy
            parts = urlsplit(proxy)
            if parts.scheme not in PROXY_PORTS or not parts.hostname:
                raise ValueError(f"unsupported proxy {proxy!r}")
            self.host = parts.hostname
            self.port = parts.port or PROXY_PORTS[parts.scheme]
            direct = target_of(url)
            if direct.scheme == "https":
                if parts.scheme == "https":
                    raise ValueError("HTTPS proxies for HTTPS URLs are not supported")
                # tunnel: CONNECT in clear, then TLS to the site inside it
                self.target = direct
                self.tls_now = False
                auth = request.headers.get(b"Proxy-Authorization") or _basic(parts)
                self.connect = connect_bytes(direct, auth)
                self.sent = request_bytes(request, direct, tunnelled=True)
            else:
                self.target = target_of(url, absolute=True)
                self.tls_now = parts.scheme == "https"
                self.sent = request_bytes(request, self.target)
        self.key: Key = (self.target.scheme, self.target.host, self.target.port, proxy)


def _basic(parts) -> bytes | None:  # noqa: ANN001 - a urlsplit result
    # HttpProxyMiddleware normally turns user:password@ into Proxy-Authorization already.
    if parts.username is None:
        return None
    user = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return b"Basic " + base64.b64encode(user.encode("utf-8"))


def _bind(value: object) -> tuple[str, int] | None:
    if isinstance(value, str):
        return (value, 0)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return (str(value[0]), int(value[1]))
    return None
