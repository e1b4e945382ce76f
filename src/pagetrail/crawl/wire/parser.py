"""An incremental HTTP/1.x response parser that keeps the bytes as they came off the wire.

The archive stores the response as received (WARC 1.1, 6.3.2), so this parser never rebuilds
anything: it finds where the head ends and how the body is framed (RFC 9112, 6.3), and hands back
the body with the transfer coding removed (what Scrapy and the payload digest want) while the
caller keeps every byte it fed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A head bigger than this is not a web server's answer (Twisted allows 16 KiB per line).
MAX_HEAD = 256 * 1024
MAX_CHUNK_LINE = 4096
NO_BODY_STATUSES = frozenset({204, 304})


class WireError(Exception):
    """The bytes are not an HTTP/1.x response this client can read."""


@dataclass
class Head:
    """A response head: status line and header fields as received."""

    raw: bytes  # status line, header lines and the blank line, byte for byte
    version: str  # "HTTP/1.1" or "HTTP/1.0" as the server wrote it
    status: int
    reason: str
    headers: list[tuple[bytes, bytes]]  # (name as sent, value without surrounding blanks)

    def values(self, name: bytes) -> list[bytes]:
        low = name.lower()
        return [v for k, v in self.headers if k.lower() == low]


def parse_head(raw: bytes) -> Head:
    lines = raw.rstrip(b"\r\n").split(b"\n")
    status_line = lines[0].rstrip(b"\r")
    version, _, rest = status_line.partition(b" ")
    code, _, reason = rest.strip().partition(b" ")
    if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise WireError(f"not a valid HTTP response (status line {status_line[:60]!r})")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        line = line.rstrip(b"\r")
        if line[:1] in (b" ", b"\t") and headers:
            # obs-fold (RFC 9112 5.2): a continuation of the previous value
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip())
            continue
        name, sep, value = line.partition(b":")
        if sep and name.strip():
            # a line without a colon is skipped, as Scrapy's lenient parser and browsers do
            headers.append((name.strip(), value.strip()))
    return Head(raw, version.decode("latin-1"), int(code), reason.decode("latin-1").strip(),
                headers)


def _head_end(buf: bytearray) -> int:
    """Index just past the blank line that ends the head, or -1 (bare LF line ends accepted)."""
    crlf = buf.find(b"\r\n\r\n")
    lf = buf.find(b"\n\n")
    ends = [i + 4 for i in (crlf,) if i >= 0] + [i + 2 for i in (lf,) if i >= 0]
    return min(ends) if ends else -1


@dataclass
class ResponseParser:
    """Feed it the bytes of one response as they arrive; it says when the response is whole.

    ``framing`` is "none" (HEAD, 1xx, 204, 304), "length", "chunked" or "close" (the body ends
    when the server closes the connection: HTTP/1.0 style)."""

    head_request: bool = False
    head: Head | None = None
    interim: list[Head] = field(default_factory=list)  # 1xx answers before the real one
    framing: str = ""
    length: int = -1  # the Content-Length, when that frames the body
    done: bool = False
    trailers: list[tuple[bytes, bytes]] = field(default_factory=list)
    leftover: bytes = b""  # bytes after the end of the response (not reusable then)
    # The chunked body as received (sizes, extensions, CRLFs, trailers): the other framings need
    # no copy, their bytes on the wire are the body itself.
    wire: bytearray = field(default_factory=bytearray)
    _buf: bytearray = field(default_factory=bytearray)
    _remaining: int = 0  # body bytes still due: of the Content-Length, or of the current chunk
    _chunk_state: str = "size"  # size | data | data-end | trailer

    def feed(self, data: bytes) -> bytes:
        """The body bytes (transfer coding removed) that ``data`` completes. Raises WireError."""
        if self.done:
            self.leftover += data
            return b""
        if self.head is None:
            self._buf += data
            if not self._read_head():
                return b""
            data, self._buf = bytes(self._buf), bytearray()
        if self.framing == "length":
            piece = data[:self._remaining]
            self._remaining -= len(piece)
            if self._remaining == 0:
                self.done = True
                self.leftover = data[len(piece):]
            return piece
        if self.framing == "close":
            return data
        if self.framing == "chunked":
            return self._chunked(data)
        self.leftover += data
        return b""

    def _read_head(self) -> bool:
        while True:
            end = _head_end(self._buf)
            if end < 0:
                if len(self._buf) > MAX_HEAD:
                    raise WireError(f"response head larger than {MAX_HEAD} bytes")
                return False
            head = parse_head(bytes(self._buf[:end]))
            del self._buf[:end]
            if 100 <= head.status < 200 and head.status != 101:
                self.interim.append(head)  # 100 Continue, 103 Early Hints: the answer follows
                continue
            self.head = head
            self._choose_framing(head)
            return True

    def _choose_framing(self, head: Head) -> None:
        codings = b",".join(head.values(b"transfer-encoding")).lower()
        lengths = {v.strip() for value in head.values(b"content-length") for v in value.split(b",")}
        if self.head_request or head.status in NO_BODY_STATUSES or head.status < 200:
            self.framing, self.done = "none", True
        elif codings.strip():
            last = codings.split(b",")[-1].strip()
            self.framing = "chunked" if last == b"chunked" else "close"
        elif lengths:
            if len(lengths) > 1 or not all(v.isdigit() for v in lengths):
                raise WireError(f"invalid Content-Length {sorted(lengths)!r}")
            self._remaining = self.length = int(lengths.pop())
            self.framing = "length"
            self.done = self._remaining == 0
        else:
            self.framing = "close"

    @property
    def expected_length(self) -> int:
        """The body length the head announces, or -1 when it does not say."""
        return self.length

    def _chunked(self, data: bytes) -> bytes:
        out = []
        buf = self._buf
        buf += data
        self.wire += data
        pos = 0
        while not self.done:
            state = self._chunk_state
            if state == "data":
                piece = buf[pos:pos + self._remaining]
                if not piece:
                    break
                out.append(bytes(piece))
                pos += len(piece)
                self._remaining -= len(piece)
                if self._remaining == 0:
                    self._chunk_state = "data-end"
                continue
            eol = buf.find(b"\n", pos)
            if eol < 0:
                if len(buf) - pos > MAX_CHUNK_LINE:
                    raise WireError("chunk size line too long")
                break
            line = bytes(buf[pos:eol]).rstrip(b"\r")
            pos = eol + 1
            if state == "data-end":
                if line:
                    raise WireError("chunk data not followed by a line end")
                self._chunk_state = "size"
            elif state == "size":
                size = line.split(b";", 1)[0].strip()
                try:
                    self._remaining = int(size, 16)
                except ValueError:
                    raise WireError(f"invalid chunk size {size[:20]!r}") from None
                self._chunk_state = "data" if self._remaining else "trailer"
            elif line:  # a trailer field (kept in the stored bytes; listed for readers)
                name, sep, value = line.partition(b":")
                if sep:
                    self.trailers.append((name.strip(), value.strip()))
            else:
                self.done = True
        self.leftover = bytes(buf[pos:]) if self.done else b""
        if self.leftover:
            del self.wire[len(self.wire) - len(self.leftover):]
        del buf[:pos if not self.done else len(buf)]
        return b"".join(out)

    def finish_on_close(self) -> bool:
        """The connection closed: True when that ends the response whole (close framing)."""
        if self.head is not None and self.framing == "close":
            self.done = True
        return self.done
