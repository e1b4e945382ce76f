"""Feeds and exports from the UI: the Atom feed of a page or of a filtered page list, the JSON
report of a page or of a comparison, and a WACZ of a page. Each is made by the report and archive
code the commands use (``report.atom``, ``report.jsonreport``, ``archive.wacz``); the WACZ goes to a
temporary file outside the archive and is deleted once sent."""

from __future__ import annotations

import json
import re
import tempfile
import threading
from pathlib import Path

from flask import Flask, Response, abort, request, send_file

from pagetrail.archive import Archive, Capture, pages
from pagetrail.archive.rendered import find_rendering
from pagetrail.changes import pagediff_from_summary
from pagetrail.diff.model import PageDiff
from pagetrail.errors import ArchiveError
from pagetrail.report import ReportDoc, ReportOptions, render
from pagetrail.report.common import DEFAULT_REPLAY_BASE
from pagetrail.serve.filters import Filters
from pagetrail.serve.store import Store

FEED_ENTRIES = 100
_wacz_lock = threading.Lock()  # one export at a time: each reads whole WARC records


def _options(replay_base: str | None) -> ReportOptions:
    return ReportOptions(replay_base=replay_base or DEFAULT_REPLAY_BASE)


def diff_json(pd: PageDiff, replay_base: str | None) -> Response:
    doc = ReportDoc(mode="diff", title=f"Changes to {pd.url}", items=[pd], url=pd.url,
                    options=_options(replay_base))
    return Response(render("json", doc), mimetype="application/json")


def _slug(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", url.split("://", 1)[-1]).strip("-")[:80] or "page"


SCREENSHOT_PREFIX = "urn:fullPage:"


def screenshots(store: Store, capture: Capture) -> list[int]:
    """Ids of the screenshot records of a capture (a rendered capture has one; see
    ``pagetrail.archive.rendered``)."""
    shot = find_rendering(store.archive, capture).screenshot
    return [shot.id] if shot is not None else []


def screenshot_pairs(store: Store, before: Capture | None, after: Capture) -> dict[str, list[int]]:
    """{"before": ids, "after": ids}, or {} when neither capture has a screenshot."""
    found = {"before": screenshots(store, before) if before else [],
             "after": screenshots(store, after)}
    return found if any(found.values()) else {}


def install(app: Flask, config) -> None:  # noqa: ANN001 - ServeConfig
    store: Store = config.store

    @app.get("/feed.atom")
    def feed():  # noqa: ANN202
        url = request.args.get("url")
        if url:
            title, urls = f"pagetrail: changes to {url}", [url]
            since = until = channel = None
        else:
            f = Filters.from_args(request.args)
            since, until = f.bounds()
            urls = [row.url for row, _, _ in store.matching_pages(f)[1]]
            if not f.active:
                urls = None
            channel = f.channel if f.channel in pages.CHANNELS else None
            title = "pagetrail: changes" + (f" ({f.query(page=1)})" if f.active else " to all pages")
        summaries = pages.change_summaries(store.db, urls, since, until, channel, FEED_ENTRIES)
        doc = ReportDoc(mode="report", title=title, url=url,
                        items=[pagediff_from_summary(s) for s in summaries],
                        options=_options(config.replay_for(request.host)))
        return Response(render("atom", doc), mimetype="application/atom+xml")

    @app.get("/report.json")
    def history_json():  # noqa: ANN202
        url = request.args.get("url", "")
        summaries = pages.page_summaries(store.db, url)
        if not summaries:
            abort(404, description="no summarised captures of this page")
        doc = ReportDoc(mode="history", title=f"History of {url}", url=url,
                        items=[pagediff_from_summary(s) for s in summaries],
                        options=_options(config.replay_for(request.host)))
        response = Response(render("json", doc), mimetype="application/json")
        response.headers["Content-Disposition"] = f'attachment; filename="{_slug(url)}.json"'
        return response

    @app.get("/export.wacz")
    def wacz():  # noqa: ANN202
        url = request.args.get("url", "")
        if not pages.timeline(store.db, url, 1)[1]:
            abort(404, description="no captures of this page in the archive")
        tmp = tempfile.TemporaryDirectory(prefix="pagetrail-wacz-")
        out = Path(tmp.name) / f"{_slug(url)}.wacz"
        try:
            # Its own Archive (its own catalog connection): the export walks the catalog at length
            # while other requests read through the shared one.
            with _wacz_lock, Archive(store.root, catalog=store.archive.catalog_url) as archive:
                archive.export_wacz(out, urls=[url])
        except ArchiveError as exc:
            tmp.cleanup()
            abort(404, description=str(exc))
        response = send_file(out, mimetype="application/wacz+zip", as_attachment=True,
                             download_name=out.name)
        response.call_on_close(tmp.cleanup)
        return response

    @app.get("/screenshot/<int:capture_id>.png")
    def screenshot(capture_id: int):  # noqa: ANN202
        shot = store.capture(capture_id)
        if (shot is None or shot.kind != "resource" or not shot.url.startswith(SCREENSHOT_PREFIX)
                or shot.mime != "image/png"):
            abort(404, description="no such screenshot")
        try:
            block = store.archive.read_payload(shot)[1]
        except ArchiveError:
            abort(404, description="the screenshot record cannot be read")
        if not block.startswith(b"\x89PNG"):
            abort(404, description="the screenshot record is not a PNG image")
        response = Response(block, mimetype="image/png")
        response.headers["Cache-Control"] = "private, max-age=86400"
        return response

    @app.get("/capture/<int:capture_id>.json")
    def capture_json(capture_id: int):  # noqa: ANN202
        summary = store.summary(capture_id)
        if summary is None:
            abort(404, description="no stored summary for this capture")
        return Response(json.dumps(summary, indent=2, ensure_ascii=False),
                        mimetype="application/json")
