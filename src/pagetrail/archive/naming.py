"""WARC file names: ``PREFIX-TIMESTAMP17-SERIAL-HOST.warc.gz`` (WARC 1.1 Annex C style).

SERIAL is a 5-digit per-writer counter followed by a 6-hex-digit tag chosen at random for each
writer (``00001a3f9c2``), so two processes that start a file in the same millisecond still get
different names; the file is also created exclusively, so a clash can never overwrite.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from datetime import UTC, datetime
from pathlib import Path

SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".warc.gz.open"

_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")


def names(folder: Path, prefix: str = "", suffix: str = "") -> list[str]:
    """Sorted names of the folder's entries that start with ``prefix`` and end with ``suffix``:
    one ``scandir`` and plain string tests (``glob`` matches each of thousands of names against a
    pattern, and the archive folder is listed on every open)."""
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries
                          if e.name.startswith(prefix) and e.name.endswith(suffix))
    except FileNotFoundError:
        return []


def safe_part(text: str) -> str:
    """A name part without dashes or path characters (dashes separate the name's fields)."""
    return _UNSAFE.sub("_", text).strip("_.") or "x"


HOSTNAME_ENV = "PAGETRAIL_HOSTNAME"


def default_hostname() -> str:
    """The host part of new WARC file names: ``$PAGETRAIL_HOSTNAME``, else the machine's name.
    With a shared catalog a host repairs and closes only its own files, so machines (or
    containers, whose names change when they restart) sharing a folder each need a stable name
    of their own; setting another host's name takes over its leftover files."""
    return safe_part(os.environ.get(HOSTNAME_ENV) or socket.gethostname().split(".")[0])


def new_writer_tag() -> str:
    return secrets.token_hex(3)


def timestamp17(when: datetime) -> str:
    """``YYYYMMDDhhmmssSSS`` in UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    w = when.astimezone(UTC)
    return (f"{w.year:04d}{w.month:02d}{w.day:02d}{w.hour:02d}{w.minute:02d}{w.second:02d}"
            f"{w.microsecond // 1000:03d}")


def file_name(prefix: str, when: datetime, serial: int, tag: str, host: str) -> str:
    return f"{safe_part(prefix)}-{timestamp17(when)}-{serial % 100000:05d}{tag}-{safe_part(host)}{SUFFIX}"
