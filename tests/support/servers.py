"""A real loopback web server for tests: ``LocalSite`` serves registered handlers on 127.0.0.1:0.

Usage::

    with LocalSite() as site:
        site.add("/hello", page(b"<p>hi</p>"))
        fetch(site.url("/hello"))

``standard_site()`` returns a site with the awkward cases the archive must survive already registered
(gzip, chunked, repeated Set-Cookie, redirects, validators and 304, non-HTML, 500, a dropped connection,
a huge body, a slow page, robots.txt, query strings, a wrong charset, page requisites). Every request is logged in
``site.hits`` so tests can check what was sent (conditional headers, User-Agent ...).
"""

from __future__ import annotations

import gzip
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["Hit", "LocalSite", "Reply", "closed_port", "page", "raw", "redirect", "standard_site"]

Handler = Callable[["_RequestHandler"], None]


@dataclass
class Hit:
    """One request the site received."""

    method: str
    path: str  # with query string
    headers: dict[str, str]


@dataclass
class Reply:
    """A complete response; ``page()`` and friends build handlers from one."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def _send(req: _RequestHandler, reply: Reply) -> None:
    req.send_response(reply.status)
    if reply.content_type:
        req.send_header("Content-Type", reply.content_type)
    for name, value in reply.headers:
        req.send_header(name, value)
    req.send_header("Content-Length", str(len(reply.body)))
    req.end_headers()
    if req.command != "HEAD":
        req.wfile.write(reply.body)


def page(body: bytes | str, status: int = 200, content_type: str | None = "text/html; charset=utf-8",
         headers: Iterable[tuple[str, str]] = ()) -> Handler:
    """A handler that always answers with this body."""
    data = body.encode() if isinstance(body, str) else body
    reply = Reply(data, status, content_type, list(headers))
    return lambda req: _send(req, reply)


def redirect(location: str, status: int = 302) -> Handler:
    return page(b"", status, None, [("Location", location)])


def raw(data: bytes) -> Handler:
    """A handler that writes these bytes to the socket as they are, then closes it."""

    def handle(req: _RequestHandler) -> None:
        req.wfile.write(data)
        req.wfile.flush()
        req.close_connection = True

    return handle


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_answering(proc: subprocess.Popen, port: int, hello: bytes, answer: bytes, what: str,
                   log: Path, timeout: float, pause: float) -> None:
    """Wait until the server ``proc`` started answers ``hello`` on ``port`` with a reply that
    starts with ``answer``; fail at once, with its ``log``, if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited ({proc.returncode}): "
                                 f"{log.read_text(errors='replace') if log.exists() else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(hello)
                if sock.recv(64).startswith(answer):
                    return
        except OSError:
            pass
        time.sleep(pause)
    raise AssertionError(f"{what} did not answer on 127.0.0.1:{port}")


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked work like on a real server
    site: LocalSite  # set on the per-site subclass

    def _dispatch(self) -> None:
        self.site.hits.append(Hit(self.command, self.path, dict(self.headers.items())))
        handler = self.site.handler_for(urlsplit(self.path).path)
        if handler is None:
            _send(self, Reply(b"not found", 404, "text/plain"))
            return
        handler(self)

    do_GET = do_HEAD = do_POST = _dispatch

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output quiet


