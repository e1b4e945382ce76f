"""Writing a rendered report: colour only on a terminal, to standard output or a file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pagetrail.errors import UsageError
from pagetrail.report.common import ReportOptions, replay_base_default


def wants_color(stream, output: str | None) -> bool:  # noqa: ANN001
    """Colour only on a terminal, never into a file, and never when NO_COLOR is set."""
    if output or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def options(args: argparse.Namespace) -> ReportOptions:
    fmt = getattr(args, "format", "text")
    color = fmt == "text" and wants_color(sys.stdout, getattr(args, "output", None))
    return ReportOptions(color=color, replay_base=getattr(args, "replay_base", None) or replay_base_default())


def write(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(output)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write report: {exc.strerror or exc}") from None
    print(f"pagetrail: wrote {path}", file=sys.stderr)


def add_screenshots(doc, archive) -> None:  # noqa: ANN001 - ReportDoc, Archive
    """Put the screenshots of the report's rendered captures into ``doc`` (HTML reports show
    them side by side)."""
    from pagetrail.archive.rendered import screenshots

    refs = [(pd.url, ref.record_id) for pd in doc.items if pd.changed or doc.mode == "diff"
            for ref in (pd.from_, pd.to) if ref is not None]
    doc.screenshots = screenshots(archive, refs)
