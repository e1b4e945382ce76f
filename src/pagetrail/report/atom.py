"""Atom 1.0 feed (RFC 4287) of changes: one entry per capture that changed or failed.

Entry ids are stable (a name-based UUID of URL and capture timestamp), so a feed reader that polls
the regenerated file sees each change once. The entry content is an HTML fragment built here with
every archived string escaped; ElementTree escapes it once more as XML text.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from html import escape

from pagetrail.diff.model import PageDiff
from pagetrail.report.common import (
    CHANNEL_TITLES,
    ReportDoc,
    change_label,
    iso_timestamp,
    neutralise,
    replay_url,
    summary_line,
    word_ops,
)

FORMAT = "atom"
ATOM_NS = "http://www.w3.org/2005/Atom"
_ID_NAMESPACE = uuid.UUID("6f1c2a5e-57a8-4a8e-9d0a-706167657472")  # fixed: ids must never change


def entry_id(url: str, timestamp: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, f'{url} {timestamp}')}"


def _content(pd: PageDiff) -> str:
    if pd.fetch_problem:
        return f"<p>fetch problem: {escape(pd.fetch_problem)} (not a content change)</p>"
    parts = []
    for name, ch in pd.channels().items():
        if not ch.changed:
            continue
        items = []
        for change in ch.changes:
            if change.op == "edited":
                words = []
                for op in word_ops(change):
                    tag = {"delete": "del", "insert": "ins"}.get(op.op)
                    words.append(f"<{tag}>{escape(op.text)}</{tag}>" if tag else escape(op.text))
                text = " ".join(words)
            else:
                text = escape(change.after if change.after is not None else change.before or "")
            items.append(f"<li><b>{escape(change.op)}</b> {escape(change_label(name, change))}: {text}</li>")
        parts.append(f"<h3>{escape(CHANNEL_TITLES[name])}</h3><ul>{''.join(items)}</ul>")
    return "".join(parts) or "<p>no change</p>"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def feed_id(scope: str) -> str:
    return entry_id("pagetrail-feed", scope)


def render(doc: ReportDoc) -> str:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    entries = [pd for pd in doc.items if pd.to and (pd.changed or pd.fetch_problem)]
    updated = max((iso_timestamp(pd.to.timestamp) for pd in entries),
                  default=doc.generated.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(feed, "id", feed_id(doc.url or "all"))
    _sub(feed, "title", doc.title)
    _sub(feed, "updated", updated)
    _sub(_sub(feed, "author"), "name", "pagetrail")
    _sub(feed, "generator", "pagetrail")
    for pd in sorted(entries, key=lambda p: p.to.timestamp, reverse=True):
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(pd.url, pd.to.timestamp))
        _sub(entry, "title", f"{pd.url}: {summary_line(pd)}")
        _sub(entry, "updated", iso_timestamp(pd.to.timestamp))
        base = doc.options.replay_base
        _sub(entry, "link", rel="alternate", type="text/html",
             href=replay_url(base, pd.to.timestamp, pd.url))
        if pd.from_:
            _sub(entry, "link", rel="related", type="text/html", title="previous capture",
                 href=replay_url(base, pd.from_.timestamp, pd.url))
        _sub(entry, "summary", summary_line(pd))
        _sub(entry, "content", _content(pd), type="html")
    ET.indent(feed)
    # ElementTree writes control characters as they are, which no XML parser accepts: one page
    # with a stray byte would break the whole feed. Nothing pagetrail writes itself has any.
    return neutralise('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n")
