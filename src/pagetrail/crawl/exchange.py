"""Turn what Scrapy saw on the wire into the archive's records (``Exchange``, ``FailedFetch``).

Nothing here writes anything: the archive library does that. These functions only read Scrapy
objects, so they are cheap to test and the archive never has to import Scrapy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from pagetrail.archive.model import Exchange, FailedFetch
from pagetrail.archive.reader import split_http
from pagetrail.crawl.wire.fetch import META_WIRE, WireCapture
from pagetrail.crawl.wire.parser import WireError

# request.meta keys used by the spider and the middleware
META_SEED = "pagetrail_seed"
META_SEED_URL = "pagetrail_seed_url"
META_ROLE = "pagetrail_role"
META_STARTED = "pagetrail_started"
META_CAPTURE = "pagetrail_capture"  # the Capture the archive returned for the last attempt
META_CONDITIONAL = "pagetrail_conditional"  # False turns conditional headers off for this request
META_CONDITIONAL_ADDED = "_pagetrail_conditional_added"  # validators the middleware added
META_LIMIT = "_pagetrail_maxsize"  # DOWNLOAD_MAXSIZE, enforced by ArchiveMiddleware
META_RECEIVED = "_pagetrail_received"
META_OVERSIZE = "_pagetrail_oversize"  # set when the body was cut at META_LIMIT

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # RobotsTxtMiddleware's IgnoreRequest message
DEFAULT_PORTS = {"http": 80, "https": 443}

# Scrapy response flags -> WARC-Truncated reason
TRUNCATION_FLAGS = {"dataloss": "disconnect", "download_stopped": "unspecified"}

# exception class -> the start of the one-line message (checked in order; first match wins)
FAILURE_MESSAGES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DNSLookupError, CannotResolveHostError), "DNS lookup failed"),
    ((ConnectionRefusedError, DownloadConnectionRefusedError), "connection refused"),
    ((TimeoutError, TCPTimedOutError, DownloadTimeoutError), "timed out"),
    ((ConnectionLost, ConnectionDone), "connection dropped"),
    ((ResponseDataLossError,), "connection dropped mid-body"),
    ((DownloadCancelledError,), "download cancelled (body larger than DOWNLOAD_MAXSIZE?)"),
)


def now() -> datetime:
    return datetime.now(UTC)


def host_header(url: str) -> str:
    """The Host header Twisted sends: the host, plus the port when it is not the scheme's default."""
    return _host_header(urlsplit(url))


def _host_header(parts) -> str:  # noqa: ANN001 - a urlsplit or urlparse result
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme):
        return f"{host}:{parts.port}"
    return host


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def header_pairs(headers) -> list[tuple[str, str]]:  # noqa: ANN001 - scrapy.http.Headers
    """Every (name, value) pair, repeated headers repeated, values as sent (latin-1 decoded)."""
    pairs = []
    # Headers is a dict of normalised name -> list of values; reading it as a dict skips
    # getlist's re-normalising of every name (this runs for two header sets on every fetch).
    for name, values in dict.items(headers):
        text = _text(name)
        for value in values if isinstance(values, list) else headers.getlist(name):
            pairs.append((text, _text(value)))
    return pairs


def request_header_pairs(request: Request) -> list[tuple[str, str]]:
    pairs = header_pairs(request.headers)
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs.insert(0, ("Host", _host_header(urlparse_cached(request))))
    return pairs


def role_of(request: Request, response: Response | None = None, final: bool = False) -> str:
    """What a fetch was for. A seed's 3xx is a redirect hop unless ``final``: a redirect that is
    not followed is the seed's own answer."""
    role = request.meta.get(META_ROLE)
    if role is None:
        path = urlsplit(request.url).path
        role = "robots" if path == "/robots.txt" else "page"
    if role == "page" and not final and response is not None \
            and response.status in REDIRECT_STATUSES and b"Location" in response.headers:
        return "redirect"
    return role


def attempt_of(request: Request) -> int:
    """1 for the first try of a request, 2, 3 ... for Scrapy's retries of it (RetryMiddleware
    counts them in ``retry_times``): the timeline shows one entry per crawl, the last attempt."""
    return int(request.meta.get("retry_times", 0) or 0) + 1


def truncation(response: Response, request: Request | None = None) -> str | None:
    meta = (request if request is not None else response).meta
    if "download_stopped" in response.flags and meta.get(META_OVERSIZE):
        return "length"
    for flag in response.flags:
        if flag in TRUNCATION_FLAGS:
            return TRUNCATION_FLAGS[flag]
    return None


