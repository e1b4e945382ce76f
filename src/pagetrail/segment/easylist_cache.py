"""An on-disk cache of what EasyList costs to derive, so each new process (every `pagetrail crawl`
forks a segmenter that needs it on its first page) loads it instead of building it: the
``adblock`` engine built from the list (0.13 s to build, 0.025 s to load its serialized form)
and the class/id names its rules are keyed by (``easylist_names``).

Entries live in ``$PAGETRAIL_CACHE_DIR``, else ``$XDG_CACHE_HOME/pagetrail``, else
``~/.cache/pagetrail``. Each is one file per kind and key (the key names everything its content
is derived from: the list's rules, the library's version), with a header repeating the key, the
payload's length and CRC-32. A missing, unreadable, damaged or foreign entry, or a folder that
cannot be written, is never an error: the caller builds the value in memory as it would without a
cache. An entry is written whole or not at all (``atomicfile.replaced``).
Entries of older keys are left in place (one per list or library upgrade, a few MB each)."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import zlib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import adblock

from pagetrail.atomicfile import replaced
from pagetrail.cachedir import cache_dir

_MAGIC = b"pagetrail-cache"


def _path(kind: str, key: str) -> Path:
    # The key may be long or hold any character: the file is named by its hash.
    return cache_dir() / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.bin"


def _header(key: str, payload: bytes) -> bytes:
    return b" ".join([_MAGIC, key.encode(), str(len(payload)).encode(),
                      str(zlib.crc32(payload)).encode()]) + b"\n"


def read(kind: str, key: str) -> bytes | None:
    """The payload stored for ``kind`` and ``key``, or None when there is none that is whole
    and was written for this very key."""
    try:
        data = _path(kind, key).read_bytes()
    except (OSError, RuntimeError):  # RuntimeError: no home folder to find ~ in
        return None
    head, sep, payload = data.partition(b"\n")
    if not sep:
        return None
    return payload if head + b"\n" == _header(key, payload) else None


def write(kind: str, key: str, payload: bytes | Callable[[], bytes]) -> bool:
    """Store ``payload`` (or what calling it returns: made only once the folder is known to be
    writable) for ``kind`` and ``key``; False when it could not be (a read-only or missing
    folder, a full disk): the cache is an optimisation, never a failure."""
    try:
        path = _path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with replaced(path) as fh:
            if callable(payload):
                payload = payload()
            fh.write(_header(key, payload))
            fh.write(payload)
        return True
    except (OSError, RuntimeError):
        return False


def list_key(fingerprint: str) -> str:
    """The key of what is derived from the EasyList rules with ``fingerprint`` by this version
    of the ``adblock`` engine (its serialized form is its own, and so may be its parsing)."""
    return f"adblock={metadata.version('adblock')} easylist={fingerprint}"


def engine(list_path: str, fingerprint: str):  # noqa: ANN201 - adblock.Engine, or None
    """The engine of the list at ``list_path`` (whose rules hash to ``fingerprint``): loaded from
    the cache, else built and stored; None when the list cannot be read."""
    key = list_key(fingerprint)
    stored = read("easylist-engine", key) if fingerprint != "none" else None
    if stored is not None:
        with contextlib.suppress(adblock.AdblockException):  # a payload the engine rejects
            loaded = adblock.Engine(adblock.FilterSet())
            loaded.deserialize(stored)
            return loaded
    try:
        with gzip.open(list_path, "rt", encoding="utf-8") as fh:
            rules = fh.read()
    except (OSError, TypeError):
        return None
    filters = adblock.FilterSet()
    filters.add_filter_list(rules)
    built = adblock.Engine(filters)
    if fingerprint != "none":
        with contextlib.suppress(adblock.AdblockException):
            write("easylist-engine", key, built.serialize)  # not serialized where it cannot be kept
    return built
