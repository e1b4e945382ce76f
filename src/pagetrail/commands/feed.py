"""``pagetrail feed [URL]``: an Atom feed of changes, for one page or for all, for feed readers."""

from __future__ import annotations

import argparse

HELP = "write an Atom feed of changes (one page or all pages)"
DESCRIPTION = """\
Write an Atom 1.0 feed with one entry per capture that changed or had a fetch problem, newest
first, for one page (URL) or for every page in the archive. Entry ids are stable, so regenerating
the file after each crawl lets a feed reader show each change once. Each entry links to the replay
of the capture (and of the capture it was compared with).

examples:
  pagetrail feed -o changes.atom
  pagetrail feed http://127.0.0.1:8000/2011/05/heparin/ -o heparin.atom
  pagetrail feed --since 30d --limit 50 --replay-base http://archive.example.org/pagetrail
  pagetrail feed --tag health -o health.atom
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pagetrail.commands.args import add_archive_argument, add_seed_arguments, add_tag_argument

    parser.add_argument("url", metavar="URL", nargs="?", help="one page (default: every page)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--since", metavar="WHEN", help="only changes since WHEN (24h, 7d, 2026-11-01)")
    parser.add_argument("--limit", type=int, default=100, metavar="N",
                        help="at most N entries, the newest (default: 100)")
    parser.add_argument("--replay-base", metavar="URL", default=None,
                        help="replay server and collection for entry links (default: "
                        "$PAGETRAIL_REPLAY_BASE or http://localhost:8080/pagetrail)")
    add_archive_argument(parser)
    add_seed_arguments(parser)
    add_tag_argument(parser)


def run(args: argparse.Namespace) -> int:
    from pagetrail.changes import changes_since, find_page, parse_since
    from pagetrail.commands.args import load_seed_list, open_archive
    from pagetrail.errors import UsageError
    from pagetrail.report import ReportDoc, render
    from pagetrail.report.output import options, write
    from pagetrail.seedref import only_tagged, page_url

    if args.limit < 1:
        raise UsageError(f"--limit {args.limit}: must be at least 1")
    since = parse_since(args.since) if args.since else None
    seeds = load_seed_list(args.seeds)
    if args.url:
        args.url = page_url(args.url, seeds)  # a seed's name stands for its URL
    with open_archive(args.archive, args.catalog) as archive:
        url = find_page(archive, args.url)[0] if args.url else None
        items = changes_since(archive, seeds, since, url)
    items = only_tagged(items, seeds, args.tag)
    items = sorted(items, key=lambda pd: pd.to.timestamp)[-args.limit:]
    title = f"pagetrail: changes to {url}" if url else "pagetrail: changes to all pages"
    doc = ReportDoc(mode="report", title=title, items=items, url=url, since=since, options=options(args))
    write(render("atom", doc), args.output)
    return 0