def wire_of(request: Request, response: Response) -> WireCapture | None:
    """The raw bytes the download handler kept for ``response`` (taken: a retry or redirect
    copies the meta, and its own download puts its own there). None for a response that did
    not come from pagetrail's client (PAGETRAIL_RAW_HTTP off, or made by a middleware)."""
    wire = request.meta.pop(META_WIRE, None)
    if wire is None or wire.body is not response.body:
        return None
    return wire


def build_exchange(request: Request, response: Response, final: bool = False) -> Exchange:
    """The Exchange for a response as it came off the wire (before decompression or redirects);
    ``final``: a 3xx whose redirect will not be followed (see :func:`role_of`)."""
    wire = wire_of(request, response)
    if wire is not None:
        return _wire_exchange(request, response, wire, final)
    return Exchange(
        url=request.url,
        method=request.method,
        request_headers=request_header_pairs(request),
        status=response.status,
        response_headers=header_pairs(response.headers),
        body=response.body,
        started=request.meta.get(META_STARTED) or now(),
        request_body=request.body or b"",
        protocol=response.protocol or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
        truncated=truncation(response, request),
        seed=request.meta.get(META_SEED),
        seed_url=request.meta.get(META_SEED_URL),
        role=role_of(request, response, final),
        attempt=attempt_of(request),
    )


def _wire_exchange(request: Request, response: Response, wire: WireCapture,
                   final: bool) -> Exchange:
    # The records are the bytes themselves; the parsed fields still feed the catalog, the
    # revisit policy and the rebuilt form nobody writes (kept consistent with the bytes).
    first, headers, _ = split_http(wire.head)
    version, _, rest = first.partition(" ")
    reason = rest.partition(" ")[2]
    return Exchange(
        url=request.url,
        method=request.method,
        request_headers=split_http(wire.request)[1],
        status=response.status,
        response_headers=headers,
        body=response.body,
        started=request.meta.get(META_STARTED) or now(),
        request_body=request.body or b"",
        reason=reason,
        protocol=version or response.protocol or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
        truncated=truncation(response, request),
        seed=request.meta.get(META_SEED),
        seed_url=request.meta.get(META_SEED_URL),
        role=role_of(request, response, final),
        attempt=attempt_of(request),
        wire_request=wire.request,
        wire_head=wire.head,
        wire_body=wire.wire_body,
        tls=wire.tls,
    )


def failure_message(url: str, exc: BaseException) -> str:
    """One line naming the URL and what went wrong, e.g. ``connection refused: http://...``."""
    detail = " ".join(str(exc).split())
    if ROBOTS_FORBIDDEN in detail:
        return f"blocked by robots.txt: {url}"
    if "max size" in detail:  # Scrapy's DOWNLOAD_MAXSIZE cancellation says so in its message
        return f"body larger than DOWNLOAD_MAXSIZE: {url}"
    label = next((text for types, text in FAILURE_MESSAGES if isinstance(exc, types)), None)
    return f"{label or _describe(exc)}: {url}"


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    if isinstance(exc.__cause__, WireError):  # pagetrail's client could not read the answer
        return f"download failed: {exc.__cause__}"[:200]
    # ResponseFailed / ResponseNeverReceived wrap the real reasons in a list of Failures; Scrapy's
    # DownloadFailedError wraps a ResponseFailed (as its cause) and prints the Failures' reprs
    reasons = getattr(exc, "reasons", None) or getattr(exc.__cause__, "reasons", None)
    if reasons:
        inner = reasons[0].value
        if inner is not exc:
            return _describe_inner("download failed" if name == "DownloadFailedError" else name, inner)
    detail = " ".join(str(exc).split())
    if "max size" in detail or name == "CancelledError":
        return "body larger than DOWNLOAD_MAXSIZE"
    return f"{name}: {detail}"[:200] if detail else name


def _describe_inner(outer: str, inner: BaseException) -> str:
    for types, label in FAILURE_MESSAGES:
        if isinstance(inner, types):
            return label
    if type(inner).__name__ == "ParseError" and getattr(inner, "args", None):
        # twisted's ParseError('non-integer status code', b'garbage line'): the reason and the line
        reason, *rest = inner.args
        line = rest[0].decode("latin-1") if rest and isinstance(rest[0], bytes) else ""
        detail = f"{reason}" + (f" in {line[:60]!r}" if line else "")
        return f"{outer}: not a valid HTTP response ({detail})"[:200]
    detail = " ".join(str(inner).split())
    return f"{outer} ({type(inner).__name__}: {detail})"[:200]


def build_failure(request: Request, exc: BaseException) -> FailedFetch:
    return FailedFetch(
        url=request.url,
        started=request.meta.get(META_STARTED) or now(),
        error=failure_message(request.url, exc),
        seed=request.meta.get(META_SEED),
        seed_url=request.meta.get(META_SEED_URL),
        attempt=attempt_of(request),
    )
