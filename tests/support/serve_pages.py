"""Archives for the web app's tests: the example page's versions, and a hostile page whose archived
text and links carry script, event-handler attributes, ``javascript:`` URLs and bidi overrides.

``build_archive`` records captures and runs the change pipeline on them as a crawl would, without
Scrapy (fast, for the view tests); the browser test makes its archive with real crawls instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pagetrail.archive import Archive, Exchange, FailedFetch
from pagetrail.changes import process_captures
from pagetrail.example import render

MARK = "document.documentElement.setAttribute('data-pwned','1');window.__pwned=1"
RLO = "\u202e"
T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def hostile_after() -> bytes:
    """Version 3 of the example page with hostile text in each channel (escaped in the page's
    HTML, so the archived text itself holds the markup) and a ``javascript:`` ad link."""
    html = render(3).decode("utf-8")
    html = html.replace(
        "<b class=\"fn\">Karen M</b>",
        f"<b class=\"fn\">&lt;img src=x onerror=\"{MARK}\"&gt;Karen {RLO}gnp.exe</b>")
    html = html.replace(
        "My RE put me on heparin",
        f"&lt;script&gt;{MARK}&lt;/script&gt; My RE put me on heparin")
    html = html.replace('?tid=heparin" target="_blank">here</a>',
                        f'?tid=heparin" target="_blank">here</a> or <a href="javascript:{MARK}">here</a>')
    html = html.replace(
        "In thrombophilia disorders, researchers now believe",
        f"&lt;svg onload=\"{MARK}\"&gt; In thrombophilia disorders, researchers {RLO}now believe")
    return html.encode("utf-8")


def exchange(url: str, body: bytes, when: datetime, seed: str, status: int = 200) -> Exchange:
    return Exchange(url=url, method="GET", request_headers=[("User-Agent", "pagetrail-test")],
                    status=status, response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    body=body, started=when, seed=seed, seed_url=url, role="page")


def build_archive(root: Path, host: str = "http://127.0.0.1:8000") -> dict[str, list]:
    """Two pages: ``heparin`` (example versions 1 to 5, then a failed fetch, then version 5 again)
    and ``hostile`` (example version 2, then the hostile version 3). Returns captures by seed."""
    heparin = f"{host}/2011/05/heparin/"
    hostile = f"{host}/hostile/"
    out: dict[str, list] = {"heparin": [], "hostile": []}
    with Archive(root) as archive:
        for hour, version in enumerate((1, 2, 3, 4, 5)):
            c = archive.record(exchange(heparin, render(version), T0 + timedelta(hours=hour), "heparin"))
            out["heparin"].append(c)
        out["heparin"].append(archive.record_failure(FailedFetch(
            heparin, T0 + timedelta(hours=5), "DNS lookup failed: no such host", "heparin", heparin)))
        out["heparin"].append(archive.record(exchange(heparin, render(5), T0 + timedelta(hours=6),
                                                      "heparin")))
        out["hostile"].append(archive.record(exchange(hostile, render(2), T0 + timedelta(hours=1),
                                                      "hostile")))
        out["hostile"].append(archive.record(exchange(hostile, hostile_after(),
                                                      T0 + timedelta(hours=7), "hostile")))
        process_captures(archive, [], [c for cs in out.values() for c in cs])
    return out
