"""Catalog rows built from WARC records: the same code for records just written and for records
read back by ``reindex`` and crash repair, so both give identical rows."""

from __future__ import annotations

from pagetrail.archive import records
from pagetrail.archive.model import Capture
from pagetrail.archive.reader import Member, split_http, status_of
from pagetrail.archive.timestamps import from_warc_date


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    name = name.lower()
    return next((v for k, v in reversed(headers) if k.lower() == name), None)


def capture_from_member(member: Member, filename: str,
                        http_head: bytes | None = None) -> Capture | None:
    """A capture row for a response, revisit or failed-fetch record; None for other records.

    A revisit's ``refers_to`` is left unresolved: ``extra["refers_to_record"]`` holds the WARC
    record id until :func:`finish` is given the capture it refers to. ``http_head``: the HTTP
    head at the start of the block, when the writer has it at hand (the body is not needed).
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
        first, headers, _ = split_http(member.block if http_head is None else http_head)
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


def refers_to_record(capture: Capture) -> str | None:
    return capture.extra.get("refers_to_record")


def finish(capture: Capture, holder: Capture | None) -> None:
    """Point a revisit at ``holder`` (the capture with the body) and drop what the row need not
    repeat: the catalog stays small (every unchanged refetch adds a row), and the WARC record
    still holds everything."""
    extra = capture.extra
    target = extra.pop("refers_to_record", None)
    extra.pop("profile", None)  # a revisit with status 304 is server-not-modified, else identical
    extra.pop("ip", None)
    if extra.get("role") == "page":
        del extra["role"]
    if extra.get("seed_url") == capture.url:
        del extra["seed_url"]
    if capture.kind != "revisit":
        return
    if holder is None:
        if target:
            extra["refers_to_record"] = target  # original not (yet) in the catalog
        return
    capture.refers_to = holder.id
    capture.mime = capture.mime or holder.mime
    if capture.etag is None and capture.last_modified is None:
        capture.etag, capture.last_modified = holder.etag, holder.last_modified
