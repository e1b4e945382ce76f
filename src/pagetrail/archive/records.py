"""WARC/1.1 records as bytes: warcinfo, request, response, revisit, metadata and resource.

Each record is serialised as ``WARC/1.1`` + named fields + CRLF + block + CRLF CRLF, and gzipped as
its own member so any record can be read from its offset alone.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from pagetrail.archive import httpblock
from pagetrail.archive.digest import sha1_digest
from pagetrail.archive.model import Exchange, FailedFetch
from pagetrail.archive.reader import split_http
from pagetrail.archive.timestamps import warc_date

PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
HTTP_RESPONSE = "application/http; msgtype=response"
HTTP_REQUEST = "application/http; msgtype=request"
WARC_FIELDS = "application/warc-fields"

# Extension fields (not WARC-* names, which the standard reserves) that let `reindex` rebuild the
# catalog's seed columns from the WARC files alone.
SEED_FIELD = "Pagetrail-Seed"
SEED_URL_FIELD = "Pagetrail-Seed-URL"
ROLE_FIELD = "Pagetrail-Role"
KIND_FIELD = "Pagetrail-Kind"
ATTEMPT_FIELD = "Pagetrail-Attempt"  # written from the second try of a request on
KIND_FAILED = "failed-fetch"
KIND_SUMMARY = "change-summary"
# The one field of a change summary's application/warc-fields block: the summary as one line of
# JSON (ASCII, so no byte of it can be read as a line break).
SUMMARY_FIELD = "changeSummary"

# zlib's default trade-off. Level 1 instead: on bench/archive_overhead.py's 1 KB pages the
# records are 1-2% bigger for ~1 us saved per fetch; on the 6.7 KB example page 7% bigger
# (3053 vs 2860 B) for ~2.5x less compression time (~55 vs ~130 us). An archive keeps its bytes
# for years, so the disk wins.
GZIP_LEVEL = 6


def new_record_id() -> str:
    # uuid4's format, without building a UUID object (two of these per fetch)
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}>"


@dataclass
class Record:
    """One WARC record before it is written."""

    warc_type: str
    headers: list[tuple[str, str]]  # named fields after WARC-Type, in order
    block: bytes
    record_id: str = field(default_factory=new_record_id)
    # The HTTP status line and headers at the start of ``block`` (response and revisit records),
    # so the catalog row and index line can be read from them without re-reading the record.
    http_head: bytes | None = None
    _fields: list[tuple[str, str]] | None = field(default=None, init=False, repr=False,
                                                  compare=False)
    _parsed: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def as_read(self) -> tuple[Callable[[str], str | None], tuple | None]:
        """What a reader of the written record would see, without writing and re-reading it:
        a lookup of named fields by lower-case name, and the HTTP head split as ``split_http``
        does (None if the record has no HTTP head at hand). Computed once."""
        if self._parsed is None:
            by_name = {name.lower(): value.strip() for name, value in self.fields()}
            http = split_http(self.http_head) if self.http_head is not None else None
            self._parsed = (by_name.get, http)
        return self._parsed

    def fields(self) -> list[tuple[str, str]]:
        """Every named field as written, in order (computed once: do not change the record
        after calling this)."""
        if self._fields is None:
            out = [("WARC-Type", self.warc_type), ("WARC-Record-ID", self.record_id)]
            for name, value in self.headers:
                value = str(value)
                out.append((name, _clean(value) if "\r" in value or "\n" in value else value))
            out.append(("Content-Length", str(len(self.block))))
            self._fields = out
        return self._fields

    def to_bytes(self) -> bytes:
        head = "".join([f"{name}: {value}\r\n" for name, value in self.fields()])
        return b"".join((b"WARC/1.1\r\n", head.encode("utf-8"), b"\r\n", self.block,
                         b"\r\n\r\n"))

    def to_gzip(self) -> bytes:
        # One gzip member per record, so any record can be read from its offset alone.
        data = self.to_bytes()
        comp = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, *_deflate_sizes(len(data)))
        return comp.compress(data) + comp.flush()


def _deflate_sizes(size: int) -> tuple[int, int]:
    """gzip window bits and memLevel for ``size`` bytes: a window no bigger than the record
    (plus deflate's look-ahead) finds the same matches, and zlib's default state (~256 KB,
    set up for every record) costs more than compressing a small record and pushes the
    crawler's own data out of the CPU caches. Bigger records get zlib's defaults."""
    bits = max(9, min(15, (size + 262).bit_length()))
    return 16 + bits, (8 if bits >= 14 else bits - 6)


def _clean(value: str) -> str:
    return str(value).replace("\r", " ").replace("\n", " ")


def _seed_fields(url: str, seed: str | None, seed_url: str | None,
                 role: str | None, attempt: int = 1) -> list[tuple[str, str]]:
    """Seed fields, leaving out the usual values (role page, seed URL = target URI) to keep the
    records of an unchanged refetch small."""
    out = []
    if seed:
        out.append((SEED_FIELD, seed))
    if seed_url and seed_url != url:
        out.append((SEED_URL_FIELD, seed_url))
    if role and role != "page":
        out.append((ROLE_FIELD, role))
    if attempt > 1:
        out.append((ATTEMPT_FIELD, str(attempt)))
    return out


def warcinfo(filename: str, ts: str, info: dict[str, str]) -> Record:
    block = "".join(f"{k}: {_clean(v)}\r\n" for k, v in info.items() if v).encode("utf-8")
    headers = [
        ("WARC-Date", warc_date(ts)),
        ("WARC-Filename", filename),
        ("Content-Type", WARC_FIELDS),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return Record("warcinfo", headers, block)


def _common(exchange: Exchange, ts: str) -> list[tuple[str, str]]:
    # No WARC-Warcinfo-ID: the file's warcinfo is always its first record, and the field would
    # add ~50 incompressible bytes to every record of an unchanged refetch.
    headers = [("WARC-Target-URI", exchange.url), ("WARC-Date", warc_date(ts))]
    if exchange.ip_address:
        headers.append(("WARC-IP-Address", exchange.ip_address))
    protocol = exchange.protocol.strip().lower()
    if protocol not in ("http/1.0", "http/1.1", ""):
        # The HTTP/1.x head is then a rewrite (pywb replays only HTTP/1.x status lines): say
        # what went over the wire (the WARC-Protocol field proposed for WARC 1.1's revision).
        headers.append(("WARC-Protocol", "h2" if protocol in ("h2", "http/2", "http/2.0")
                        else protocol))
    elif exchange.tls:
        # Over TLS the head alone does not say how the bytes travelled: both layers, as the
        # WARC-Protocol proposal for WARC 1.1's revision lists them (the field may repeat).
        headers += [("WARC-Protocol", protocol or "http/1.1"), ("WARC-Protocol", exchange.tls)]
    return headers


def http_block(exchange: Exchange) -> tuple[bytes, bytes]:
    """(HTTP head, whole block) of a response record: the bytes as received when the crawler's
    own client saw them (a chunked body with its framing and trailers), else rebuilt."""
    if exchange.wire_head is not None:
        head = exchange.wire_head
        body = exchange.wire_body if exchange.wire_body is not None else exchange.body
    else:
        head = httpblock.response_head(exchange, len(exchange.body))
        body = exchange.body
    return head, head + body


def response(exchange: Exchange, ts: str, payload_digest: str) -> Record:
    head, block = http_block(exchange)
    headers = _common(exchange, ts)
    headers += [
        ("Content-Type", HTTP_RESPONSE),
        ("WARC-Payload-Digest", payload_digest),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    if exchange.truncated:
        headers.append(("WARC-Truncated", exchange.truncated))
    headers += _seed_fields(exchange.url, exchange.seed, exchange.seed_url, exchange.role,
                            exchange.attempt)
    return Record("response", headers, block, http_head=head)


@dataclass
class Original:
    """The record a revisit points at (the one that holds the body)."""

    url: str
    ts: str
    record_id: str
    digest: str


def revisit(
    exchange: Exchange, ts: str, profile: str, original: Original
) -> Record:
    """A revisit: the body is the original record's.

    Identical payload: the block is the new response's HTTP headers. Server-not-modified (a 304):
    no block at all, as Heritrix writes it, so that replay tools serve the original response
    (pywb replays a revisit that has a 3xx head of its own as that 3xx). Both carry
    ``WARC-Truncated: length`` (WARC 1.1 section 6.7.2: the payload is left out)."""
    not_modified = profile == PROFILE_NOT_MODIFIED
    if not_modified:
        block = b""
    elif exchange.wire_head is not None:
        block = exchange.wire_head
    else:
        block = httpblock.response_head(exchange, len(exchange.body))
    headers = _common(exchange, ts)
    headers += [
        ("Content-Type", HTTP_RESPONSE),
        ("WARC-Profile", profile),
        ("WARC-Refers-To", original.record_id),
        ("WARC-Refers-To-Target-URI", original.url),
        ("WARC-Refers-To-Date", warc_date(original.ts)),
        ("WARC-Payload-Digest", original.digest),
        ("WARC-Block-Digest", sha1_digest(block)),
        ("WARC-Truncated", "length"),
    ]
    headers += _seed_fields(exchange.url, exchange.seed, exchange.seed_url, exchange.role,
                            exchange.attempt)
    return Record("revisit", headers, block, http_head=None if not_modified else block)


def request(exchange: Exchange, ts: str, concurrent_to: str) -> Record:
    if exchange.wire_request is not None:
        block = exchange.wire_request  # as written on the connection
    else:
        block = httpblock.request_head(exchange) + exchange.request_body
    headers = _common(exchange, ts)
    headers += [
        ("WARC-Concurrent-To", concurrent_to),
        ("Content-Type", HTTP_REQUEST),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return Record("request", headers, block)


def failure(failed: FailedFetch, ts: str) -> Record:
    """A fetch that got no HTTP response, as a metadata record an archivist can find by URL."""
    fields = {"fetchError": failed.error, "seed": failed.seed or "", "seedUrl": failed.seed_url or ""}
    block = "".join(f"{k}: {_clean(v)}\r\n" for k, v in fields.items() if v).encode("utf-8")
    headers = [("WARC-Target-URI", failed.url), ("WARC-Date", warc_date(ts))]
    headers += [
        ("Content-Type", WARC_FIELDS),
        ("WARC-Block-Digest", sha1_digest(block)),
        (KIND_FIELD, KIND_FAILED),
    ]
    headers += _seed_fields(failed.url, failed.seed, failed.seed_url, None, failed.attempt)
    return Record("metadata", headers, block)


def change_summary(target_uri: str, ts: str, refers_to: str, summary: dict) -> Record:
    """A capture's change summary, as post-harvest metadata (WARC 1.1 Annex A.4): the page's
    URI, ``WARC-Refers-To`` the capture's record (no ``WARC-Concurrent-To``: it is written later,
    maybe in another file) and an ``application/warc-fields`` block, which cdxj-indexer and pywb
    never index, so replay never mistakes the summary for the page."""
    text = json.dumps(summary, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    block = f"{SUMMARY_FIELD}: {text}\r\n".encode("ascii")
    headers = [("WARC-Target-URI", target_uri), ("WARC-Date", warc_date(ts))]
    headers += [
        ("WARC-Refers-To", refers_to),
        ("Content-Type", WARC_FIELDS),
        ("WARC-Block-Digest", sha1_digest(block)),
        (KIND_FIELD, KIND_SUMMARY),
    ]
    return Record("metadata", headers, block)


def summary_of(block: bytes) -> dict | None:
    """The summary in a ``change_summary`` block (None if it holds none)."""
    for line in block.split(b"\r\n"):
        name, sep, value = line.partition(b": ")
        if sep and name.decode("ascii", "replace") == SUMMARY_FIELD:
            try:
                found = json.loads(value)
            except ValueError:
                return None
            return found if isinstance(found, dict) else None
    return None


def resource(target_uri: str, ts: str, payload: bytes, content_type: str,
             refers_to: str | None = None) -> Record:
    """A ``resource`` record (e.g. a screenshot): ``target_uri`` should not be a page's own URL
    (use a scheme such as ``urn:pagetrail:screenshot:URL``), or replay would serve it as the page.
    ``refers_to``, the page capture it belongs to, goes in our own field: WARC 1.1 (5.11) does not
    allow ``WARC-Refers-To`` on resource records, and ``WARC-Concurrent-To`` would claim one capture
    event for a record written later."""
    headers = [("WARC-Target-URI", target_uri), ("WARC-Date", warc_date(ts))]
    if refers_to:
        headers.append((PAGE_RECORD_FIELD, refers_to))
    headers += [
        ("Content-Type", content_type),
        ("WARC-Payload-Digest", sha1_digest(payload)),
        ("WARC-Block-Digest", sha1_digest(payload)),
    ]
    return Record("resource", headers, payload)


# A rendering of a page (pagetrail.crawl.render): the DOM after scripts as a `conversion` record
# and a screenshot as a `resource` record, each under its own URI scheme so that no replay tool
# or indexer takes them for a capture of the page URL itself.
DOM_SCHEME = "urn:dom:"
SCREENSHOT_SCHEME = "urn:fullPage:"  # as Browsertrix-crawler names its full-page screenshots
PAGE_RECORD_FIELD = "Pagetrail-Page-Record"  # the page capture's record id, on both records
RENDER_NOTE_FIELD = "Pagetrail-Render-Note"


def rendering(page_url: str, page_record: str, ts: str, dom: bytes, screenshot: bytes | None,
              note: str | None, seed: str | None) -> list[Record]:
    """The DOM ``conversion`` record (``WARC-Refers-To`` the page capture) and, when there is one,
    the screenshot ``resource`` record (``WARC-Concurrent-To`` the DOM: one rendering event)."""
    common = [("WARC-Date", warc_date(ts))]
    extra = [(PAGE_RECORD_FIELD, page_record)]
    if note:
        extra.append((RENDER_NOTE_FIELD, note))
    if seed:
        extra.append((SEED_FIELD, seed))
    dom_digest = sha1_digest(dom)
    out = [Record("conversion", [("WARC-Target-URI", DOM_SCHEME + page_url), *common,
                                 ("WARC-Refers-To", page_record),
                                 ("Content-Type", "text/html; charset=utf-8"),
                                 ("WARC-Payload-Digest", dom_digest),
                                 ("WARC-Block-Digest", dom_digest), *extra], dom)]
    if screenshot is not None:
        shot_digest = sha1_digest(screenshot)
        out.append(Record("resource", [("WARC-Target-URI", SCREENSHOT_SCHEME + page_url), *common,
                                       ("WARC-Concurrent-To", out[0].record_id),
                                       ("Content-Type", "image/png"),
                                       ("WARC-Payload-Digest", shot_digest),
                                       ("WARC-Block-Digest", shot_digest), *extra], screenshot))
    return out
