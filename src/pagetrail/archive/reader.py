"""Reading pagetrail's WARC files member by member, without trusting that they are complete.

Every record is its own gzip member, so a file is read as a sequence of members; the first member
that does not decompress to exactly one whole WARC record ends the readable part (that is where a
killed writer stopped).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 1 << 20


@dataclass
class Member:
    """One gzip member of a WARC file and the record inside it."""

    offset: int
    length: int
    headers: list[tuple[str, str]]  # WARC named fields, in order
    block: bytes
    ok: bool = True  # False: torn or not a WARC record; always the last member yielded
    _by_name: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def get(self, name: str) -> str | None:
        if self._by_name is None:
            # WARC forbids repeated fields, so a dict loses nothing.
            self._by_name = {key.lower(): value for key, value in self.headers}
        return self._by_name.get(name.lower())

    @property
    def warc_type(self) -> str | None:
        return self.get("WARC-Type")


def parse_record(data: bytes) -> tuple[list[tuple[str, str]], bytes] | None:
    """(named fields, block) if ``data`` is exactly one complete WARC record, else None."""
    end = data.find(b"\r\n\r\n")
    if end < 0 or not data.startswith(b"WARC/"):
        return None
    lines = data[:end].decode("utf-8", "replace").split("\r\n")[1:]
    headers = []
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep:
            return None
        headers.append((name.strip(), value.strip()))
    try:
        length = int(next(v for k, v in headers if k.lower() == "content-length"))
    except (StopIteration, ValueError):
        return None
    start = end + 4
    if len(data) != start + length + 4 or data[start + length:] != b"\r\n\r\n":
        return None
    return headers, data[start:start + length]


def _broken(offset: int, length: int = 0) -> Member:
    return Member(offset, length, [], b"", ok=False)


def iter_members(path: Path, start: int = 0, *, resync: bool = False) -> Iterator[Member]:
    """Members from ``start`` on. A member that is not one whole WARC record is yielded with
    ``ok=False``; without ``resync`` it ends the iteration (where a killed writer stopped), with
    ``resync`` reading goes on at the next whole record (the next gzip member that holds one),
    and the broken member's ``length`` is the number of bytes skipped (to the end of the file
    if no whole record follows)."""
    size = path.stat().st_size
    offset = start
    while True:
        broken = None
        for member in _members_from(path, offset):
            if member.ok:
                yield member
                continue
            broken = member
            break
        if broken is None:
            return
        if not resync:
            yield broken
            return
        found = _next_whole(path, broken.offset + 1)
        end = found if found is not None else size
        yield _broken(broken.offset, end - broken.offset)
        if found is None:
            return
        offset = found


def _next_whole(path: Path, start: int) -> int | None:
    """Offset of the first gzip member at or after ``start`` that holds one whole WARC record."""
    with open(path, "rb") as fh:
        pos = start
        while True:
            fh.seek(pos)
            data = fh.read(CHUNK + 2)
            if len(data) < 3:
                return None
            at = data.find(_GZIP_MAGIC)
            if at < 0 or at >= CHUNK:
                pos += min(len(data), CHUNK)
                continue
            candidate = pos + at
            if next(_members_from(path, candidate), _broken(candidate)).ok:
                return candidate
            pos = candidate + 1


_GZIP_MAGIC = b"\x1f\x8b\x08"


def _members_from(path: Path, start: int) -> Iterator[Member]:
    """Members from ``start`` on, ending after the first broken one (yielded with ``ok=False``)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        offset = start
        pending = b""
        while True:
            if not pending:
                pending = fh.read(CHUNK)
                if not pending:
                    return
            inflater = zlib.decompressobj(31)
            parts = []
            fed = 0
            while True:
                try:
                    parts.append(inflater.decompress(pending))
                except zlib.error:
                    yield _broken(offset)
                    return
                fed += len(pending)
                if inflater.eof:
                    pending = inflater.unused_data
                    length = fed - len(pending)
                    break
                pending = fh.read(CHUNK)
                if not pending:
                    yield _broken(offset)
                    return
            parsed = parse_record(b"".join(parts))
            if parsed is None:
                yield _broken(offset)
                return
            yield Member(offset, length, parsed[0], parsed[1])
            offset += length


def read_member(path: Path, offset: int) -> Member:
    """The record at ``offset`` (raises ValueError if it is not a whole record)."""
    for member in iter_members(path, offset):
        if not member.ok:
            break
        return member
    raise ValueError(f"{path}: no whole WARC record at offset {offset}")


def split_http(block: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status or request line, headers, body) of an application/http block."""
    end, size = block.find(b"\r\n\r\n"), 4
    if end < 0 or b"\n\n" in block[:end]:
        # a head with bare LF line ends, stored as the server sent it
        lf = block.find(b"\n\n")
        if lf >= 0 and (end < 0 or lf < end):
            end, size = lf, 2
    if end < 0:
        head, body = block, b""
    else:
        head, body = block[:end], block[end + size:]
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    if text.count("\n") != len(lines) - 1:
        lines = [line.rstrip("\r") for line in text.split("\n")]
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return lines[0], headers, body


def status_of(first_line: str) -> int | None:
    parts = first_line.split(" ", 2)
    if len(parts) >= 2 and parts[1].isdigit():
        return int(parts[1])
    return None
