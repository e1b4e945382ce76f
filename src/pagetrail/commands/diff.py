"""``pagetrail diff URL``: what changed between two captures of a page, channel by channel."""

from __future__ import annotations

import argparse

from pagetrail.errors import UsageError

HELP = "what changed between two captures of a page (article, ads, comments)"
DESCRIPTION = """\
Show what changed in a page's article, ads and comments between two captures.

By default the two captures are the last two that differ: captures whose payload was identical
(revisits) or where only noise moved are skipped, and so are failed fetches and captures that were
not the page (HTTP errors, captcha pages): those are reported as fetch problems, never as changes.

examples:
  pagetrail diff http://127.0.0.1:8000/2011/05/heparin/
  pagetrail diff URL --from 20261125 --to 2026112612        timestamps may be prefixes
  pagetrail diff URL --format html -o heparin.html          one self-contained HTML file
  pagetrail diff URL --format json | jq .channels.ads
  pagetrail diff URL --rules seeds/clinic.toml              re-segment with that seed's rules
"""

FORMATS = ("text", "json", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pagetrail.commands.args import (
        add_archive_argument,
        add_output_arguments,
        add_seed_arguments,
    )

    parser.add_argument("url", metavar="URL", help="the page, as captured")
    parser.add_argument("--from", dest="from_ts", metavar="TS",
                        help="the earlier capture: a timestamp or prefix, e.g. 20261125 or 20261125101500 "
                        "(a prefix names the earliest capture in that period)")
    parser.add_argument("--to", dest="to_ts", metavar="TS",
                        help="the later capture: a timestamp or prefix, the latest in that period "
                        "(default: the latest capture)")
    parser.add_argument("--rules", metavar="SEEDFILE",
                        help="segment with the rules of this URL's seed in SEEDFILE instead of the stored summaries")
    add_output_arguments(parser, FORMATS)
    add_archive_argument(parser)
    add_seed_arguments(parser)


def _rules_from(seed_file: str, url: str):  # noqa: ANN202 - SiteRules | None
    from pagetrail.seeds import find_seed, load_seed_file

    seed = find_seed(load_seed_file(seed_file), url)
    if seed is None:
        raise UsageError(f"{seed_file}: no seed with url {url}")
    return seed.rules or None


def run(args: argparse.Namespace) -> int:
    from pagetrail.changes import diff_between
    from pagetrail.commands.args import load_seed_list, open_archive
    from pagetrail.report import ReportDoc, render
    from pagetrail.report.output import add_screenshots, options, write
    from pagetrail.seedref import page_url

    seeds = load_seed_list(args.seeds)
    args.url = page_url(args.url, seeds)  # a seed's name stands for its URL
    rules = _rules_from(args.rules, args.url) if args.rules else None
    with open_archive(args.archive, args.catalog) as archive:
        pd = diff_between(archive, args.url, seeds, args.from_ts, args.to_ts, rules)
    doc = ReportDoc(mode="diff", title=f"Changes to {pd.url}", items=[pd], url=pd.url,
                    options=options(args))
    if args.format == "html":
        with open_archive(args.archive, args.catalog) as archive:
            add_screenshots(doc, archive)
    write(render(args.format, doc), args.output)
    return 0
