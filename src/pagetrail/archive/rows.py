"""Catalog rows built from WARC records: the same code for records just written and for records
read back by ``reindex`` and crash repair, so both give identical rows."""

from __future__ import annotations

from collections.abc import Callable

from pagetrail.archive import records
from pagetrail.archive.model import Capture
from pagetrail.archive.reader import Member, split_http, status_of
from pagetrail.archive.timestamps import from_warc_date
from pagetrail.archive.warcfile import Written

_EXTRA_FIELDS = tuple((key, name.lower()) for key, name in (
    ("seed_url", records.SEED_URL_FIELD), ("role", records.ROLE_FIELD), ("attempt", records.ATTEMPT_FIELD),
    ("ip", "WARC-IP-Address"), ("truncated", "WARC-Truncated"), ("profile", "WARC-Profile"),
    ("refers_to_record", "WARC-Refers-To"), ("page_record", records.PAGE_RECORD_FIELD.lower()),
    ("note", records.RENDER_NOTE_FIELD.lower())))
_SEED = records.SEED_FIELD.lower()
_KIND = records.KIND_FIELD.lower()


def capture_from_member(member: Member, filename: str) -> Capture | None:
    """A capture row for a response, revisit or failed-fetch record; None for other records.

    A revisit's ``refers_to`` is left unresolved: ``extra["refers_to_record"]`` holds the WARC
    record id until :func:`finish` is given the capture it refers to.
    """
    kind = member.warc_type
    http = split_http(member.block) if kind in ("response", "revisit") else None
    return _capture(kind, member.get, member.offset, member.length, filename, http, member.block)


def capture_from_record(rec: records.Record, written: Written) -> Capture | None:
    """The row ``capture_from_member`` gives for ``rec`` read back from the file, built from the
    record at hand: its fields as a reader sees them and its HTTP head, without the body."""
    get, http = rec.as_read()
    return _capture(rec.warc_type, get, written.offset, written.length, written.warc_file,
                    http, rec.block)


def _capture(kind: str | None, get: Callable[[str], str | None], offset: int, length: int,
             filename: str, http: tuple[str, list[tuple[str, str]], bytes] | None,
             block: bytes) -> Capture | None:
    """``get`` looks up a WARC field by its lower-case name."""
    extra: dict = {}
    for key, name in _EXTRA_FIELDS:
        value = get(name)
        if value:
            extra[key] = value
    url = get("warc-target-uri") or ""
    ts = from_warc_date(get("warc-date") or "")
    record_id, seed = get("warc-record-id"), get(_SEED)
    if kind in ("response", "revisit"):
        first, headers, _ = http or ("", [], b"")  # a 304 revisit has no HTTP head
        last = {name.lower(): value for name, value in headers}  # the last of repeated ones
        content_type = last.get("content-type")
        mime = content_type.split(";", 1)[0].strip().lower() if content_type else None
        status = status_of(first)
        if status is None and get("warc-profile") == records.PROFILE_NOT_MODIFIED:
            status = 304
        return Capture(0, url, ts, status, kind, mime or None,
                       get("warc-payload-digest"), record_id, filename, offset, length, seed,
                       etag=last.get("etag"), last_modified=last.get("last-modified"),
                       extra=extra)
    if kind in ("conversion", "resource") and extra.get("page_record"):
        # a page's rendering (records.rendering): found by its URI and page record id
        extra.pop("refers_to_record", None)
        mime = (get("content-type") or "").split(";", 1)[0].strip().lower() or None
        return Capture(0, url, ts, None, kind, mime, get("warc-payload-digest"), record_id,
                       filename, offset, length, seed, extra=extra)
    if kind == "metadata" and get(_KIND) == records.KIND_FAILED:
        fields = dict(
            line.split(": ", 1) for line in block.decode("utf-8", "replace").split("\r\n")
            if ": " in line
        )
        return Capture(0, url, ts, None, "failed", None, None, record_id, filename, offset,
                       length, seed, error=fields.get("fetchError", "unknown error"),
                       extra=extra)
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
    # A revisit's WARC-Truncated: length says its payload is left out (it is the original's),
    # not that the body was cut short.
    extra.pop("truncated", None)
    if holder is None:
        if target:
            extra["refers_to_record"] = target  # original not (yet) in the catalog
        return
    capture.refers_to = holder.id
    capture.mime = capture.mime or holder.mime
    if capture.etag is None and capture.last_modified is None:
        capture.etag, capture.last_modified = holder.etag, holder.last_modified
