"""What the browser saw, as the archive's ``Exchange``: as exact as Playwright lets us see it.

Exact: URL, method, request body, status and reason, every request and response header as the
browser's network layer reports them (order and repeats kept), the server's IP address. Not
available through the browser interface, so reconstructed: the body is the one the browser
decoded (a ``Content-Encoding`` is kept as ``X-Archive-Orig-Content-Encoding`` and the length
fixed), the HTTP version is written as HTTP/1.1, HTTP/2 pseudo-headers are dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pagetrail.archive.httpblock import ORIG_PREFIX
from pagetrail.archive.model import Exchange

ROLE = "render"  # Pagetrail-Role of what the browser fetched
_RENAMED = {"content-encoding"}


def _pairs(headers: list[dict[str, str]]) -> list[tuple[str, str]]:
    # Chromium reports an HTTP/2 fetch with its pseudo-headers (":status", ":authority"...)
    return [(h["name"], h["value"]) for h in headers if not h["name"].startswith(":")]


def response_headers(headers: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Response headers for a body the browser already decoded."""
    return [(ORIG_PREFIX + name if name.lower() in _RENAMED else name, value)
            for name, value in _pairs(headers)]


def build(request: Any, response: Any, body: bytes, started: datetime, *, truncated: str | None,
          seed: str | None, seed_url: str | None) -> Exchange:
    """``request`` and ``response`` are playwright.sync_api Request and Response objects."""
    try:
        request_headers = _pairs(request.headers_array())
    except Exception:  # noqa: BLE001 - the page is gone: what Playwright has without asking
        request_headers = [(k, v) for k, v in request.headers.items() if not k.startswith(":")]
    try:
        headers = response.headers_array()
    except Exception:  # noqa: BLE001
        headers = [{"name": k, "value": v} for k, v in response.headers.items()]
    try:
        server = response.server_addr()
    except Exception:  # noqa: BLE001
        server = None
    post = request.post_data_buffer or b""
    return Exchange(
        url=request.url, method=request.method, request_headers=request_headers,
        status=response.status, reason=response.status_text or "",
        response_headers=response_headers(headers), body=body, started=started,
        request_body=post, ip_address=server["ipAddress"] if server else None,
        truncated=truncated, seed=seed, seed_url=seed_url, role=ROLE)
