"""``pagetrail reprocess [URL]``: recompute the stored change summaries from the raw captures."""

from __future__ import annotations

import argparse
import sys

HELP = "recompute stored change summaries from the raw captures"
DESCRIPTION = """\
Recompute every stored change summary (for one page, or for all pages) from the raw WARC captures:
re-segment each capture with the current segmenter and the seeds' current rules, re-diff it against
the last good capture before it, and store the new summary in the catalog and as a new WARC metadata
record. Use it after upgrading pagetrail or changing a seed's rules. The captures themselves are
never changed.

examples:
  pagetrail reprocess
  pagetrail reprocess http://127.0.0.1:8000/2011/05/heparin/ --seeds seeds/clinic.toml
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pagetrail.commands.args import add_archive_argument, add_seed_arguments

    parser.add_argument("url", metavar="URL", nargs="?", help="one page (default: every page)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    add_archive_argument(parser)
    add_seed_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from pagetrail.changes import find_page, page_urls, reprocess
    from pagetrail.commands.args import load_seed_list, open_archive
    from pagetrail.seedref import page_url

    seeds = load_seed_list(args.seeds)
    if args.url:
        args.url = page_url(args.url, seeds)  # a seed's name stands for its URL
    with open_archive(args.archive, args.catalog) as archive:
        urls = [find_page(archive, args.url)[0]] if args.url else page_urls(archive)
        total = 0
        for url in urls:
            total += reprocess(archive, seeds, url, progress=not args.quiet)
    print(f"pagetrail: reprocessed {total} capture{'s' if total != 1 else ''} of "
          f"{len(urls)} page{'s' if len(urls) != 1 else ''}", file=sys.stderr)
    return 0
