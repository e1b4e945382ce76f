"""Undoing Content-Encoding for readers of the archive (the WARC keeps the encoded bytes).

Decoding streams in chunks and stops at a bound (:data:`MAX_DECODED_SIZE`): a few megabytes of
gzip can inflate to gigabytes (a "gzip bomb"), and no reader of the archive needs more than the
crawl itself would have accepted (``DOWNLOAD_MAXSIZE``, 50 MiB by default).
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator

from pagetrail.errors import ArchiveError

try:
    import brotli
except ImportError:  # optional: br bodies are then returned as stored
    brotli = None
try:  # Scrapy asks for zstd (Accept-Encoding) and depends on backports.zstd before Python 3.14
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    try:
        from backports import zstd  # type: ignore[no-redef]
    except ImportError:
        zstd = None

#: Bodies that decode to more than this many bytes are refused (:class:`DecodedTooLarge`).
#: The same figure as the crawl's DOWNLOAD_MAXSIZE default, which bounds decompression there;
#: the environment variable PAGETRAIL_MAX_DECODED_SIZE (bytes) overrides it.
MAX_DECODED_SIZE = 50 * 1024 * 1024
_CHUNK = 256 * 1024


class DecodedTooLarge(ArchiveError):
    """The body inflates past the decoded-size bound; ``str(err)`` is one line."""

    def __init__(self, coding: str, encoded: int, limit: int) -> None:
        super().__init__(f"body inflates past the decoded-size bound ({encoded:,} bytes of "
                         f"{coding} give more than {limit:,}): too large to segment")
        self.limit = limit


def _zlib_chunks(data: bytes, wbits: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits)
    chunk = inflater.decompress(data, _CHUNK)
    yield chunk
    while inflater.unconsumed_tail and not inflater.eof:
        yield inflater.decompress(inflater.unconsumed_tail, _CHUNK)
    if not inflater.eof:
        yield inflater.flush()


def _gzip(data: bytes) -> Iterator[bytes]:
    return _zlib_chunks(data, 47)  # 32 + 15: a gzip or zlib header, detected


def _deflate(data: bytes) -> Iterator[bytes]:
    try:
        zlib.decompressobj().decompress(data[:2])  # the two-byte zlib header, checked
    except zlib.error:
        return _zlib_chunks(data, -zlib.MAX_WBITS)  # raw deflate, as some servers send it
    return _zlib_chunks(data, zlib.MAX_WBITS)


def _brotli(data: bytes) -> Iterator[bytes]:
    inflater = brotli.Decompressor()
    yield inflater.process(data, output_buffer_limit=_CHUNK)
    while not inflater.is_finished():
        chunk = inflater.process(b"", output_buffer_limit=_CHUNK)
        if not chunk:
            return
        yield chunk


def _zstd(data: bytes) -> Iterator[bytes]:
    inflater = zstd.ZstdDecompressor()
    chunk = inflater.decompress(data, _CHUNK)
    yield chunk
    while not inflater.eof and not inflater.needs_input:
        yield inflater.decompress(b"", _CHUNK)


DECODERS: dict[str, Callable[[bytes], Iterator[bytes]]] = {
    "gzip": _gzip,
    "x-gzip": _gzip,
    "deflate": _deflate,
}
if brotli is not None:
    DECODERS["br"] = _brotli
if zstd is not None:
    DECODERS["zstd"] = _zstd


def _decode_one(body: bytes, coding: str, limit: int) -> bytes:
    """One coding undone, chunk by chunk, refusing to grow past ``limit``; a damaged or truncated
    body is returned as far as it goes (the bytes before the damage)."""
    out = bytearray()
    try:
        for chunk in DECODERS[coding](body):
            out += chunk
            if limit and len(out) > limit:
                raise DecodedTooLarge(coding, len(body), limit)
    except DecodedTooLarge:
        raise
    except Exception:  # noqa: BLE001 - zlib.error, brotli.error: kept up to the damage
        if not out:
            raise
    return bytes(out)


def decode_body(body: bytes, content_encoding: str | None, *,
                limit: int | None = None) -> bytes:
    """The body with every listed coding undone (last applied first); unknown codings stop it.
    Raises :class:`DecodedTooLarge` when a coding inflates past ``limit`` bytes
    (:data:`MAX_DECODED_SIZE` when not given; 0 for no bound)."""
    if not content_encoding or not body:
        return body
    if limit is None:
        env = os.environ.get("PAGETRAIL_MAX_DECODED_SIZE", "").strip()
        limit = int(env) if env.isdigit() else MAX_DECODED_SIZE
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding not in DECODERS:
            break
        try:
            body = _decode_one(body, coding, limit)
        except DecodedTooLarge:
            raise
        except Exception:  # noqa: BLE001 - undecodable from the first byte: returned as stored
            break
    return body
