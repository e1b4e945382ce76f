"""Kept-alive connections per (scheme, host, port, proxy), and how new ones are opened."""

from __future__ import annotations

from dataclasses import dataclass, field

from twisted.internet.defer import Deferred
from twisted.internet.endpoints import HostnameEndpoint, connectProtocol, wrapClientTLS

from pagetrail.crawl.wire.connection import HTTPConnection
from pagetrail.crawl.wire.tls import ClientTLS

Key = tuple[str, str, int, str]  # scheme, host, port, proxy URL ("" for none)


@dataclass
class ConnectionPool:
    """Idle connections by key, at most ``per_key`` each (Scrapy keeps
    CONCURRENT_REQUESTS_PER_DOMAIN per host the same way)."""

    reactor: object
    per_key: int
    tls_context: object
    bind_address: tuple[str, int] | None = None
    idle: dict[Key, list[HTTPConnection]] = field(default_factory=dict)
    _key_of: dict[int, Key] = field(default_factory=dict)

    def take(self, key: Key) -> HTTPConnection | None:
        conns = self.idle.get(key)
        while conns:
            conn = conns.pop()
            self._key_of.pop(id(conn), None)
            if not conn.lost:
                return conn
        return None

    def connect(self, key: Key, host: str, port: int, *, tls: bool,
                timeout: float) -> Deferred[HTTPConnection]:
        """A new connection to ``host:port`` (the proxy's, through one), TLS on it if ``tls``."""
        endpoint = HostnameEndpoint(self.reactor, host, port, timeout=timeout,
                                    bindAddress=self.bind_address)
        if tls:
            endpoint = wrapClientTLS(ClientTLS(self.tls_context, key[1]), endpoint)
        conn = HTTPConnection(on_idle=lambda c: self._release(key, c), on_gone=self._forget)
        return connectProtocol(endpoint, conn)

    def _release(self, key: Key, conn: HTTPConnection) -> None:
        conns = self.idle.setdefault(key, [])
        if len(conns) >= self.per_key:
            conn.transport.loseConnection()
            return
        conns.append(conn)
        self._key_of[id(conn)] = key

    def _forget(self, conn: HTTPConnection) -> None:
        key = self._key_of.pop(id(conn), None)
        if key is not None and conn in self.idle.get(key, ()):
            self.idle[key].remove(conn)

    def close(self) -> None:
        for conns in self.idle.values():
            for conn in conns:
                conn.transport.loseConnection()
        self.idle.clear()
        self._key_of.clear()