class LocalSite:
    """A threaded HTTP server on 127.0.0.1 with a free port, serving registered handlers."""

    def __init__(self) -> None:
        self._routes: dict[str, Handler] = {}
        self._prefixes: dict[str, Handler] = {}
        self.hits: list[Hit] = []
        handler_cls = type("SiteHandler", (_RequestHandler,), {"site": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.server.daemon_threads = True
        self.port: int = self.server.server_address[1]
        self._thread: threading.Thread | None = None

    # -- routes ---------------------------------------------------------------------------------
    def add(self, path: str, handler: Handler, *, prefix: bool = False) -> None:
        """Serve ``path`` (or every path under it with ``prefix=True``) with ``handler``."""
        (self._prefixes if prefix else self._routes)[path] = handler

    def set_page(self, path: str, body: bytes | str, **kwargs: object) -> None:
        """(Re)define a plain page, e.g. to change its content between two crawls."""
        self.add(path, page(body, **kwargs))  # type: ignore[arg-type]

    def handler_for(self, path: str) -> Handler | None:
        if path in self._routes:
            return self._routes[path]
        for prefix in sorted(self._prefixes, key=len, reverse=True):
            if path.startswith(prefix):
                return self._prefixes[prefix]
        return None

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits_for(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    # -- life cycle -----------------------------------------------------------------------------
    def start(self) -> LocalSite:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- the awkward cases ----------------------------------------------------------------------------

HTML = "<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"
GZIP_HTML = HTML.format(title="Gzip", text="This page is sent gzip-encoded.").encode()
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a2a5d1a30000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
ETAG = '"v1-abc"'
DROP_SENT = b"<html><body>only the start of the page"


def _chunked(req: _RequestHandler) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Transfer-Encoding", "chunked")
    req.end_headers()
    for part in (b"<html><body>", b"<p>sent in ", b"three chunks</p></body></html>"):
        req.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
    req.wfile.write(b"0\r\n\r\n")


def _validated(req: _RequestHandler) -> None:
    """ETag + Last-Modified; 304 when the client revalidates with either."""
    inm = req.headers.get("If-None-Match")
    ims = req.headers.get("If-Modified-Since")
    fresh = inm == ETAG if inm is not None else False
    if inm is None and ims:
        try:
            fresh = parsedate_to_datetime(ims) >= parsedate_to_datetime(LAST_MODIFIED)
        except (TypeError, ValueError):
            fresh = False
    headers = [("ETag", ETAG), ("Last-Modified", LAST_MODIFIED), ("Cache-Control", "max-age=0")]
    if fresh:
        req.send_response(304)
        for name, value in headers:
            req.send_header(name, value)
        req.send_header("Content-Length", "0")
        req.end_headers()
        return
    _send(req, Reply(HTML.format(title="Validated", text="ETag and Last-Modified.").encode(),
                     headers=headers))


def _drop(req: _RequestHandler) -> None:
    """Promise 10000 bytes, send a few, close the connection."""
    req.send_response(200)
    req.send_header("Content-Type", "text/html")
    req.send_header("Content-Length", "10000")
    req.end_headers()
    req.wfile.write(DROP_SENT)
    req.wfile.flush()
    req.close_connection = True


def _huge(size: int) -> Handler:
    def handle(req: _RequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "application/octet-stream")
        req.send_header("Content-Length", str(size))
        req.end_headers()
        block = b"x" * 65536
        left = size
        try:
            while left > 0:
                req.wfile.write(block[: min(left, len(block))])
                left -= len(block)
        except (BrokenPipeError, ConnectionResetError):
            req.close_connection = True

    return handle


def _slow(delay: float) -> Handler:
    def handle(req: _RequestHandler) -> None:
        time.sleep(delay)
        try:
            _send(req, Reply(HTML.format(title="Slow", text="Too late.").encode()))
        except (BrokenPipeError, ConnectionResetError):
            req.close_connection = True

    return handle


def _echo_query(req: _RequestHandler) -> None:
    query = urlsplit(req.path).query
    _send(req, Reply(HTML.format(title="Search", text=f"query={query}").encode()))


REQUISITES_HTML = b"""<!doctype html><html><head><title>With requisites</title>
<link rel="stylesheet" href="/assets/style.css"><link rel="icon" href="/favicon.ico">
<script src="/assets/app.js"></script></head>
<body><img src="/assets/a.png" srcset="/assets/a.png 1x, /assets/b.png 2x">
<img src="/assets/a.png"><p>Page with a stylesheet, a script and two images.</p></body></html>"""


def many_pages(site: LocalSite, count: int) -> list[dict]:
    """Seed tables for ``count`` distinct small pages of ``standard_site``'s ``/many/`` handler."""
    return [{"name": f"p{i}", "url": site.url(f"/many/{i}")} for i in range(count)]


def standard_site(huge_size: int = 3_000_000) -> LocalSite:
    """A site with every case the crawl tests need (not started: use it as a context manager)."""
    site = LocalSite()
    site.add("/", page(HTML.format(title="Home", text="The home page.")))
    site.add("/gzip", page(gzip.compress(GZIP_HTML), headers=[("Content-Encoding", "gzip"),
                                                              ("Vary", "Accept-Encoding")]))
    site.add("/chunked", _chunked)
    site.add("/cookies", page(HTML.format(title="Cookies", text="Three cookies."), headers=[
        ("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/; HttpOnly"),
        ("Set-Cookie", "c=3; Path=/; Max-Age=60"),
    ]))
    site.add("/redirect/start", redirect("/redirect/middle", 301))
    site.add("/redirect/middle", redirect("/redirect/final", 302))
    site.add("/redirect/final", page(HTML.format(title="Final", text="End of the redirect chain.")))
    site.add("/validated", _validated)
    site.set_page("/changing", HTML.format(title="Changing", text="first version"))
    site.add("/image.png", page(PNG, content_type="image/png"))
    site.add("/doc.pdf", page(PDF, content_type="application/pdf"))
    site.add("/error", page(HTML.format(title="Oops", text="Server error."), status=500))
    site.add("/drop", _drop)
    site.add("/huge", _huge(huge_size))
    site.add("/robots.txt", page("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    site.add("/private/", page(HTML.format(title="Private", text="robots.txt disallows this.")),
             prefix=True)
    site.add("/search", _echo_query)
    # Far beyond the 3 s timeout the tests set, so an ordinary page on a loaded machine never
    # comes near the timeout while this one always passes it.
    site.add("/slow", _slow(12.0))
    site.add("/latin1", page("<html><body><p>caf\u00e9 na\u00efve</p></body></html>".encode("latin-1"),
                             content_type="text/html; charset=utf-8"))
    site.add("/requisites", page(REQUISITES_HTML))
    site.add("/assets/style.css", page("body { color: #333 }", content_type="text/css"))
    site.add("/assets/app.js", page("console.log('hi');", content_type="application/javascript"))
    site.add("/assets/a.png", page(PNG, content_type="image/png"))
    site.add("/assets/b.png", page(PNG + b"2x", content_type="image/png"))
    site.add("/many/", lambda req: _send(req, Reply(
        HTML.format(title=req.path, text="filler " * 200).encode())), prefix=True)
    return site
