"""What the report commands (diff, history, report, feed, reprocess) share: common options, opening
the archive read-side, finding a page's captures, parsing ``--since`` and writing the output."""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pagetrail.archive.naming import timestamp17
from pagetrail.errors import ArchiveError, UsageError
from pagetrail.report.common import ReportOptions, replay_base_default

_AGO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_AGO_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def add_archive_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", default="archive", metavar="DIR",
                        help="archive folder (default: archive/)")


def add_seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", nargs="+", metavar="SEEDFILE", default=None,
                        help="seed files whose site rules apply (default: seeds/*.toml when present)")


def add_output_arguments(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument("--format", choices=formats, default=formats[0],
                        help=f"output format (default: {formats[0]})")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--replay-base", metavar="URL", default=None,
                        help="replay server and collection for links, as BASE/TIMESTAMP/URL "
                        "(default: $PAGETRAIL_REPLAY_BASE or http://localhost:8080/pagetrail)")


def open_archive(path: str):  # noqa: ANN201 - pagetrail.archive.Archive
    """The archive at ``path`` for reading; a missing folder is a one-line error, not a new archive."""
    from pagetrail.archive import Archive

    root = Path(path)
    if not (root / "catalog.sqlite3").exists():
        raise ArchiveError(f"{root}: no pagetrail archive here (run 'pagetrail crawl' first, or pass --archive DIR)")
    return Archive(root).open()


def load_seed_list(files: list[str] | None):  # noqa: ANN201 - list[Seed]
    from pagetrail.seeds import load_seeds

    if files is None and not Path("seeds").is_dir():
        return []
    return load_seeds(files)


def page_captures(archive, url: str) -> tuple[str, list]:  # noqa: ANN001
    """The captures of ``url`` (or of the same URL with/without a trailing slash), oldest first."""
    from pagetrail.changes import is_page_capture

    for candidate in (url, url.rstrip("/") if url.endswith("/") else url + "/"):
        found = [c for c in archive.captures(url=candidate) if is_page_capture(c)]
        if found:
            return candidate, found
    raise UsageError(f"{url}: no captures of this URL in {archive.root} (see 'pagetrail captures')")


def parse_since(when: str, now: datetime | None = None) -> str:
    """``24h``, ``7d``, ``90m``, ``2w``, an ISO date or time, or a 4-17 digit timestamp -> 17 digits."""
    now = now or datetime.now(UTC)
    text = when.strip()
    m = _AGO.match(text)
    if m:
        when_dt = now - timedelta(**{_AGO_UNITS[m.group(2)]: float(m.group(1))})
    elif re.fullmatch(r"\d{4,17}", text):
        return text.ljust(17, "0")
    else:
        try:
            when_dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--since {when!r}: use e.g. 24h, 7d, 2026-11-01 or 2026-11-01T06:00Z") from None
        if when_dt.tzinfo is None:
            when_dt = when_dt.replace(tzinfo=UTC)
    return timestamp17(when_dt)


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
