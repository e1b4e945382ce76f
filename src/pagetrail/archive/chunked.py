"""The payload of a stored HTTP block: its body with the transfer coding removed.

Response records hold the bytes as received (WARC 1.1, 6.3.2), so a chunked answer is stored with
its chunk sizes, line ends and trailers; the payload (what ``WARC-Payload-Digest`` covers and what
readers want) is the body without them. A body cut short yields the data that did arrive.
"""

from __future__ import annotations

from pagetrail.archive.httpblock import header_value


def is_chunked(headers: list[tuple[str, str]]) -> bool:
    """True when the last transfer coding of the head is ``chunked`` (RFC 9112 6.3)."""
    codings = [v for k, v in headers if k.lower() == "transfer-encoding"]
    if not codings:
        return False
    return ",".join(codings).split(",")[-1].strip().lower() == "chunked"


def dechunk(data: bytes) -> bytes:
    """The chunk data of ``data``, in order; stops at the last chunk or where the data ends."""
    out = []
    pos, size = 0, len(data)
    while pos < size:
        eol = data.find(b"\n", pos)
        if eol < 0:
            break
        field = data[pos:eol].split(b";", 1)[0].strip()
        try:
            length = int(field, 16)
        except ValueError:
            break
        if length == 0:
            break
        start = eol + 1
        out.append(data[start:start + length])
        pos = start + length
        # the CRLF after the chunk data (a bare LF tolerated)
        if data[pos:pos + 2] == b"\r\n":
            pos += 2
        elif data[pos:pos + 1] == b"\n":
            pos += 1
    return b"".join(out)


def payload_of(headers: list[tuple[str, str]], body: bytes) -> bytes:
    """``body`` without its transfer coding, if the head says it has one."""
    if header_value(headers, "transfer-encoding") is not None and is_chunked(headers):
        return dechunk(body)
    return body
