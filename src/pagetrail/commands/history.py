"""``pagetrail history URL``: every capture of a page with what changed in each."""

from __future__ import annotations

import argparse
import sys

HELP = "timeline of every capture of a page with what changed in each"
DESCRIPTION = """\
List every capture of a page, oldest first, with what changed in it against the last good capture
before it: no change, the changes per channel, or a fetch problem. Uses the change summaries stored
in the catalog; a capture without one is summarised once and the summary stored.

examples:
  pagetrail history http://127.0.0.1:8000/2011/05/heparin/
  pagetrail history URL --format html -o heparin-history.html
  pagetrail history URL --format json
"""

FORMATS = ("text", "json", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pagetrail.commands.args import (
        add_archive_argument,
        add_output_arguments,
        add_seed_arguments,
    )

    parser.add_argument("url", metavar="URL", help="the page, as captured")
    add_output_arguments(parser, FORMATS)
    add_archive_argument(parser)
    add_seed_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from pagetrail.changes import ChangeProcessor, find_page, history
    from pagetrail.commands.args import load_seed_list, open_archive
    from pagetrail.diff import PageDiff
    from pagetrail.report import ReportDoc, render
    from pagetrail.report.output import add_screenshots, options, write
    from pagetrail.seedref import page_url

    seeds = load_seed_list(args.seeds)
    args.url = page_url(args.url, seeds)  # a seed's name stands for its URL
    with open_archive(args.archive, args.catalog) as archive:
        url, _captures = find_page(archive, args.url)
        entries = history(archive, url, seeds)
        proc = ChangeProcessor(archive, seeds)
        stale = sum(proc.is_stale(c, s) for c, s in entries)
    if stale:
        print(f"pagetrail: {stale} of {len(entries)} summaries were computed by another segmenter or "
              f"with other site rules; 'pagetrail reprocess {url}' recomputes them", file=sys.stderr)
    items = [PageDiff.from_dict(summary) for _capture, summary in entries]
    doc = ReportDoc(mode="history", title=f"History of {url} ({len(items)} captures)", items=items,
                    url=url, options=options(args))
    if args.format == "html":
        with open_archive(args.archive, args.catalog) as archive:
            add_screenshots(doc, archive)
    write(render(args.format, doc), args.output)
    return 0
