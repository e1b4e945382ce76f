"""WARC digests: ``sha1:`` + base32, the form warcio, pywb and cdxj-indexer expect."""

from __future__ import annotations

import hashlib

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# Every 10-bit group as its two base32 characters: a SHA-1 (160 bits) is 16 lookups, several
# times faster than base64.b32encode, which the crawl would pay three times per fetch.
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_SHIFTS = tuple(range(150, -1, -10))


def sha1_digest(data: bytes) -> str:
    n = int.from_bytes(hashlib.sha1(data).digest(), "big")
    return "sha1:" + "".join([_PAIRS[(n >> shift) & 0x3FF] for shift in _SHIFTS])
