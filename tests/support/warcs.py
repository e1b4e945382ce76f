"""Hand-built ``Exchange`` objects and helpers that read WARC files back as raw bytes."""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pagetrail.archive.model import Exchange, FailedFetch

T0 = datetime(2026, 11, 24, 19, 13, 16, 250000, tzinfo=UTC)

PAGE_HTML = (
    b"<!doctype html><html><head><title>Example page</title></head>"
    b"<body><article><p>Hello archive.</p></article></body></html>"
)
REQUEST_HEADERS = [("User-Agent", "pagetrail-test/1.0"), ("Accept", "text/html"),
                   ("Accept-Encoding", "gzip, deflate")]


def exchange(url: str = "http://example.test/page?b=2&a=1", *, body: bytes = PAGE_HTML,
             status: int = 200, headers: list[tuple[str, str]] | None = None,
             at: datetime | None = None, protocol: str = "HTTP/1.1", **kw) -> Exchange:
    if headers is None:
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    return Exchange(url=url, method="GET", request_headers=list(REQUEST_HEADERS), status=status,
                    response_headers=headers, body=body, started=at or T0, protocol=protocol, **kw)


def gzip_exchange(url: str = "http://example.test/gz", at: datetime | None = None) -> Exchange:
    """gzip-encoded body, two Set-Cookie, HTTP/2, no Content-Length (as Scrapy hands it over)."""
    body = gzip.compress(PAGE_HTML, mtime=0)
    headers = [
        ("Content-Type", "text/html"),
        ("Content-Encoding", "gzip"),
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2; Path=/"),
        ("ETag", '"v1"'),
        ("Last-Modified", "Tue, 24 Nov 2026 19:00:00 GMT"),
    ]
    return exchange(url, body=body, headers=headers, at=at, protocol="h2", ip_address="127.0.0.1")


def chunked_exchange(url: str = "http://example.test/chunked", at: datetime | None = None) -> Exchange:
    headers = [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")]
    return exchange(url, body=b"chunk one, chunk two", headers=headers, at=at)


def failed(url: str = "http://nowhere.test/", at: datetime | None = None) -> FailedFetch:
    return FailedFetch(url=url, started=at or T0, error="DNS lookup failed: no such host",
                       seed="nowhere", seed_url=url)


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def members(path: Path) -> list[tuple[int, int, bytes]]:
    """(offset, compressed length, raw record bytes) of each gzip member, decoded independently."""
    data = path.read_bytes()
    out = []
    pos = 0
    while pos < len(data):
        inflater = zlib.decompressobj(31)
        raw = inflater.decompress(data[pos:])
        assert inflater.eof, f"{path.name}: torn gzip member at {pos}"
        length = len(data) - pos - len(inflater.unused_data)
        out.append((pos, length, raw))
        pos += length
    return out


def split_record(raw: bytes) -> tuple[dict[str, str], bytes]:
    """(WARC named fields, block) of one raw record, checking CRLF framing on the way."""
    head, sep, rest = raw.partition(b"\r\n\r\n")
    assert sep, "record head not ended by CRLF CRLF"
    lines = head.split(b"\r\n")
    assert lines[0] in (b"WARC/1.0", b"WARC/1.1"), lines[0]
    fields: dict[str, str] = {}
    for line in lines[1:]:
        assert b"\n" not in line and b"\r" not in line
        name, _, value = line.decode("utf-8").partition(": ")
        assert name not in fields, f"field {name} repeated"
        fields[name] = value
    length = int(fields["Content-Length"])
    assert len(rest) == length + 4 and rest.endswith(b"\r\n\r\n"), "record not ended by CRLF CRLF"
    return fields, rest[:length]


_WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {repo!r})
    from pagetrail.archive import Archive
    from tests.support.warcs import exchange, later
    with Archive({folder!r}, max_file_size=20_000) as archive:
        for i in range(60):
            # Every writer fetches the same URLs at the same instants: timestamps must not clash.
            archive.record(exchange(f"http://example.test/shared{{i % 10}}",
                                    body=b"page %d from {name}" % i, at=later(i // 10)))
""")


def run_writers(folder: Path, names: list[str], env: dict[str, str] | None = None) -> list[tuple[int, str]]:
    """One process per name, all at once, each recording 60 captures (10 URLs, 6 instants, the
    same for every writer) into the archive at ``folder``; their (exit code, stderr)."""
    repo = str(Path(__file__).resolve().parents[2])
    children = [subprocess.Popen([sys.executable, "-c", _WRITER.format(repo=repo, folder=str(folder),
                                                                       name=name)],
                                 stderr=subprocess.PIPE, text=True, env=env) for name in names]
    return [(child.wait(), child.stderr.read()) for child in children]
