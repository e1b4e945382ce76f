"""The catalog's 17-digit timestamps and the WARC-Date they are written as."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pagetrail.archive.naming import timestamp17


def parse17(ts: str) -> datetime:
    ts = (ts + "0" * 17)[:17]
    base = datetime.strptime(ts[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return base + timedelta(milliseconds=int(ts[14:17]))


def bump(ts: str) -> str:
    """The next millisecond: two captures of one URL never share a timestamp."""
    return timestamp17(parse17(ts) + timedelta(milliseconds=1))


def warc_date(ts: str) -> str:
    """WARC/1.1 date with milliseconds, e.g. ``2026-11-26T01:16:31.123Z``."""
    return f"{ts[0:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}.{ts[14:17]}Z"


def from_warc_date(value: str) -> str:
    """WARC-Date (with or without fraction) to 17 digits."""
    value = value.strip().rstrip("Z")
    whole, _, frac = value.partition(".")
    if len(whole) == 19 and whole[4] == whole[7] == "-" and whole[13] == whole[16] == ":" \
            and not whole[10].isdigit():  # the usual YYYY-MM-DDThh:mm:ss, without a loop
        digits = whole[0:4] + whole[5:7] + whole[8:10] + whole[11:13] + whole[14:16] + whole[17:19]
        if digits.isdigit() and digits.isascii():
            return digits + (frac + "000")[:3]
    digits = "".join(ch for ch in whole if ch.isdigit())[:14].ljust(14, "0")
    return digits + (frac + "000")[:3]


def now17() -> str:
    return timestamp17(datetime.now(UTC))
