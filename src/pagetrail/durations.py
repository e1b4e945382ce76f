"""Durations as people write them in seed files and options: ``90s``, ``15m``, ``6h``, ``1h30m``."""

from __future__ import annotations

import re

_INTERVAL_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """Parse ``"90s"``, ``"6h"``, ``"1h30m"``, ``"1.5d"`` or a bare number of seconds."""
    text = str(text).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    pos, total = 0, 0.0
    compact = text.replace(" ", "")
    for m in _INTERVAL_PART.finditer(compact):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        pos = m.end()
    if pos != len(compact) or not compact:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 15m, 6h, 1d, 1h30m)")
    return total


def format_duration(seconds: float) -> str:
    """The short form of a number of seconds: ``6h``, ``1h30m``, ``45s``, ``1d12h``, ``250ms``."""
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    out = []
    rest = seconds
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        count = int(rest // size)
        if count:
            out.append(f"{count}{unit}")
            rest -= count * size
    if rest or not out:
        out.append(f"{round(rest, 3):g}s")
    return "".join(out)
