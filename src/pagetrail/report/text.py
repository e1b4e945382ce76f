"""Plain-text report for a terminal: concise, coloured when the output is a terminal.

Green is added, red removed, yellow edited; an edited block shows its word-level diff inline as
``[-old words-]{+new words+}``. Archived text is stripped of control characters first, so a page
cannot send escape sequences to the analyst's terminal.
"""

from __future__ import annotations

from pagetrail.diff.model import Change, ChannelDiff, PageDiff
from pagetrail.report.common import (
    ReportDoc,
    attempts_line,
    change_label,
    channel_summary,
    elide_equal,
    format_timestamp,
    link_changes,
    neutralise,
    shorten,
    summary_line,
    where,
    word_ops,
)

FORMAT = "text"

_ANSI = {"added": "32", "removed": "31", "edited": "33", "moved": "36", "bold": "1", "dim": "2"}
_SIGN = {"added": "+", "removed": "-", "edited": "~", "moved": ">"}


def clean(text: str | None) -> str:
    """Archived text with control characters (ESC and friends) and bidi overrides made visible
    and harmless."""
    return neutralise(text)


class _Writer:
    def __init__(self, color: bool) -> None:
        self.color = color
        self.lines: list[str] = []

    def paint(self, style: str, text: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{_ANSI[style]}m{text}\x1b[0m"

    def line(self, text: str = "") -> None:
        self.lines.append(text)


def _words(w: _Writer, change: Change) -> str:
    out = []
    for op in word_ops(change):
        text = clean(op.text)
        if op.op == "equal":
            out.append(elide_equal(text))
        elif op.op == "delete":
            out.append(w.paint("removed", f"[-{text}-]"))
        else:
            out.append(w.paint("added", f"{{+{text}+}}"))
    return " ".join(out)


def _change(w: _Writer, channel: str, change: Change, indent: str) -> None:
    sign = w.paint(change.op, _SIGN.get(change.op, "?"))
    label = clean(change_label(channel, change))
    if change.op == "edited":
        body = _words(w, change)
    elif change.op == "removed":
        body = w.paint("removed", shorten(clean(change.before)))
    elif change.op == "added":
        body = w.paint("added", shorten(clean(change.after)))
    else:
        body = shorten(clean(change.after or change.before))
    w.line(f"{indent}{sign} {label}: {body}")
    if channel == "ads":
        before, after = link_changes(change)
        if before != after and before and after:
            w.line(f"{indent}    link: {w.paint('removed', clean(', '.join(before)))} → "
                   f"{w.paint('added', clean(', '.join(after)))}")
        elif after and change.op == "added":
            w.line(f"{indent}    link: {clean(', '.join(after))}")


def _channels(w: _Writer, pd: PageDiff, indent: str, show_unchanged: bool) -> None:
    for name, ch in pd.channels().items():
        if not ch.changed and not show_unchanged:
            continue
        _channel(w, name, ch, indent, show_unchanged)


def _changes_only(w: _Writer, pd: PageDiff, indent: str) -> None:
    """The changes under a history line that already says the summary: no second summary."""
    for name, ch in pd.channels().items():
        for change in ch.changes:
            _change(w, name, change, f"{indent}{name} ")
        if ch.truncated:
            w.line(f"{indent}{name} (incomplete: {clean(ch.truncated)})")


def _attempts(w: _Writer, pd: PageDiff, indent: str) -> None:
    """The earlier attempts of this crawl (retries), as evidence of the entry."""
    line = attempts_line(pd)
    if line:
        w.line(w.paint("dim", f"{indent}{clean(line)}"))


def _channel(w: _Writer, name: str, ch: ChannelDiff, indent: str, verbose: bool) -> None:
    if not ch.changed:
        w.line(f"{indent}{w.paint('bold', name)}: no change")
        return
    w.line(f"{indent}{w.paint('bold', clean(channel_summary(name, ch)))}")
    for change in ch.changes:
        _change(w, name, change, indent + "  ")
    if ch.truncated:
        w.line(f"{indent}  (incomplete: {clean(ch.truncated)})")


def _provenance(w: _Writer, pd: PageDiff) -> None:
    for label, ref in (("from", pd.from_), ("to  ", pd.to)):
        if ref is None:
            w.line(w.paint("dim", f"  {label} (no earlier good capture)"))
            continue
        status = f"  HTTP {ref.status}" if ref.status else ""
        w.line(w.paint("dim", f"  {label} {format_timestamp(ref.timestamp)}  {where(ref)}{status}"))


def _diff(w: _Writer, pd: PageDiff) -> None:
    w.line(w.paint("bold", clean(pd.url)))
    _provenance(w, pd)
    if pd.fetch_problem:
        w.line(w.paint("removed", f"fetch problem: {clean(pd.fetch_problem)}") +
               " (not a content change; the next good capture is compared with the last good one)")
    elif not pd.changed:
        w.line(clean(summary_line(pd)))
    else:
        _channels(w, pd, "", show_unchanged=True)
    for note in pd.notes:
        if "identical" not in note and note != summary_line(pd):
            w.line(w.paint("dim", f"note: {clean(note)}"))
    _attempts(w, pd, "")


def _history(w: _Writer, doc: ReportDoc) -> None:
    w.line(w.paint("bold", clean(doc.title)))
    for pd in doc.items:
        ref = pd.to
        when = format_timestamp(ref.timestamp if ref else None)
        status = str(ref.status) if ref and ref.status else "---"
        style = "removed" if pd.fetch_problem else ("edited" if pd.changed else "dim")
        w.line(f"{when}  {status:>3}  {w.paint(style, clean(summary_line(pd)))}  "
               f"{w.paint('dim', where(ref))}")
        if pd.changed and not pd.fetch_problem:
            _changes_only(w, pd, "    ")
        _attempts(w, pd, "    ")


def render(doc: ReportDoc) -> str:
    w = _Writer(doc.options.color)
    if doc.mode == "history":
        _history(w, doc)
    else:
        if doc.mode == "report":
            w.line(w.paint("bold", clean(doc.title)))
            if not doc.items:
                w.line("no page changed")
        for i, pd in enumerate(doc.items):
            if i or doc.mode == "report":
                w.line()
            _diff(w, pd)
    return "\n".join(w.lines) + "\n"
