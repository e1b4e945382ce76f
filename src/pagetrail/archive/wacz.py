"""WACZ export: WARC files, their CDXJ index, a pages list and a signed-by-hash datapackage.

Layout (WACZ 1.1.1): ``archive/*.warc.gz`` (stored, not deflated, so replay tools can seek),
``indexes/index.cdx`` (CDXJ lines), ``pages/pages.jsonl``, ``datapackage.json`` listing every file
with its sha256 and size, and ``datapackage-digest.json`` holding the datapackage's own hash.
Exporting some URLs copies just their records (and the originals their revisits point at) into one
new WARC file, byte for byte, behind a fresh warcinfo record.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from pagetrail.archive import cdxj, records
from pagetrail.archive.model import Capture
from pagetrail.archive.naming import SUFFIX, timestamp17
from pagetrail.archive.reader import iter_members
from pagetrail.archive.reading import CaptureReader
from pagetrail.archive.timestamps import now17, warc_date
from pagetrail.errors import ArchiveError

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_COPY = 1 << 20


def _zip_info(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, time.gmtime()[:6])
    info.compress_type = zipfile.ZIP_STORED
    return info


def _add(zf: zipfile.ZipFile, arcname: str, source: Path | bytes) -> dict:
    """Store one entry; returns its datapackage resource."""
    sha, size = hashlib.sha256(), 0
    with zf.open(_zip_info(arcname), "w", force_zip64=True) as out:
        if isinstance(source, bytes):
            out.write(source)
            sha.update(source)
            size = len(source)
        else:
            with open(source, "rb") as fh:
                while chunk := fh.read(_COPY):
                    out.write(chunk)
                    sha.update(chunk)
                    size += len(chunk)
    return {"name": os.path.basename(arcname).lower(), "path": arcname,
            "hash": "sha256:" + sha.hexdigest(), "bytes": size}


def _title(archive: CaptureReader, capture: Capture) -> str | None:
    if capture.mime not in ("text/html", "application/xhtml+xml"):
        return None
    try:
        _, body = archive.read_payload(capture)
    except ArchiveError:
        return None
    match = _TITLE.search(body[:200_000])
    if not match:
        return None
    text = html.unescape(match.group(1).decode("utf-8", "replace"))
    return " ".join(text.split()) or None


# Scrapy's RETRY_HTTP_CODES: an answer with one of these is retried at once, so when another
# attempt of the same seed follows within RETRY_WINDOW seconds it was not the crawl's final word.
RETRIED = frozenset({500, 502, 503, 504, 522, 524, 408, 429})
RETRY_WINDOW = 120


def seed_pages(captures: list[Capture]) -> list[Capture]:
    """The page each crawl of a seed ended on: its final response after redirects (role
    ``page``, so neither a redirect hop nor a requisite nor robots.txt), not an attempt that was
    retried. Revisits count: replay serves them as the page."""
    by_seed: dict[tuple[str, str], list[Capture]] = {}
    for capture in captures:
        if capture.extra.get("role", "page") == "page":
            key = (capture.seed or "", capture.extra.get("seed_url") or capture.url)
            by_seed.setdefault(key, []).append(capture)
    out = []
    for attempts in by_seed.values():
        attempts.sort(key=lambda c: (c.timestamp, c.id))
        for capture, after in zip(attempts, [*attempts[1:], None], strict=True):
            if capture.kind not in ("response", "revisit"):
                continue
            if after is not None and (_attempt(after) > _attempt(capture) or (
                    capture.status in RETRIED
                    and _seconds(after.timestamp) - _seconds(capture.timestamp) <= RETRY_WINDOW)):
                continue  # retried: the next attempt is the crawl's answer
            out.append(capture)
    return sorted(out, key=lambda c: (c.timestamp, c.id))


def _attempt(capture: Capture) -> int:
    """Scrapy's retry of the same request (``Pagetrail-Attempt``), 1 for a first try."""
    try:
        return int(capture.extra.get("attempt", 1))
    except (TypeError, ValueError):
        return 1


