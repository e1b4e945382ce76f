"""The request bytes pagetrail's HTTP/1.1 client writes: built once, sent and archived as they are.

Because the client writes these bytes itself, the request record is exact by construction: the
request line with its real version, ``Host`` where it goes on the wire, every header in the
order and case Scrapy's middlewares left them, and the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy import Request

DEFAULT_PORTS = {"http": 80, "https": 443}
# Hop-by-hop headers for the proxy itself: not forwarded inside a CONNECT tunnel.
PROXY_ONLY = b"proxy-authorization"


@dataclass(frozen=True)
class Target:
    """Where a request goes: scheme, host, port, and the request-target to write."""

    scheme: str
    host: str
    port: int
    path: str  # origin-form (/path?query) or, through an HTTP proxy, absolute-form

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port != DEFAULT_PORTS.get(self.scheme):
            return f"{host}:{self.port}"
        return host


def target_of(url: str, *, absolute: bool = False) -> Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    port = parts.port or DEFAULT_PORTS[scheme]
    host = parts.hostname
    if absolute:
        # Through a plain HTTP proxy the request line names the whole URL (RFC 9112 3.2.2).
        path = f"{scheme}://{Target(scheme, host, port, '').authority}{path}"
    # Non-ASCII host names go out as IDNA (what a browser and Twisted's agent write).
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    return Target(scheme, host, port, path)


def request_bytes(request: Request, target: Target, *, tunnelled: bool = False) -> bytes:
    """The request as written on the connection: request line, headers, blank line, body."""
    lines = [f"{request.method.upper()} {_ascii_path(target.path)} HTTP/1.1".encode("latin-1")]
    headers = request.headers
    if b"Host" not in headers:
        lines.append(b"Host: " + target.authority.encode("ascii"))
    # Headers is a dict of name -> list of values in insertion order: read as a dict so each
    # repeated value is written on its own line, as Twisted's client does.
    for name, values in dict.items(headers):
        if tunnelled and name.lower() == PROXY_ONLY:
            continue
        for value in values:
            lines.append(name + b": " + value)
    body = request.body or b""
    if body and b"Content-Length" not in headers and b"Transfer-Encoding" not in headers:
        lines.append(b"Content-Length: " + str(len(body)).encode("ascii"))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def connect_bytes(target: Target, proxy_auth: bytes | None) -> bytes:
    """The CONNECT request that opens a tunnel to ``target`` through an HTTP proxy."""
    authority = f"{target.host}:{target.port}".encode("ascii")
    lines = [b"CONNECT " + authority + b" HTTP/1.1", b"Host: " + authority]
    if proxy_auth:
        lines.append(b"Proxy-Authorization: " + proxy_auth)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _ascii_path(path: str) -> str:
    # Scrapy's Request already escapes its URL; anything left that is not ASCII is escaped
    # the same way rather than sent raw.
    if path.isascii():
        return path
    return "".join(c if c.isascii() else "".join(f"%{b:02X}" for b in c.encode("utf-8"))
                   for c in path)
