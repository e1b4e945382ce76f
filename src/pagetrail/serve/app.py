"""The Flask application: the page list, a page's timeline, a comparison, and the exports.

Every screen is rendered on the server by Jinja templates with autoescape on, and works without
any client script (the CSP forbids script anyway): filters and the choice of two captures are plain
GET forms, so every view is a link that can be shared or bookmarked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, abort, render_template, request
from markupsafe import Markup

from pagetrail.archive import pages
from pagetrail.diff.summary import channel_summary, summary_line
from pagetrail.report.common import (
    CHANNEL_TITLES,
    change_label,
    format_timestamp,
    is_web_url,
    neutralise,
    replay_url,
    where,
)
from pagetrail.segment.bounded import use_forkserver
from pagetrail.serve import compare as cmp
from pagetrail.serve import exports, security
from pagetrail.serve.filters import PER_PAGE, Filters
from pagetrail.serve.store import Store

TIMELINE_PER_PAGE = 100


def show_archived_text(value: object) -> object:
    """Every value a template prints: control characters and bidi overrides in archived text are
    made visible (``report.common.neutralise``), so they cannot reorder what the app prints around
    them. A macro's output is already made of such values."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return neutralise(value)
    return value


@dataclass
class ServeConfig:
    store: Store
    replay_base: str | None = None  # pywb's collection URL, "{host}" for the request's host name
    token: str | None = None

    def replay_for(self, request_host: str) -> str | None:
        """The replay base for a request that named ``request_host`` (None when replay is off)."""
        if not self.replay_base or "{host}" not in self.replay_base:
            return self.replay_base
        name = security.host_name(request_host)
        return self.replay_base.replace("{host}", f"[{name}]" if ":" in name else name)


class ServeApp(Flask):
    """Flask with archived text shown as text: every ``{{ value }}`` goes through
    show_archived_text (Jinja's ``finalize``), passed the way Flask documents, as a subclass's
    ``jinja_options``, rather than set on the environment Flask made."""

    jinja_options = {**Flask.jinja_options, "finalize": show_archived_text}


def create_app(config: ServeConfig) -> Flask:
    # Requests segment captures from several threads at once: the segmenter's worker must not
    # be forked from this process (see segment.bounded.use_forkserver).
    use_forkserver()
    app = ServeApp(__name__)
    app.config.update(SERVE=config)
    security.install(app, config.token)
    store = config.store
    comparer = cmp.Comparer(store)

    def replay(timestamp: str, url: str) -> str:
        base = config.replay_for(request.host)
        if not base or not is_web_url(url):
            return ""
        return replay_url(base, timestamp, url)

    # strptime is the slowest step of rendering a list; the same timestamps recur on every view.
    fmt = lru_cache(maxsize=65536)(format_timestamp)
    app.jinja_env.globals.update(
        fmt=fmt, where=where, change_label=change_label, titles=CHANNEL_TITLES,
        channel_summary=channel_summary, summary_line=summary_line, replay=replay,
        sides=cmp.sides, ad_links=cmp.ad_links, comment_meta=cmp.comment_meta,
        replay_on=bool(config.replay_base), channels=pages.CHANNELS,
        short=lambda ts: fmt(ts)[:16] if ts else "")

    @app.get("/")
    def page_list():  # noqa: ANN202
        f = Filters.from_args(request.args)
        rows, kept = store.matching_pages(f)
        kept_rows = f.sort_rows([r for r, _, _ in kept])
        info = {id(r): (n, t) for r, n, t in kept}
        pages_count = max(1, math.ceil(len(kept_rows) / PER_PAGE))
        f.page = min(f.page, pages_count)
        shown = kept_rows[(f.page - 1) * PER_PAGE: f.page * PER_PAGE]
        pages.fill_details(store.db, shown)
        captured = {r.url.rstrip("/") for r in rows}
        waiting = [] if f.active else [s for s in store.seeds if s.url.rstrip("/") not in captured]
        return render_template(
            "pages.html", f=f, rows=[(r, *info[id(r)]) for r in shown], total=len(kept_rows),
            all_pages=len(rows), pages_count=pages_count, tags=store.tags(), waiting=waiting)

    @app.get("/page")
    def timeline():  # noqa: ANN202
        url = request.args.get("url", "")
        try:
            p = max(1, int(request.args.get("p", "1")))
        except ValueError:
            p = 1
        rows, total = pages.timeline(store.db, url, TIMELINE_PER_PAGE, (p - 1) * TIMELINE_PER_PAGE)
        if not total:
            abort(404, description="no captures of this page in the archive")
        seed = store.seed_for(url, None)
        # Preselected: the newest capture (B) against the newest good one before it (A).
        good = [r.id for r in rows if not (r.retried or r.fetch_problem or r.kind == "failed")]
        default_b = rows[0].id if rows else None
        default_a = next((i for i in good if i != default_b), None)
        return render_template(
            "timeline.html", url=url, rows=rows, total=total, p=p, seed=seed,
            pages_count=max(1, math.ceil(total / TIMELINE_PER_PAGE)),
            selected_a=request.args.get("a", type=int), selected_b=request.args.get("b", type=int),
            default_a=default_a, default_b=default_b)

    def _pair() -> tuple:
        b = store.capture(request.args.get("b", type=int) or 0)
        if b is None:
            abort(404, description="no such capture")
        a_id = request.args.get("a", type=int)
        a = store.capture(a_id) if a_id else None
        if a_id and a is None:
            abort(404, description="no such capture")
        if a is not None:
            if a.url != b.url:
                abort(400, description="the two captures are of different pages")
            if a.id == b.id:
                abort(400, description="choose two different captures")
            if a.timestamp > b.timestamp:
                a, b = b, a
        return a, b

    @app.get("/compare")
    def compare():  # noqa: ANN202
        a, b = _pair()
        found = comparer.compare(a, b)
        # Stepping through a page's changes one capture at a time.
        steps = pages.neighbours(store.db, b.url, b.timestamp) if a is None else (None, None)
        return render_template("compare.html", c=found, pd=found.diff, url=b.url, steps=steps,
                               shots=exports.screenshot_pairs(store, found.before, found.after))

    @app.get("/thread")
    def thread():  # noqa: ANN202
        capture = store.capture(request.args.get("id", type=int) or 0)
        if capture is None or capture.kind not in ("response", "revisit"):
            abort(404, description="no such capture with a page to read")
        try:
            comments = comparer.thread(capture)
        except Exception as exc:  # noqa: BLE001 - an unreadable capture is a message, not a crash
            abort(404, description=f"the capture could not be read: {exc}")
        changed = {}
        summary = store.summary(capture.id) or {}
        for change in ((summary.get("channels") or {}).get("comments") or {}).get("changes", []):
            cid = (change.get("detail") or {}).get("id")
            if cid:
                changed[cid] = change.get("op")
        return render_template("thread.html", capture=capture, url=capture.url,
                               comments=comments, changed=changed)

    @app.get("/compare.json")
    def compare_json():  # noqa: ANN202
        a, b = _pair()
        return exports.diff_json(comparer.compare(a, b).diff, config.replay_for(request.host))

    exports.install(app, config)

    @app.get("/favicon.ico")
    def favicon():  # noqa: ANN202
        return "", 204

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(500)
    def error(exc):  # noqa: ANN001, ANN202
        code = getattr(exc, "code", 500)
        message = exc.description if code != 500 else (
            "this view failed; the archive is unchanged (see the command's output for the error)")
        return render_template("error.html", code=code, message=message), code

    return app
