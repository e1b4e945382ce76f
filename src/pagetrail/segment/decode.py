"""Step 1: bytes -> text. BOM, then the HTTP charset, then the page's own <meta> charset, and a
check that the label is true (mislabelled pages are common: cp1252 bytes sent as UTF-8, UTF-8
bytes labelled ISO-8859-1). Empty bodies decode to "" (the pipeline turns that into an empty
Snapshot with a warning); binary bodies raise :class:`SegmentError`."""

from __future__ import annotations

import codecs
import re

from pagetrail.errors import PagetrailError

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# File signatures of common non-text payloads that get archived next to pages.
BINARY_MAGIC = (
    b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"BM",
    b"RIFF", b"\x00\x00\x01\x00", b"OggS", b"fLaC", b"ID3", b"\x7fELF", b"wOF",
)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
# Labels that browsers treat as windows-1252 (WHATWG encoding standard).
LATIN1_LABELS = {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii", "cp1252",
                 "windows-1252", "l1", "iso_8859-1"}


class SegmentError(PagetrailError):
    """The body cannot be segmented (not text). ``str(err)`` is one line."""


class SegmentTooLarge(SegmentError):
    """The page is over a segmentation bound (elements, time): a capture with this note, never
    a change. ``str(err)`` is one line starting "too large to segment"."""


def _lookup(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in LATIN1_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)


def looks_binary(data: bytes) -> bool:
    head = data[:2048]
    if head.startswith(BINARY_MAGIC):
        return True
    if b"\x00" in head:
        return True
    # Control bytes other than tab, newline, vertical tab, form feed and CR, counted in C.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return len(head) > 0 and controls / len(head) > 0.1


def _has_multibyte_utf8(data: bytes) -> bool:
    return re.search(rb"[\xc2-\xf4][\x80-\xbf]", data) is not None


def _guess(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return best.encoding if best else "cp1252"


def _wide(data: bytes, declared: str) -> tuple[str, str] | None:
    """A body labelled UTF-16/32 by HTTP and sent without a BOM, decoded when it reads as text
    in one byte order (the order a bare "utf-16" label leaves open is told by where the zero
    bytes of ASCII characters fall)."""
    unit = 4 if declared.startswith("utf-32") else 2
    head = data[:2048 - 2048 % unit]
    if declared in ("utf-16", "utf-32"):
        big = head[0::unit].count(0) > head[unit - 1::unit].count(0)
        declared = f"{declared}-{'be' if big else 'le'}"
    text = data[: len(data) - len(data) % unit].decode(declared, errors="replace")
    sample = text[:1024]
    if not sample or "<" not in sample or sample.count("\ufffd") > len(sample) // 20:
        return None
    if sum(ch.isprintable() or ch.isspace() for ch in sample) < 0.9 * len(sample):
        return None
    return text, declared


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page. Returns ``(text, charset)``; raises SegmentError on binary bodies."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace"), name
    if not data or data.isspace():  # data.strip() would copy the whole body to say the same
        return "", "utf-8"
    declared = None
    if content_type:
        m = HEADER_CHARSET.search(content_type)
        declared = _lookup(m.group(1)) if m else None
    if declared and declared.startswith(("utf-16", "utf-32")):
        # UTF-16 without a BOM is full of NUL bytes: the HTTP label decides, not looks_binary
        wide = _wide(data, declared)
        if wide is not None:
            return wide
    if looks_binary(data):
        raise SegmentError(f"body is binary, not HTML ({len(data)} bytes, starts {data[:8]!r})")
    if declared is None:
        m = META_CHARSET.search(data[:16384])
        declared = _lookup(m.group(1).decode("ascii", "replace")) if m else None
    if declared and declared.startswith("utf-16"):
        declared = None  # a <meta> readable as ASCII cannot be UTF-16: the label is wrong
    candidates: list[str] = []
    if declared == "cp1252" and _has_multibyte_utf8(data):
        # UTF-8 bytes labelled Latin-1: valid multi-byte UTF-8 is almost never accidental.
        candidates.append("utf-8")
    if declared:
        candidates.append(declared)
    if "utf-8" not in candidates:
        candidates.append("utf-8")
    for name in candidates:
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    if declared == "utf-8" or declared is None:
        # Mostly-valid UTF-8 with a few stray bytes is a broken page, not another charset.
        text = data.decode("utf-8", errors="replace")
        # characters past ASCII other than the replacement character, counted in C
        good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
        if good >= 10 * text.count("\ufffd"):
            return text, "utf-8"
    name = _guess(data)
    return data.decode(name, errors="replace"), name


def utf8_of(text: str, data: bytes, charset: str) -> bytes | None:
    """``data`` when it is exactly ``text`` in UTF-8, else None: what :func:`decode` gave for
    ``data`` with ``charset`` "utf-8" and no BOM is ``data`` decoded, strictly or with no error
    to replace (every byte it could not read would be a U+FFFD in ``text``). The parser reads
    UTF-8, and the page's own bytes spare encoding the text again."""
    if charset == "utf-8" and not data.startswith(codecs.BOM_UTF8) and "\ufffd" not in text:
        return data
    return None
