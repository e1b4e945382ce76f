"""HTML report: one self-contained file, side by side (before | after), channel by channel.

Everything that came from an archived page goes through ``html.escape`` and is shown as text; the
only links are to the replay server (built here from the configured base, http(s) only) and to
anchors inside the report. A strict Content-Security-Policy forbids scripts, frames, fonts and any
network fetch, so even a mistake in escaping could not run a hostile page's script.
"""

from __future__ import annotations

import base64
from html import escape

from pagetrail.diff.model import Change, ChannelDiff, PageDiff
from pagetrail.report.common import (
    CHANNEL_TITLES,
    ReportDoc,
    attempts_line,
    change_label,
    channel_summary,
    format_timestamp,
    is_web_url,
    link_changes,
    neutralise,
    replay_url,
    summary_line,
    where,
    word_ops,
)

FORMAT = "html"

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d232b;background:#f4f5f7}
header{background:#1f2a37;color:#fff;padding:14px 24px}
header h1{font-size:20px;margin:0 0 4px}
header p{margin:0;color:#c9d2dc;font-size:13px}
main{padding:16px 24px;max-width:1400px}
section.page{background:#fff;border:1px solid #d9dde3;border-radius:6px;margin:0 0 18px;padding:12px 16px}
h2{font-size:16px;margin:4px 0 8px;word-break:break-all}
h3{font-size:15px;margin:14px 0 6px;border-bottom:1px solid #e3e6ea;padding-bottom:3px}
table{border-collapse:collapse;width:100%}
table.prov td,table.prov th{font-size:13px;padding:2px 8px 2px 0;text-align:left;vertical-align:top}
table.prov th{color:#5b6673;font-weight:600;width:4em}
table.sbs{table-layout:fixed}
table.sbs th{background:#eef1f4;text-align:left;font-size:13px;padding:4px 8px}
table.sbs td{border-top:1px solid #e3e6ea;padding:6px 8px;vertical-align:top;white-space:pre-wrap;word-wrap:break-word}
table.sbs col.op{width:13em}
td.op{font-size:12px;color:#5b6673;white-space:normal}
.badge{display:inline-block;border-radius:3px;padding:0 5px;font-size:11px;font-weight:700;text-transform:uppercase;color:#fff}
.b-added{background:#2e7d32}.b-removed{background:#c62828}.b-edited{background:#b7791f}.b-moved{background:#2b6cb0}
tr.added td.after{background:#e8f5e9}tr.removed td.before{background:#fdecea}
del{background:#f8c9c5;color:#7f1d1d;text-decoration:line-through}
ins{background:#c6efcf;color:#14532d;text-decoration:none}
.nochange{color:#5b6673;margin:4px 0}
.problem{background:#fff4e5;border-left:4px solid #c05621;padding:6px 10px;margin:8px 0}
.links{display:block;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#374151;margin-top:4px}
.note{color:#5b6673;font-size:13px}
table.timeline td,table.timeline th{font-size:13px;padding:3px 8px;border-top:1px solid #e3e6ea;text-align:left;vertical-align:top}
tr.t-changed td.sum{color:#8a5a00;font-weight:600}tr.t-problem td.sum{color:#b42318;font-weight:600}
a{color:#1d4ed8}
.shots{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin:10px 0}
.shots figure{margin:0;border:1px solid #d9dde3;border-radius:4px;max-height:80vh;overflow:auto;background:#fafbfc}
.shots figcaption{position:sticky;top:0;left:0;background:#eef1f4;font-size:13px;padding:3px 8px}
.shots img{display:block;width:960px;max-width:none;height:auto}
"""


def _replay(doc: ReportDoc, ref, url: str) -> str:  # noqa: ANN001 - CaptureRef
    link = replay_url(doc.options.replay_base, ref.timestamp, url)
    if not (is_web_url(doc.options.replay_base) and is_web_url(url)):
        return ""
    return f' <a href="{escape(link, quote=True)}" rel="noreferrer noopener">replay</a>'


def _provenance(doc: ReportDoc, pd: PageDiff) -> str:
    rows = []
    for label, ref in (("before", pd.from_), ("after", pd.to)):
        if ref is None:
            rows.append(f"<tr><th>{label}</th><td>no earlier good capture</td></tr>")
            continue
        status = f" · HTTP {escape(str(ref.status))}" if ref.status else ""
        rows.append(
            f"<tr><th>{label}</th><td>{escape(format_timestamp(ref.timestamp))}{status} · "
            f"<code>{escape(where(ref))}</code> · <code>{escape(ref.record_id or '')}</code>"
            f"{_replay(doc, ref, pd.url)}</td></tr>")
    return '<table class="prov">' + "".join(rows) + "</table>"


def _screenshots(doc: ReportDoc, pd: PageDiff) -> str:
    """The rendered captures' screenshots side by side, scaled to stay readable (each panel
    scrolls), inlined as data: URIs so the report stays one self-contained file."""
    sides = [(label, ref) for label, ref in (("before", pd.from_), ("after", pd.to))
             if ref is not None and ref.record_id in doc.screenshots]
    if not sides:
        return ""
    figures = []
    for label, ref in (("before", pd.from_), ("after", pd.to)):
        png = doc.screenshots.get(ref.record_id) if ref is not None else None
        if png is None:
            figures.append(f"<figure><figcaption>{label}: not rendered</figcaption></figure>")
            continue
        data = base64.b64encode(png).decode("ascii")
        when = escape(format_timestamp(ref.timestamp))
        figures.append(f"<figure><figcaption>{label}: screenshot of the rendered page, {when}"
                       f'</figcaption><img alt="screenshot {label}" src="data:image/png;base64,{data}">'
                       "</figure>")
    return '<div class="shots">' + "".join(figures) + "</div>"


def _sides(change: Change) -> tuple[str, str]:
    if change.op == "edited":
        before, after = [], []
        for op in word_ops(change):
            text = escape(op.text)
            if op.op == "equal":
                before.append(text)
                after.append(text)
            elif op.op == "delete":
                before.append(f"<del>{text}</del>")
            else:
                after.append(f"<ins>{text}</ins>")
        return " ".join(before), " ".join(after)
    return escape(change.before or ""), escape(change.after or "")


def _links(links: list[str], mark: str = "") -> str:
    # Shown as text, never as <a>: an archived link target may be hostile (javascript:, tracking).
    if not links:
        return ""
    text = escape(", ".join(links))
    return f'<span class="links">→ {f"<{mark}>{text}</{mark}>" if mark else text}</span>'


def _change_row(channel: str, change: Change) -> str:
    before, after = _sides(change)
    if channel == "ads":
        links_before, links_after = link_changes(change)
        moved_link = links_before != links_after and change.op == "edited"
        before += _links(links_before, "del" if moved_link else "")
        after += _links(links_after, "ins" if moved_link else "")
    op = escape(change.op)
    return (f'<tr class="{op}"><td class="op"><span class="badge b-{op}">{op}</span> '
            f"{escape(change_label(channel, change))}</td>"
            f'<td class="before">{before}</td><td class="after">{after}</td></tr>')


def _channel(name: str, ch: ChannelDiff) -> str:
    title = escape(CHANNEL_TITLES.get(name, name))
    counts = f" ({ch.count_before} → {ch.count_after})" if name == "comments" else ""
    head = f'<h3 class="channel-{escape(name)}">{title}{counts}</h3>'
    if not ch.changed:
        return head + '<p class="nochange">no change</p>'
    rows = "".join(_change_row(name, c) for c in ch.changes)
    out = (head + f'<p class="note">{escape(channel_summary(name, ch))}</p>'
           '<table class="sbs"><colgroup><col class="op"><col><col></colgroup>'
           "<thead><tr><th>change</th><th>before</th><th>after</th></tr></thead>"
           f"<tbody>{rows}</tbody></table>")
    if ch.truncated:
        out += f'<p class="problem">incomplete: {escape(ch.truncated)}</p>'
    return out


def _page(doc: ReportDoc, pd: PageDiff, anchor: str = "") -> str:
    ident = f' id="{escape(anchor)}"' if anchor else ""
    heading = pd.url
    if doc.mode == "history" and pd.to:
        heading = f"Capture of {format_timestamp(pd.to.timestamp)}: {summary_line(pd)}"
    parts = [f'<section class="page"{ident}><h2>{escape(heading)}</h2>', _provenance(doc, pd),
             _screenshots(doc, pd)]
    if pd.fetch_problem:
        parts.append(f'<p class="problem">fetch problem: {escape(pd.fetch_problem)} — not a content '
                     "change; the next good capture is compared with the last good one.</p>")
    elif not pd.changed:
        parts.append(f'<p class="nochange">{escape(summary_line(pd))}</p>')
        parts.extend(_channel(name, ch) for name, ch in pd.channels().items())
    else:
        parts.extend(_channel(name, ch) for name, ch in pd.channels().items())
    parts.extend(f'<p class="note">note: {escape(n)}</p>' for n in pd.notes)
    if attempts_line(pd):
        parts.append(f'<p class="note">{escape(attempts_line(pd))}</p>')
    parts.append("</section>")
    return "".join(parts)


def _timeline(doc: ReportDoc) -> str:
    rows = []
    for i, pd in enumerate(doc.items):
        ref = pd.to
        cls = "t-problem" if pd.fetch_problem else ("t-changed" if pd.changed else "t-same")
        summary = escape(summary_line(pd))
        if pd.changed or pd.fetch_problem:
            summary = f'<a href="#c{i}">{summary}</a>'
        when = escape(format_timestamp(ref.timestamp)) if ref else "?"
        status = escape(str(ref.status)) if ref and ref.status else "—"
        replay = _replay(doc, ref, pd.url) if ref else ""
        rows.append(f'<tr class="{cls}"><td>{when}</td><td>{status}</td><td class="sum">{summary}</td>'
                    f"<td><code>{escape(where(ref))}</code>{replay}</td></tr>")
    return ('<section class="page"><h2>Timeline</h2><table class="timeline"><thead><tr><th>captured</th>'
            "<th>status</th><th>what changed</th><th>evidence</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def _index(doc: ReportDoc) -> str:
    """A period report's index: each page once, how many of its captures changed or failed, and
    links to each of them."""
    pages: dict[str, list[tuple[int, PageDiff]]] = {}
    for i, pd in enumerate(doc.items):
        pages.setdefault(pd.url, []).append((i, pd))
    rows = []
    for url, entries in pages.items():
        links = " · ".join(
            f'<a href="#e{i}">{escape(format_timestamp(pd.to.timestamp) if pd.to else "?")}: '
            f"{escape(summary_line(pd))}</a>" for i, pd in entries)
        rows.append(f"<tr><td><code>{escape(url)}</code></td><td>{len(entries)}</td><td>{links}</td></tr>")
    return ('<section class="page"><h2>Pages</h2><table class="timeline"><thead><tr><th>page</th>'
            "<th>entries</th><th>captures</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def render(doc: ReportDoc) -> str:
    body = []
    if doc.mode == "history":
        body.append(_timeline(doc))
        body.extend(_page(doc, pd, f"c{i}") for i, pd in enumerate(doc.items)
                    if pd.changed or pd.fetch_problem)
    else:
        if doc.mode == "report" and doc.items:
            body.append(_index(doc))
        body.extend(_page(doc, pd, f"e{i}" if doc.mode == "report" else "") for i, pd in enumerate(doc.items))
        if not doc.items:
            body.append('<section class="page"><p class="nochange">no page changed</p></section>')
    generated = doc.generated.strftime("%Y-%m-%d %H:%M:%S UTC")
    # control and bidi characters from archived text, wherever they are in the page
    return neutralise(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(doc.title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(doc.title)}</h1><p>pagetrail change report · generated {generated} · "
        "archived content is shown as text · replay links go to "
        f"<code>{escape(doc.options.replay_base)}</code> (set with --replay-base)</p></header>"
        f"<main>{''.join(body)}</main></body></html>\n"
    )
