"""``pagetrail report``: every seed page that changed (or could not be fetched) in a period."""

from __future__ import annotations

import argparse

HELP = "every page that changed in a period (default: the last 24 hours)"
DESCRIPTION = """\
Report every captured page that changed in a period: one entry per capture that changed or had a
fetch problem, grouped by page. Captures with no change are left out.

WHEN is a duration back from now (90m, 24h, 7d, 2w), an ISO date or time (2026-11-01,
2026-11-01T06:00Z) or an archive timestamp prefix (20261101).

examples:
  pagetrail report                               the last 24 hours, as text
  pagetrail report --since 7d --format html -o week.html
  pagetrail report --since 2026-11-01 --format json
  pagetrail report --tag health                  only pages whose seed is tagged health
"""

FORMATS = ("text", "json", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pagetrail.commands.args import (
        add_archive_argument,
        add_output_arguments,
        add_seed_arguments,
        add_tag_argument,
    )

    parser.add_argument("--since", default="24h", metavar="WHEN",
                        help="start of the period (default: 24h)")
    add_output_arguments(parser, FORMATS)
    add_archive_argument(parser)
    add_seed_arguments(parser)
    add_tag_argument(parser)


def run(args: argparse.Namespace) -> int:
    from pagetrail.changes import changes_since, parse_since
    from pagetrail.commands.args import load_seed_list, open_archive
    from pagetrail.report import ReportDoc, render
    from pagetrail.report.common import format_timestamp
    from pagetrail.report.output import add_screenshots, options, write
    from pagetrail.seedref import only_tagged

    since = parse_since(args.since)
    seeds = load_seed_list(args.seeds)
    with open_archive(args.archive, args.catalog) as archive:
        items = changes_since(archive, seeds, since)
    items = only_tagged(items, seeds, args.tag)
    pages = len({pd.url for pd in items})
    title = f"Changes since {format_timestamp(since)}: {pages} page{'s' if pages != 1 else ''}"
    doc = ReportDoc(mode="report", title=title, items=items, since=since, options=options(args))
    if args.format == "html":
        with open_archive(args.archive, args.catalog) as archive:
            add_screenshots(doc, archive)
    write(render(args.format, doc), args.output)
    return 0
