"""Bounds on seed fields that a wrong or hostile seed file could push past what the scheduler,
the crawler and the file system can take, checked by :func:`pagetrail.seeds.build_seed`.

Each check raises ValueError with the one-line reason; seeds.py adds the file, line and field.
Before them, ``jitter = "9999999999d"`` killed APScheduler's thread (every seed stopped, the daemon
stayed up), ``schedule = "99999999999d"`` crashed the daemon, ``schedule = "1ms"`` burnt a core and
``http://[::1/x`` raised a traceback.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pagetrail.durations import format_duration

#: Shortest interval between two captures of a seed (each run starts a crawl process).
MIN_INTERVAL = 1.0
#: Longest interval: a year and a day (APScheduler's date arithmetic overflows far beyond).
MAX_INTERVAL = 366 * 86400.0
#: Most jitter: a day, and never more than the seed's interval.
MAX_JITTER = 86400.0
#: Longest per-seed download delay and timeout.
MAX_DELAY = 3600.0
MAX_TIMEOUT = 3600.0
#: Bounds of a seed's ``max_size`` (bytes of body, as received and decompressed).
MIN_SIZE = 1024
MAX_SIZE = 1024**3
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?")
_SIZE_UNITS = {None: 1, "b": 1, "kb": 1024, "kib": 1024, "mb": 1024**2, "mib": 1024**2,
               "gb": 1024**3, "gib": 1024**3}

#: Longest seed URL (servers commonly refuse request lines past 8 KB; article URLs are far shorter).
MAX_URL_LENGTH = 4096

_UNSAFE_URL = re.compile(r"[\x00-\x20\x7f]")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?)*\.?")


def check_url(url: str) -> str:
    """The seed URL if it can be fetched as written: http(s), a host, a valid port, no spaces or
    control characters, at most MAX_URL_LENGTH characters."""
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"is {len(url):,} characters long (at most {MAX_URL_LENGTH:,})")
    if _UNSAFE_URL.search(url):
        raise ValueError("contains a space or a control character (percent-encode it, e.g. %20)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        raise ValueError(f"is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"scheme must be http or https, got {parts.scheme or 'none'!r}")
    host = parts.hostname
    if not host:
        raise ValueError("has no host")
    if port == 0:
        raise ValueError("port 0 cannot be fetched")
    if ":" not in host:  # not an IPv6 literal (urlsplit checked the brackets)
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"host {host!r} is not a valid host name") from None
        if not _HOST.fullmatch(ascii_host) or len(ascii_host) > 253:
            raise ValueError(f"host {host!r} is not a valid host name")
    return url


def check_interval(seconds: float, text: str) -> float:
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(f"interval {text!r} is out of range: from {format_duration(MIN_INTERVAL)} "
                         f"to {format_duration(MAX_INTERVAL)}")
    return seconds


def check_jitter(seconds: float, interval: float | None) -> float:
    bound = min(MAX_JITTER, interval) if interval else MAX_JITTER
    if seconds > bound:
        raise ValueError(f"{format_duration(seconds)} is more than "
                         f"{'the interval' if bound == interval else 'a day'} "
                         f"({format_duration(bound)}): at most {format_duration(bound)}")
    return seconds


def check_bounded(field: str, seconds: float | None, bound: float) -> None:
    if seconds is not None and seconds > bound:
        raise ValueError(f"{format_duration(seconds)} is more than {format_duration(bound)}")


def parse_size(value: object) -> int:
    """Bytes from ``2000000``, ``"512KB"``, ``"50MB"``, ``"1GB"`` (binary units: 1 KB = 1024
    bytes), between MIN_SIZE and MAX_SIZE."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"must be a size such as \"50MB\", got {value!r}"[:200])
    match = _SIZE.fullmatch(str(value).strip().lower())
    if not match:
        raise ValueError(f"not a size: {str(value)[:40]!r} (use e.g. 512KB, 50MB, 1GB)")
    size = int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"{str(value)[:40]!r} is out of range: from 1KB to 1GB")
    return size


def check_string(value: object, what: str = "a string") -> None:
    """One line of text: a string without line breaks or other control characters."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be {what}, got {value!r}"[:200])
    if re.search(r"[\x00-\x1f\x7f]", value):
        raise ValueError("must be one line, without control characters")