def _seconds(ts17: str) -> float:
    return datetime.strptime(ts17[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp()


def _pages(archive: CaptureReader, captures: list[Capture]) -> bytes:
    lines = [json.dumps(PAGES_HEADER)]
    titles: dict[int, str | None] = {}  # by the capture holding the body: revisits share it
    for capture in seed_pages(captures):
        page = {"id": uuid.uuid4().hex, "url": capture.url, "ts": warc_date(capture.timestamp)}
        holder = capture.refers_to if capture.kind == "revisit" and capture.refers_to else capture.id
        if holder not in titles:
            titles[holder] = _title(archive, capture)
        title = titles[holder]
        if title:
            page["title"] = title
        lines.append(json.dumps(page))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _copy_records(archive: CaptureReader, software: str, captures: list[Capture],
                  out: Path) -> None:
    """One WARC file holding the given captures' records (and their originals), bytes unchanged."""
    wanted: dict[int, Capture] = {c.id: c for c in captures}
    for capture in captures:
        if capture.refers_to is not None and capture.refers_to not in wanted:
            wanted[capture.refers_to] = archive.get(capture.refers_to)
    info = records.warcinfo(out.name, now17(), {
        "software": software, "format": "WARC File Format 1.1",
        "conformsTo": records.CONFORMS_TO, "description": "pagetrail export",
    })
    with open(out, "wb") as dst:
        dst.write(info.to_gzip())
        for capture in sorted(wanted.values(), key=lambda c: (c.timestamp, c.id)):
            if not capture.warc_file or capture.offset is None or capture.length is None:
                continue
            path = archive.root / capture.warc_file
            spans = [(capture.offset, capture.length)]
            request = _request_after(path, capture)
            if request:
                spans.append(request)
            with open(path, "rb") as src:
                for offset, length in spans:
                    src.seek(offset)
                    dst.write(src.read(length))


def _request_after(path: Path, capture: Capture) -> tuple[int, int] | None:
    """(offset, length) of the capture's request record, written right after it."""
    assert capture.offset is not None and capture.length is not None
    for member in iter_members(path, capture.offset + capture.length):
        if member.ok and member.get("WARC-Concurrent-To") == capture.record_id:
            return member.offset, member.length
        break
    return None


def _of_urls(archive: CaptureReader, root: Path, urls: list[str]) -> list[Capture]:
    """The captures of ``urls`` and, for a seed URL, of its crawls: the redirect hops and the
    final page at another URL (captures whose seed URL it is)."""
    found: dict[int, Capture] = {}
    for url in urls:
        own = archive.captures(url)
        if not own:
            raise ArchiveError(f"{url}: no capture of this URL in {root}")
        found.update((c.id, c) for c in own)
        for seed in {c.seed for c in own if c.seed}:
            found.update((c.id, c) for c in archive.captures(seed=seed)
                         if c.extra.get("seed_url") == url)
    return sorted(found.values(), key=lambda c: (c.timestamp, c.id))


def _write_index(root: Path, warcs: list[Path], out: Path, from_archive_index: bool) -> None:
    """The CDXJ lines of ``warcs``: filtered from the archive's own sorted index when all its files
    go in (streamed: no need to hold it), else read from the (small) exported file."""
    names = {p.name for p in warcs}
    with open(out, "w", encoding="utf-8") as fh:
        if from_archive_index and cdxj.runs(root):
            for text in cdxj.iter_index(root):
                fields = text.split(" ", 2)
                if len(fields) == 3 and json.loads(fields[2]).get("filename") in names:
                    fh.write(text + "\n")
            return
        lines = [cdxj.line_for_member(m, p.name) for p in warcs for m in iter_members(p) if m.ok]
        fh.writelines(text + "\n" for text in sorted(t for t in lines if t))


def export(archive: CaptureReader, root: Path, software: str, out: Path,
           urls: list[str] | None) -> Path:
    if urls is None:
        warcs = sorted(p for p in root.glob("*" + SUFFIX) if p.is_file())
        names = {p.name for p in warcs}
        # A file still being written (.open) is not exported, nor are its captures listed.
        captures = [c for c in archive.captures() if c.warc_file in names]
    else:
        captures = _of_urls(archive, root, urls)
        warcs = []
    if not captures:
        raise ArchiveError(f"{root}: the archive holds no captures to export")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".wacz-") as tmp:
        if urls is not None:
            name = f"export-{timestamp17(datetime.now(UTC))}{SUFFIX}"
            _copy_records(archive, software, captures, Path(tmp) / name)
            warcs = [Path(tmp) / name]
        index = Path(tmp) / "index.cdx"
        _write_index(root, warcs, index, from_archive_index=urls is None)
        partial = Path(tmp) / "out.wacz"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            resources = [_add(zf, f"archive/{p.name}", p) for p in warcs]
            resources.append(_add(zf, "indexes/index.cdx", index))
            resources.append(_add(zf, "pages/pages.jsonl", _pages(archive, captures)))
            package = {
                "profile": "data-package",
                "resources": resources,
                "title": f"pagetrail export of {root.name}",
                "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "wacz_version": WACZ_VERSION,
                "software": software,
            }
            package_bytes = json.dumps(package, indent=2).encode("utf-8")
            with zf.open(_zip_info("datapackage.json"), "w") as fh:
                fh.write(package_bytes)
            digest = {"path": "datapackage.json",
                      "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
            with zf.open(_zip_info("datapackage-digest.json"), "w") as fh:
                fh.write(json.dumps(digest, indent=2).encode("utf-8"))
        shutil.move(partial, out)
    return out
