"""The HTTP part of request and response records, written so replay tools read it right.

The body is stored exactly as received (content-encoding kept, transfer-encoding already removed by
the client), so the stored headers must not promise a chunked body or a wrong length.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

from pagetrail.archive.model import Exchange

# Headers that describe the wire framing, not the stored body: kept under a renamed field so an
# archivist still sees them, while replay tools see a Content-Length that matches the stored body.
_FRAMING = {"transfer-encoding"}
ORIG_PREFIX = "X-Archive-Orig-"


def _encode(text: str) -> bytes:
    # Header values come from bytes decoded as latin-1, so latin-1 gives back the exact bytes.
    text = text.replace("\r", " ").replace("\n", " ")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def http_version(protocol: str) -> str:
    """pywb replays only HTTP/1.0 and HTTP/1.1 status lines; h2/h3 are written as HTTP/1.1."""
    return "HTTP/1.0" if protocol.strip().upper() == "HTTP/1.0" else "HTTP/1.1"


def reason_phrase(status: int, reason: str) -> str:
    if reason.strip():
        return reason.strip()
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def response_headers(exchange: Exchange, body_length: int) -> list[tuple[str, str]]:
    """Headers in order, every repeated one kept; framing fixed to match the stored body."""
    out: list[tuple[str, str]] = []
    lengths = [v for k, v in exchange.response_headers if k.lower() == "content-length"]
    length_ok = len(lengths) == 1 and lengths[0].strip() == str(body_length)
    # No body by definition (RFC 9110 6.4.1): a Content-Length the server did not send would be
    # added to what it said, and replay needs none.
    head_only = exchange.method.upper() == "HEAD" or (
        not body_length and not lengths and (exchange.status in (204, 304) or exchange.status < 200))
    for name, value in exchange.response_headers:
        low = name.lower()
        if low in _FRAMING or (low == "content-length" and not length_ok and not head_only):
            out.append((ORIG_PREFIX + name, value))
        else:
            out.append((name, value))
    if not length_ok and not head_only:
        out.append(("Content-Length", str(body_length)))
    return out


def _head(first: str, headers: list[tuple[str, str]]) -> bytes:
    """Start line and header lines, CRLF-framed, each part encoded as ``_encode`` does."""
    text = "\r\n".join([first, *(f"{name}: {value}" for name, value in headers)]) + "\r\n\r\n"
    # Usual case in one go: no CR/LF inside any part, all latin-1 (then it is the same bytes).
    if text.count("\r") == text.count("\n") == len(headers) + 2:
        try:
            return text.encode("latin-1")
        except UnicodeEncodeError:
            pass
    raw = [_encode(first)] + [_encode(name) + b": " + _encode(value) for name, value in headers]
    return b"\r\n".join(raw) + b"\r\n\r\n"


def response_head(exchange: Exchange, body_length: int) -> bytes:
    version = http_version(exchange.protocol)
    first = f"{version} {exchange.status} {reason_phrase(exchange.status, exchange.reason)}"
    return _head(first, response_headers(exchange, body_length))


def request_target(url: str) -> tuple[str, str]:
    """(``/path?query``, host[:port]) of a URL; the query string is kept whole."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("http", "https") and url.isascii() and url.isprintable() \
            and " " not in url and "\\" not in url:
        # What urlsplit gives for a plain URL, without its general machinery.
        end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0),
                  default=len(rest))
        netloc, remainder = rest[:end], rest[end:].partition("#")[0]
        path, _, query = remainder.partition("?")
        return (path or "/") + ("?" + query if query else ""), netloc.rpartition("@")[2]
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target, parts.netloc.rpartition("@")[2]


def request_head(exchange: Exchange) -> bytes:
    target, host = request_target(exchange.url)
    # Scrapy's HTTP/1.x client (Twisted) always sends HTTP/1.1, whatever the server answers.
    version = "HTTP/1.1"
    headers = list(exchange.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", host))
    return _head(f"{exchange.method.upper()} {target} {version}", headers)


def header_value(headers: list[tuple[str, str]] | None, name: str) -> str | None:
    """The last value of a header (case-insensitive), or None (also when there are no headers)."""
    name = name.lower()
    found = None
    for key, value in headers or ():
        if key.lower() == name:
            found = value
    return found


def mime_of(headers: list[tuple[str, str]]) -> str | None:
    """The media type of the last Content-Type header, lower case, without parameters."""
    value = header_value(headers, "content-type")
    if not value:
        return None
    return value.split(";", 1)[0].strip().lower() or None
