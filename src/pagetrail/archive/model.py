"""Records that flow into and out of the archive. No Scrapy here: the crawl adapter fills these.

The contract between ``pagetrail.crawl`` (which observes fetches) and ``pagetrail.archive`` (which
writes them as WARC records, indexes and catalogs them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Exchange:
    """One HTTP request/response pair as it went over the wire."""

    url: str  # full URL, query string included
    method: str
    request_headers: list[tuple[str, str]]  # every header sent, in order, repeated ones repeated
    status: int
    response_headers: list[tuple[str, str]]  # every header received, repeated ones repeated
    body: bytes  # entity body as received: transfer-encoding removed, content-encoding KEPT
    started: datetime  # UTC, aware; when the request was sent
    request_body: bytes = b""
    reason: str = ""  # HTTP reason phrase; a default is used when empty
    protocol: str = "HTTP/1.1"  # as negotiated ("HTTP/1.0", "HTTP/1.1", "h2"); written as HTTP/1.x
    ip_address: str | None = None
    truncated: str | None = None  # WARC-Truncated reason: "length" | "time" | "disconnect" | "unspecified"
    seed: str | None = None  # name of the seed this fetch belongs to
    seed_url: str | None = None  # the seed's URL (a redirect hop or requisite has another url)
    role: str = "page"  # "page" | "redirect" | "requisite" | "robots"
    attempt: int = 1  # 2, 3 ... for Scrapy's retries of the same request in one crawl
    # The bytes as they went over the wire, when the crawler's own HTTP client saw them
    # (pagetrail.crawl.wire); None: the records are rebuilt from the fields above.
    wire_request: bytes | None = None  # request line, headers and body as sent
    wire_head: bytes | None = None  # status line, header lines and blank line as received
    wire_body: bytes | bytearray | None = None  # the body as received if not ``body`` (chunked)
    tls: str | None = None  # "tls/1.3" style, for the WARC-Protocol field


@dataclass
class FailedFetch:
    """A fetch that produced no HTTP response (DNS failure, refused, timeout, dropped)."""

    url: str
    started: datetime
    error: str  # one line, e.g. "DNS lookup failed: no such host"
    seed: str | None = None
    seed_url: str | None = None
    attempt: int = 1  # 2, 3 ... for Scrapy's retries of the same request in one crawl


@dataclass
class Capture:
    """One row of the catalog: where one capture of a URL lives."""

    id: int
    url: str
    timestamp: str  # 17-digit UTC: YYYYMMDDhhmmssSSS (sub-second, so captures stay distinct)
    status: int | None  # None for a failed fetch
    kind: str  # "response" | "revisit" | "failed"
    mime: str | None
    digest: str | None  # sha1:BASE32 payload digest
    record_id: str | None
    warc_file: str | None  # file name relative to the archive folder
    offset: int | None
    length: int | None
    seed: str | None = None
    refers_to: int | None = None  # catalog id of the capture a revisit refers to
    error: str | None = None  # for kind == "failed"
    etag: str | None = None
    last_modified: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def timestamp14(self) -> str:
        return self.timestamp[:14]
