"""One HTTP/1.1 connection on Twisted's public Protocol API, teeing what it writes and reads.

It writes a fetch's request bytes as they are (so the archive's request record is what was
sent), parses the answer with :class:`ResponseParser`, and keeps the response head and (for a
chunked body) the framed body as received. After a whole response with keep-alive it goes back
to the pool for the next request to the same host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from twisted.internet import error, ssl
from twisted.internet.protocol import Protocol, connectionDone
from twisted.python.failure import Failure

from pagetrail.crawl.wire.fetch import Fetch
from pagetrail.crawl.wire.parser import ResponseParser, WireError


class StaleConnection(Exception):
    """A kept-alive connection closed before answering: the request may be sent again."""


class TunnelRefused(error.ConnectError):
    """The proxy did not open a CONNECT tunnel (a ConnectError, so Scrapy retries it as it
    retries its own handler's TunnelError)."""


class HTTPConnection(Protocol):
    def __init__(self, on_idle: Callable[[HTTPConnection], None],
                 on_gone: Callable[[HTTPConnection], None]) -> None:
        self.on_idle = on_idle
        self.on_gone = on_gone
        self.fetch: Fetch | None = None
        self.parser: ResponseParser | None = None
        self.reused = False  # True once it has answered one request
        self.got_bytes = False
        self.lost = False
        self.tls_creator = None  # set when a CONNECT tunnel must turn into TLS
        self.tunnel: tuple[bytes, ResponseParser] | None = None

    # -- sending ----------------------------------------------------------------------------------
    def send(self, fetch: Fetch, head_request: bool) -> None:
        self.fetch = fetch
        self.parser = fetch.parser = ResponseParser(head_request=head_request)
        self.got_bytes = False
        if self.tunnel is not None:
            self.transport.write(self.tunnel[0])  # the CONNECT first; the request once it is open
        else:
            self.transport.write(fetch.sent)

    def open_tunnel(self, connect: bytes, tls_creator: object) -> None:
        self.tunnel = (connect, ResponseParser(head_request=True))
        self.tls_creator = tls_creator

    # -- Twisted callbacks ------------------------------------------------------------------------
    def dataReceived(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
        fetch, parser = self.fetch, self.parser
        if fetch is None or parser is None or fetch.finished:
            self.transport.abortConnection()  # unasked-for bytes: the connection is not sane
            return
        if not self.got_bytes:
            self.got_bytes = True
            if self.tunnel is None:
                fetch.ip_address, fetch.certificate = self.peer_ip(), self.certificate()
                fetch.tls = self.tls_version()
        if self.tunnel is not None:
            self._tunnel_data(data)
            return
        had_head = parser.head is not None
        try:
            piece = parser.feed(data)
        except WireError as exc:
            fetch.fail(exc)
            self.transport.abortConnection()
            return
        if not had_head and parser.head is not None:
            if not fetch.on_head(parser.head, parser.expected_length):
                self.transport.abortConnection()
                return
        if piece and not fetch.on_body(piece):
            self.transport.abortConnection()
            return
        if parser.done:
            self._complete()

    def connectionLost(self, reason: Failure = connectionDone) -> None:  # noqa: N802
        self.lost = True
        self.on_gone(self)
        fetch, parser = self.fetch, self.parser
        self.fetch = None
        if fetch is None or parser is None or fetch.finished:
            return
        if parser.head is None:
            if self.reused and not self.got_bytes:
                fetch.fail(StaleConnection())
            else:
                fetch.fail(reason.value if not reason.check(error.ConnectionDone)
                           else error.ConnectionLost("connection closed before a response"))
            return
        if parser.finish_on_close():
            if parser.framing == "close":
                fetch.flags.append("partial")  # as Scrapy marks a body ended by the close
            fetch.finish()
        else:
            fetch.on_cut_short(reason)

    # -- helpers ----------------------------------------------------------------------------------
    def _complete(self) -> None:
        fetch, parser = self.fetch, self.parser
        assert fetch is not None and parser is not None and parser.head is not None
        reusable = (parser.head.version == "HTTP/1.1" and not parser.leftover
                    and parser.framing in ("length", "chunked", "none")
                    and not any(b"close" in v.lower() for v in parser.head.values(b"connection")))
        fetch.finish()
        self.fetch = None
        self.reused = True
        if reusable and not self.lost:
            self.on_idle(self)
        else:
            self.transport.loseConnection()

    def _tunnel_data(self, data: bytes) -> None:
        assert self.tunnel is not None and self.fetch is not None
        parser = self.tunnel[1]
        try:
            parser.feed(data)
        except WireError as exc:
            self.fetch.fail(TunnelRefused(f"proxy answered CONNECT badly ({exc})"))
            self.transport.abortConnection()
            return
        if parser.head is None:
            return
        if parser.head.status != 200:
            self.fetch.fail(TunnelRefused(
                f"proxy refused the CONNECT tunnel: {parser.head.status} {parser.head.reason}"))
            self.transport.abortConnection()
            return
        self.tunnel = None
        self.transport.startTLS(self.tls_creator)
        self.got_bytes = False
        self.transport.write(self.fetch.sent)

    # -- what the archive and Scrapy want to know about the connection ----------------------------
    def peer_ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        try:
            return ipaddress.ip_address(self.transport.getPeer().host)
        except (AttributeError, ValueError):
            return None

    def certificate(self) -> ssl.Certificate | None:
        try:
            peer = self.transport.getPeerCertificate()
        except AttributeError:
            return None
        return ssl.Certificate(peer) if peer is not None else None

    def tls_version(self) -> str | None:
        """``tls/1.3`` style (the WARC-Protocol proposal's names), None on plain TCP."""
        try:
            name = self.transport.getHandle().get_protocol_version_name()
        except AttributeError:
            return None
        if not isinstance(name, str) or not name.upper().startswith("TLSV"):
            return None
        return "tls/" + name[4:]
