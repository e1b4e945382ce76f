"""Serve the example site on loopback, answering like a real server (gzip, ETag, 304, robots.txt).

Which version of the page a GET gets depends on the mode:

- ``sequence``: each GET of the page serves the next version (0, 1, 2 ...), staying on the last one
  (or starting over with ``wrap=True``);
- ``clock``: the version advances every ``interval`` seconds from ``start()``;
- ``fixed``: always the version last set (``set_version``), 0 at first.

Whatever the mode, ``?version=N`` on the page URL serves version N without advancing, and
``GET /__pagetrail__/version?set=N`` (loopback only) sets the version the next GET gets.
``GET /__pagetrail__/timeline`` lists the versions and what changed in each, as JSON.
Every page response carries ``X-Pagetrail-Version``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from pagetrail.example.render import render, render_home
from pagetrail.example.scripted import (
    COMMENTS_PATH,
    PROMO_JS,
    PROMO_SCRIPT_PATH,
    SCRIPTED_PATH,
    comments_json,
    scripted_page,
)
from pagetrail.example.timeline import PAGE_PATH, VERSIONS

MODES = ("sequence", "clock", "fixed")
CONTROL_PATH = "/__pagetrail__/version"
TIMELINE_PATH = "/__pagetrail__/timeline"

# URL path -> (asset file, content type): the files the page links to.
ASSETS = {
    "/wp-content/themes/heartwood/style.css": ("style.css", "text/css; charset=UTF-8"),
    "/wp-content/themes/heartwood/js/navigation.js": ("navigation.js", "application/javascript"),
    "/wp-includes/js/jquery/jquery.js": ("jquery.js", "application/javascript"),
    "/wp-includes/js/comment-reply.js": ("comment-reply.js", "application/javascript"),
    "/favicon.ico": ("favicon.ico", "image/vnd.microsoft.icon"),
    "/pixel.gif": ("pixel.gif", "image/gif"),
}
ROBOTS = b"User-agent: *\nDisallow:\n"
COMPRESSIBLE = ("text/", "application/javascript", "application/json")


class ExampleSite:
    """The example site: ``with ExampleSite() as site: fetch(site.page_url)``."""

    def __init__(
        self,
        mode: str = "sequence",
        interval: float = 5.0,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        wrap: bool = False,
        start_version: int = 0,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.mode = mode
        self.interval = float(interval)
        self.host = host
        self.port = port
        self.wrap = wrap
        self._lock = threading.Lock()
        self._next = self._check(start_version)
        self._clock_origin = time.monotonic()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.served: list[int] = []  # the version of each page GET answered, in order
        self.scripted_loads = 0  # GETs of the scripted page (scripted.py) so far

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ExampleSite:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer((self.host, self.port), _Handler)
        server.daemon_threads = True
        server.site = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self._clock_origin = time.monotonic()
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="pagetrail-example", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> ExampleSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def page_url(self) -> str:
        return self.base_url + PAGE_PATH

    @property
    def scripted_url(self) -> str:
        """The page whose promo and comments only a browser sees (``scripted.py``)."""
        return self.base_url + SCRIPTED_PATH

    # --- versions ----------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The version a GET of the page would get now (in sequence mode: the next one)."""
        with self._lock:
            return self._current()

    def set_version(self, n: int) -> None:
        """Serve version ``n`` next; in clock mode the clock restarts from ``n``."""
        n = self._check(n)
        with self._lock:
            self._next = n
            self._clock_origin = time.monotonic()

    def _check(self, n: int) -> int:
        if not isinstance(n, int) or not 0 <= n < len(VERSIONS):
            raise ValueError(f"no version {n!r}: the example has versions 0 to {len(VERSIONS) - 1}")
        return n

    def _current(self) -> int:
        if self.mode == "clock":
            steps = int((time.monotonic() - self._clock_origin) // self.interval)
            return self._clamp(self._next + steps)
        return self._next

    def _clamp(self, n: int) -> int:
        return n % len(VERSIONS) if self.wrap else min(n, len(VERSIONS) - 1)

    def _take(self) -> int:
        """The version for this GET of the page; in sequence mode, advance."""
        with self._lock:
            n = self._current()
            if self.mode == "sequence":
                self._next = self._clamp(n + 1)
            self.served.append(n)
            return n


def etag(version: int, body: bytes) -> str:
    return f'"pt-v{version}-{hashlib.sha1(body).hexdigest()[:12]}"'


def _etag_matches(header: str, tag: str) -> bool:
    if header.strip() == "*":
        return True
    bare = tag.strip('"')
    for item in header.split(","):
        item = item.strip().removeprefix("W/").strip('"')
        # Like Apache, the gzip representation's tag is the plain tag + "-gzip".
        if item in (bare, bare + "-gzip"):
            return True
    return False


def _accepts_gzip(header: str | None) -> bool:
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


class _Handler(BaseHTTPRequestHandler):
    server_version = "Apache/2.2.17"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    @property
    def site(self) -> ExampleSite:
        return self.server.site  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass  # quiet: tests and the demo start this server many times

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def _dispatch(self, head: bool) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        if path == PAGE_PATH:
            return self._page(query, head)
        if path == PAGE_PATH.rstrip("/"):
            return self._redirect(PAGE_PATH)
        if path == "/":
            return self._send(200, render_home(self.site.version), "text/html; charset=UTF-8", head)
        if path == CONTROL_PATH:
            return self._control(query, head)
        if path == TIMELINE_PATH:
            body = json.dumps([v.to_dict() for v in VERSIONS], ensure_ascii=False, indent=1).encode()
            return self._send(200, body, "application/json", head)
        if path in (SCRIPTED_PATH, PROMO_SCRIPT_PATH, COMMENTS_PATH):
            return self._scripted(path, head)
        if path == "/robots.txt":
            return self._send(200, ROBOTS, "text/plain; charset=UTF-8", head)
        if path in ASSETS:
            name, ctype = ASSETS[path]
            body = resources.files("pagetrail.example").joinpath("assets", name).read_bytes()
            return self._send(200, body, ctype, head, cache=True)
        return self._send(404, b"<!DOCTYPE html><title>Page not found</title><h1>Not Found</h1>\n",
                          "text/html; charset=UTF-8", head)

    def _page(self, query: dict[str, list[str]], head: bool) -> None:
        if "version" in query:
            try:
                n = self.site._check(int(query["version"][0]))
            except ValueError:
                return self._send(400, b"bad version\n", "text/plain", head)
        elif head:
            n = self.site.version  # HEAD does not advance the sequence
        else:
            n = self.site._take()
        body = render(n)
        tag = etag(n, body)
        modified = VERSIONS[n].last_modified
        headers = {
            "ETag": tag,
            "Last-Modified": format_datetime(modified, usegmt=True),
            "X-Pagetrail-Version": str(n),
            "Cache-Control": "max-age=0, must-revalidate",
            "Link": f'<{PAGE_PATH}>; rel="canonical"',
        }
        if self._not_modified(tag, modified):
            return self._send(304, b"", None, True, headers=headers)
        self._send(200, body, "text/html; charset=UTF-8", head, headers=headers)

    def _scripted(self, path: str, head: bool) -> None:
        if path == PROMO_SCRIPT_PATH:
            return self._send(200, PROMO_JS.encode(), "application/javascript", head)
        site = self.site
        with site._lock:
            if path == SCRIPTED_PATH and not head:
                site.scripted_loads += 1
            load = max(site.scripted_loads - 1, 0)
        if path == COMMENTS_PATH:
            return self._send(200, comments_json(load), "application/json", head)
        self._send(200, scripted_page(), "text/html; charset=UTF-8", head)

    def _not_modified(self, tag: str, modified: datetime) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return _etag_matches(inm, tag)  # If-None-Match wins over If-Modified-Since (RFC 9110)
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return modified <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def _control(self, query: dict[str, list[str]], head: bool) -> None:
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            return self._send(403, b"loopback only\n", "text/plain", head)
        if "set" in query:
            try:
                self.site.set_version(int(query["set"][0]))
            except ValueError as exc:
                return self._send(400, f"{exc}\n".encode(), "text/plain", head)
        state = {
            "version": self.site.version,
            "mode": self.site.mode,
            "versions": len(VERSIONS),
            "served": list(self.site.served),
        }
        self._send(200, json.dumps(state).encode() + b"\n", "application/json", head)

    def _redirect(self, location: str) -> None:
        self._send(301, b"", "text/html; charset=UTF-8", True, headers={"Location": location})

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str | None,
        head: bool,
        *,
        headers: dict[str, str] | None = None,
        cache: bool = False,
    ) -> None:
        headers = dict(headers or {})
        compressible = ctype is not None and ctype.startswith(COMPRESSIBLE)
        if compressible and body and _accepts_gzip(self.headers.get("Accept-Encoding")):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
            if "ETag" in headers:
                headers["ETag"] = headers["ETag"][:-1] + '-gzip"'
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if compressible:
            self.send_header("Vary", "Accept-Encoding")
        if cache:
            self.send_header("Cache-Control", "max-age=86400")
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status not in (204, 304):
            self.wfile.write(body)
