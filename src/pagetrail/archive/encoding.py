"""Undoing Content-Encoding for readers of the archive (the WARC keeps the encoded bytes)."""

from __future__ import annotations

import zlib

try:
    import brotli
except ImportError:  # optional: br bodies are then returned as stored
    brotli = None


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:
        return zlib.decompress(data, -zlib.MAX_WBITS)  # raw deflate, as some servers send it


DECODERS = {
    "gzip": lambda data: zlib.decompressobj(47).decompress(data),
    "x-gzip": lambda data: zlib.decompressobj(47).decompress(data),
    "deflate": _inflate,
}
if brotli is not None:
    DECODERS["br"] = brotli.decompress


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    """The body with every listed coding undone (last applied first); unknown codings stop it."""
    if not content_encoding or not body:
        return body
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        decoder = DECODERS.get(coding)
        if decoder is None:
            break
        try:
            body = decoder(body)
        except Exception:  # noqa: BLE001 - a damaged or truncated body is returned as far as it goes
            break
    return body
