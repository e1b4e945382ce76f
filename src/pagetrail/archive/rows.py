"""Catalog rows built from WARC records: the same code for records just written and for records
read back by ``reindex`` and crash repair, so both give identical rows."""

from __future__ import annotations

from collections.abc import Callable

from pagetrail.archive import records
from pagetrail.archive.model import Capture
from pagetrail.archive.reader import Member, split_http, status_of
from pagetrail.archive.timestamps import from_warc_date


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    name = name.lower()
    return next((v for k, v in reversed(headers) if k.lower() == name), None)


def capture_from_member(member: Member, filename: str) -> Capture | None:
    """A capture row for a response, revisit or failed-fetch record; None for other records.

    A revisit's ``refers_to`` is left unresolved: ``extra["refers_to_record"]`` holds the WARC
    record id until :func:`resolve` maps it to a catalog id.
    """
    kind = member.warc_type
    ts = from_warc_date(member.get("WARC-Date") or "")
    url = member.get("WARC-Target-URI") or ""
    extra: dict = {}
    for key, field in (("seed_url", records.SEED_URL_FIELD), ("role", records.ROLE_FIELD),
                       ("ip", "WARC-IP-Address"), ("truncated", "WARC-Truncated"),
                       ("profile", "WARC-Profile"), ("refers_to_record", "WARC-Refers-To")):
        value = member.get(field)
        if value:
            extra[key] = value
    base = dict(id=0, url=url, timestamp=ts, record_id=member.get("WARC-Record-ID"),
                warc_file=filename, offset=member.offset, length=member.length,
                seed=member.get(records.SEED_FIELD), extra=extra)
    if kind in ("response", "revisit"):
        first, headers, _ = split_http(member.block)
        content_type = _header(headers, "content-type")
        mime = content_type.split(";", 1)[0].strip().lower() if content_type else None
        return Capture(
            status=status_of(first), kind=kind, mime=mime or None,
            digest=member.get("WARC-Payload-Digest"), etag=_header(headers, "etag"),
            last_modified=_header(headers, "last-modified"), **base,
        )
    if kind == "metadata" and member.get(records.KIND_FIELD) == records.KIND_FAILED:
        fields = dict(
            line.split(": ", 1) for line in member.block.decode("utf-8", "replace").split("\r\n")
            if ": " in line
        )
        return Capture(status=None, kind="failed", mime=None, digest=None,
                       error=fields.get("fetchError", "unknown error"), **base)
    return None


def attach_request(capture: Capture, member: Member) -> None:
    capture.extra["request_offset"] = member.offset
    capture.extra["request_length"] = member.length


def resolve(capture: Capture, by_record_id: Callable[[str], Capture | None]) -> None:
    """Point a revisit at the capture that holds the body, and inherit what its headers lack."""
    if capture.kind != "revisit":
        return
    target_id = capture.extra.get("refers_to_record")
    target = by_record_id(target_id) if target_id else None
    seen: set[str] = set()
    while target is not None and target.kind == "revisit" and target.record_id not in seen:
        seen.add(target.record_id or "")
        next_id = target.extra.get("refers_to_record")
        target = by_record_id(next_id) if next_id else None
    if target is None:
        return
    capture.refers_to = target.id
    capture.mime = capture.mime or target.mime
    if capture.etag is None and capture.last_modified is None:
        capture.etag, capture.last_modified = target.etag, target.last_modified

