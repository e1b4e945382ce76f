"""WARC digests: ``sha1:`` + base32, the form warcio, pywb and cdxj-indexer expect."""

from __future__ import annotations

import base64
import hashlib


def sha1_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")
